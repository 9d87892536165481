// Whole-model parity with PyTorch 1.13: each model file under test/engine/models (and the
// example examples/fashion/model.py) is analysed by the frontend, built as a Module tree, loaded
// with the state_dict PyTorch saved and run in eval mode. Its state_dict keys/shapes must equal
// PyTorch's and its output must match within 1e-4 of max|ref|.
// Goldens: test/engine/models/make_model_goldens.py (run with /usr/bin/python3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../engine/src/model/index.js';
import { arrayToTensor, loadCheckpoint, readStateDict } from '../../engine/src/nn/index.js';
import { readNpy } from '../../engine/src/io/index.js';
import { noGrad } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';

import { GOLDENS, ROOT, gradientMismatches, knownGaps, manifest, relError } from './models/goldens.js';

const GAPS = knownGaps();

const TOL = 1e-4;

for (const m of manifest.models) {
  test(`${m.name}: ${m.className} matches PyTorch (state_dict keys and eval output)`, GAPS[m.name] ? { todo: GAPS[m.name] } : {}, () => {
    const source = readFileSync(join(ROOT, m.file), 'utf8');
    const model = loadModel(source, { className: m.className, fileName: m.file });
    model.checkShapes = true; // every node's shape as the language server shows it
    const ours = [...model.module.stateDict()].map(([k, t]) => [k, [...t.shape], t.dtype === 'int32' ? 'int64' : 'float32']);
    assert.deepEqual(ours, m.stateDict, 'state_dict keys, shapes and dtypes');
    assert.deepEqual(model.module.namedParameters().map(([k]) => k), m.parameters, 'named_parameters');

    loadCheckpoint(model.module, join(GOLDENS, m.name, 'weights.safetensors'));
    model.module.eval();
    const x = arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')));
    const out = noGrad(() => model.forward(x));
    assert.ok(out instanceof Tensor, 'forward returns a tensor');
    const ref = readNpy(join(GOLDENS, m.name, 'output.npy'));
    assert.deepEqual([...out.shape], ref.shape);
    const err = relError(out.toFloat32Array(), ref.data as Float32Array);
    assert.ok(err < TOL, `relative error ${err.toExponential(2)} >= ${TOL}`);
  });
}

test('a default-initialised model runs and differs from the trained one only in values', () => {
  const m = manifest.models.find((x) => x.name === 'fashion')!;
  const model = loadModel(readFileSync(join(ROOT, m.file), 'utf8'), { fileName: m.file });
  assert.equal(model.className, 'FashionCNN');
  const out = noGrad(() => model.forwardTensor(Tensor.zeros([3, 1, 28, 28])));
  assert.deepEqual([...out.shape], [3, 10]);
});

// Backward through every layer of every model: gradients of sum(output * cos(arange)) in eval
// mode equal PyTorch's for each named parameter (1e-4 of the largest gradient of that tensor).
for (const m of manifest.models) {
  test(`${m.name}: parameter gradients match PyTorch`, GAPS[m.name] ? { todo: GAPS[m.name] } : {}, () => {
    const source = readFileSync(join(ROOT, m.file), 'utf8');
    const model = loadModel(source, { className: m.className, fileName: m.file });
    loadCheckpoint(model.module, join(GOLDENS, m.name, 'weights.safetensors'));
    model.module.eval();
    const x = arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')));
    assert.deepEqual(gradientMismatches(model, x, m, TOL), []);
  });
}

// Train mode where it is deterministic (no dropout): BatchNorm normalises with batch statistics
// and updates running_mean/var/num_batches_tracked exactly as PyTorch does.
for (const m of manifest.models.filter((x) => x.trainMode)) {
  test(`${m.name}: train-mode forward and running statistics match PyTorch`, () => {
    const model = loadModel(readFileSync(join(ROOT, m.file), 'utf8'), { className: m.className, fileName: m.file });
    loadCheckpoint(model.module, join(GOLDENS, m.name, 'weights.safetensors'));
    model.module.train();
    const x = arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')));
    const y = noGrad(() => model.forwardTensor(x));
    const err = relError(y.toFloat32Array(), readNpy(join(GOLDENS, m.name, 'output_train.npy')).data);
    assert.ok(err < TOL, `train-mode output relative error ${err.toExponential(2)}`);
    const after = readStateDict(join(GOLDENS, m.name, 'state_after_train.safetensors'));
    const ours = model.module.stateDict();
    for (const [k, ref] of after) {
      const e = relError(ours.get(k)!.toFloat32Array(), ref.toFloat32Array());
      assert.ok(e < TOL, `${k}: relative error ${e.toExponential(2)}`);
    }
  });
}

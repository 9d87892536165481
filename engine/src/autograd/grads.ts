// The gradient registration list: one call per op family (explicit: bundling breaks discovery).
import { registerElementwiseGrads } from '../ops/elementwise/grad.js';
import { registerReduceGrads } from '../ops/reduce/grad.js';
import { registerLinearGrads } from '../ops/linear/grad.js';
import { registerShapeGrads } from '../ops/shape/grad.js';
import { registerConvGrads } from '../ops/conv/grad.js';
import { registerPoolGrads } from '../ops/pool/grad.js';
import { registerNormGrads } from '../ops/norm/grad.js';
import { registerLossGrads } from '../ops/loss/grad.js';
import { registerEmbeddingGrads } from '../ops/embedding/grad.js';
import { registerDropoutGrads } from '../ops/dropout/grad.js';
import { registerCreationGrads } from '../ops/creation/grad.js';
import { registerAttentionGrads } from '../ops/attention/grad.js';
import { registerEinopsComposites } from '../ops/einops/grad.js';

let done = false;
export function registerAllGrads(): void {
  if (done) return;
  done = true;
  registerElementwiseGrads();
  registerReduceGrads();
  registerLinearGrads();
  registerShapeGrads();
  registerConvGrads();
  registerPoolGrads();
  registerNormGrads();
  registerLossGrads();
  registerEmbeddingGrads();
  registerDropoutGrads();
  registerCreationGrads();
  registerAttentionGrads();
  registerEinopsComposites();
}

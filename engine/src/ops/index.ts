// Importing this module registers every op family (an explicit list: bundling breaks
// file-system discovery), then re-exports the registry and the contract types.
// Order matters only where a family looks up another's ops (the dunders look up 'neg', ...).
import { registerAttentionLayers } from './attention/layers.js';
import { registerAttentionOps } from './attention/shape.js';
import { registerConvLayers } from './conv/layers.js';
import { registerConvOps } from './conv/shape.js';
import { registerDropoutLayers } from './dropout/layers.js';
import { registerDropoutOps } from './dropout/shape.js';
import { registerActivationLayers } from './elementwise/layers.js';
import { registerElementwiseOps } from './elementwise/shape.js';
import { registerLinearLayers } from './linear/layers.js';
import { registerLinearOps } from './linear/shape.js';
import { registerNormLayers } from './norm/layers.js';
import { registerNormOps } from './norm/shape.js';
import { registerCreationOps } from './creation/shape.js';
import { registerEmbeddingLayers } from './embedding/layers.js';
import { registerEmbeddingOps } from './embedding/shape.js';
import { registerEinopsOps } from './einops/shape.js';
import { registerEinopsLayers } from './einops/layers.js';
import { registerLossLayers } from './loss/layers.js';
import { registerLossOps } from './loss/shape.js';
import { registerReduceLayers } from './reduce/layers.js';
import { registerReduceOps } from './reduce/shape.js';
import { registerPoolLayers } from './pool/layers.js';
import { registerPoolOps } from './pool/shape.js';
import { registerRnnLayers } from './rnn/layers.js';
import { registerRnnOps } from './rnn/shape.js';
import { registerShapeLayers } from './shape/layers.js';
import { registerShapeOps } from './shape/shape.js';

const FAMILIES: readonly (() => void)[] = [
  registerElementwiseOps, registerActivationLayers,
  registerLinearOps, registerLinearLayers,
  registerConvOps, registerConvLayers,
  registerPoolOps, registerPoolLayers,
  registerNormOps, registerNormLayers,
  registerShapeOps, registerShapeLayers,
  registerDropoutOps, registerDropoutLayers,
  registerReduceOps, registerReduceLayers,
  registerCreationOps,
  registerEmbeddingOps, registerEmbeddingLayers,
  registerLossOps, registerLossLayers,
  registerRnnOps, registerRnnLayers,
  registerAttentionOps, registerAttentionLayers,
  registerEinopsOps, registerEinopsLayers,
];
for (const register of FAMILIES) register();

export * from './registry.js';
export * from './types.js';

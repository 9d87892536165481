// File formats: .npy/.npz arrays and safetensors checkpoints (PyTorch state_dict names).
export * from './array.js';
export { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy.js';
export { decodeNpz, encodeNpz, readNpz, writeNpz } from './npz.js';
export { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type SafetensorsFile } from './safetensors.js';
export { writeFileAtomic } from './atomic.js';

// torch.nn for the embedded engine: Module, builtin layers (from the op library's LayerSpecs),
// containers, init and state_dict.
export { Module, StateDictError, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Layer, ParamHolder, createLayer } from './layer.js';
export { Sequential, ModuleList, ModuleDict, UserModule } from './containers.js';
export { supportedLayers } from './layers_impl.js';
export * as init from './init.js';
export { valueToRuntime, jsToValue, type DimEnv } from './values.js';
export { arrayToTensor, tensorToArray, readStateDict, loadCheckpoint, saveCheckpoint } from './checkpoint.js';

// Importing this module registers every op family, then re-exports the registry.
export * from './registry.js';
export * from './types.js';

// Installs Dawn's WebGPU globals and `navigator.gpu` for @tensorflow/tfjs-backend-webgpu, which
// looks for them when it is imported: import this module before the peer. The instance is kept
// on globalThis for the device's life (a collected instance crashes Dawn).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const g = globalThis as { navigator?: { gpu?: unknown }; __tsDawn?: unknown };
if (!g.__tsDawn) {
  const path = process.env.TENSOR_STUDIO_DAWN_NODE ?? (() => {
    const req = createRequire(__filename);
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    return join(dirname(req.resolve('webgpu/package.json')), 'dist', `${process.platform}-${arch}`, 'dawn.node');
  })();
  const dawn = createRequire(__filename)(path) as { create(f: string[]): unknown; globals: object };
  Object.assign(globalThis, dawn.globals);
  g.__tsDawn = dawn.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: g.__tsDawn }, configurable: true, writable: true });
}

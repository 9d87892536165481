// WebGPU kernels of the loss family.
export function registerLossWebgpu(): void {
}

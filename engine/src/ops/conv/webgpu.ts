// WebGPU kernels of the conv family.
export function registerConvWebgpu(): void {
}

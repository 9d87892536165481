// WebGPU kernels of the pool family.
export function registerPoolWebgpu(): void {
}

// A WebAssembly SIMD micro-kernel for C = A · Bᵀ (both operands k-contiguous), assembled here
// byte by byte (no toolchain needed at build time). It keeps a 2x4 tile of f32x4 accumulators
// (8 v128 + 2 A vectors + 1 B vector: no register spills on x64) and runs 4 k-steps per
// instruction. Operands are copied into the module's memory with K padded to a multiple of 4,
// M to a multiple of 2 and N to a multiple of 4 (zeros), so the kernel has no edge cases.
// Accumulation is float32 in four lanes (PyTorch's CPU GEMM also accumulates in float32).
// Used by gemm.ts for products big enough to amortise the copies; absent SIMD, gemm.ts stays JS.

const SIMD = 0xfd;
function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n !== 0) b |= 0x80; out.push(b); } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  while (true) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// locals: params a b c M N K ldc (0..6); i j k pa0 pa1 pb0 pb1 pb2 pb3 pc kEnd (7..17); v128 acc0..7 (18..25) va0 va1 vb (26..28)
const [A_, B_, C_, M_, N_, K_, LDC] = [0, 1, 2, 3, 4, 5, 6];
const [I, J, Kk, PA0, PA1, PB0, PB1, PB2, PB3, PC, KEND] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const ACC = (r: number, c: number): number => 18 + r * 4 + c;
const VA0 = 26, VA1 = 27, VB = 28;

const get = (l: number): number[] => [0x20, ...uleb(l)];
const set = (l: number): number[] => [0x21, ...uleb(l)];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GE_S = [0x4e];
const v128load = (off = 0): number[] => [SIMD, ...uleb(0x00), 4, ...uleb(off)];
const f32x4add = [SIMD, ...uleb(0xe4)], f32x4mul = [SIMD, ...uleb(0xe6)];
const lane = (l: number): number[] => [SIMD, ...uleb(0x1f), l];
const f32add = [0x92];
const f32store = (off: number): number[] => [0x38, 2, ...uleb(off)];
const zeroV = [SIMD, ...uleb(0x0c), ...new Array<number>(16).fill(0)];
const block = (body: number[]): number[] => [0x02, 0x40, ...body, 0x0b];
const loop = (body: number[]): number[] => [0x03, 0x40, ...body, 0x0b];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const hsum = (l: number): number[] => [...get(l), ...lane(0), ...get(l), ...lane(1), ...f32add, ...get(l), ...lane(2), ...f32add, ...get(l), ...lane(3), ...f32add];

function kernelBody(): number[] {
  const rowBytes = (row: number[]): number[] => [...row, ...get(K_), ...MUL, ...i32(2), ...SHL]; // row * K * 4
  const kLoop = loop([
    ...get(Kk), ...get(KEND), ...GE_S, ...brIf(1),
    ...get(PA0), ...get(Kk), ...ADD, ...v128load(), ...set(VA0),
    ...get(PA1), ...get(Kk), ...ADD, ...v128load(), ...set(VA1),
    ...[PB0, PB1, PB2, PB3].flatMap((pb, c) => [
      ...get(pb), ...get(Kk), ...ADD, ...v128load(), ...set(VB),
      ...get(ACC(0, c)), ...get(VA0), ...get(VB), ...f32x4mul, ...f32x4add, ...set(ACC(0, c)),
      ...get(ACC(1, c)), ...get(VA1), ...get(VB), ...f32x4mul, ...f32x4add, ...set(ACC(1, c)),
    ]),
    ...get(Kk), ...i32(16), ...ADD, ...set(Kk),
    ...br(0),
  ]);
  const jLoop = loop([
    ...get(J), ...get(N_), ...GE_S, ...brIf(1),
    // pb0 = b + j*K*4, pb1..pb3 follow by K*4
    ...get(B_), ...rowBytes(get(J)), ...ADD, ...set(PB0),
    ...get(PB0), ...get(K_), ...i32(2), ...SHL, ...ADD, ...set(PB1),
    ...get(PB1), ...get(K_), ...i32(2), ...SHL, ...ADD, ...set(PB2),
    ...get(PB2), ...get(K_), ...i32(2), ...SHL, ...ADD, ...set(PB3),
    ...[0, 1].flatMap((r) => [0, 1, 2, 3].flatMap((c) => [...zeroV, ...set(ACC(r, c))])),
    ...i32(0), ...set(Kk),
    ...block(kLoop),
    // pc = c + (i*ldc + j)*4; row i+1 at + ldc*4
    ...get(C_), ...get(I), ...get(LDC), ...MUL, ...get(J), ...ADD, ...i32(2), ...SHL, ...ADD, ...set(PC),
    ...[0, 1, 2, 3].flatMap((c) => [...get(PC), ...hsum(ACC(0, c)), ...f32store(c * 4)]),
    ...get(PC), ...get(LDC), ...i32(2), ...SHL, ...ADD, ...set(PC),
    ...[0, 1, 2, 3].flatMap((c) => [...get(PC), ...hsum(ACC(1, c)), ...f32store(c * 4)]),
    ...get(J), ...i32(4), ...ADD, ...set(J),
    ...br(0),
  ]);
  const iLoop = loop([
    ...get(I), ...get(M_), ...GE_S, ...brIf(1),
    ...get(A_), ...rowBytes(get(I)), ...ADD, ...set(PA0),
    ...get(PA0), ...get(K_), ...i32(2), ...SHL, ...ADD, ...set(PA1),
    ...i32(0), ...set(J),
    ...block(jLoop),
    ...get(I), ...i32(2), ...ADD, ...set(I),
    ...br(0),
  ]);
  const body = [
    ...get(K_), ...i32(2), ...SHL, ...set(KEND),
    ...i32(0), ...set(I),
    ...block(iLoop),
    0x0b,
  ];
  const locals = vec([[...uleb(11), 0x7f], [...uleb(11), 0x7b]]);
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array(7).fill([0x7f])), ...vec([])]])),
    ...section(2, vec([[...str('e'), ...str('m'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...str('k'), 0x00, 0x00]])),
    ...section(10, vec([kernelBody()])),
  ];
  return Uint8Array.from(bytes);
}

type Kernel = (a: number, b: number, c: number, M: number, N: number, K: number, ldc: number) => void;
// The engine's tsconfig has no DOM lib: the few WebAssembly APIs used, typed here.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let state: { mem: WasmMemory; k: Kernel } | null | undefined;

function init(): typeof state {
  if (state !== undefined) return state;
  try {
    if (!WebAssembly) { state = null; return state; }
    const bytes = moduleBytes();
    if (!WebAssembly.validate(bytes)) { state = null; return state; }
    const mem = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: mem } });
    state = { mem, k: inst.exports.k as Kernel };
  } catch {
    state = null;
  }
  return state;
}

/** Whether the SIMD kernel is usable here (WebAssembly SIMD present). TS_NO_SIMD=1 turns it off. */
export function simdAvailable(): boolean {
  if (typeof process !== 'undefined' && process.env?.TS_NO_SIMD === '1') return false;
  return init() !== null;
}

const up = (n: number, m: number): number => Math.ceil(n / m) * m;
/** Rows of B per call: a 64-row panel of B stays in L2 while all of A streams past it. */
const PANEL = 64;

/** C[cOff + i*ldc + j] (+)= sum_k A[aOff + i*K + k] * B[bOff + j*K + k], through the SIMD kernel. */
export function simdGemmNT(
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  M: number, N: number, K: number, accumulate: boolean, ldc: number,
): void {
  const s = init()!;
  const Mp = up(M, 2), Np = up(N, 4), Kp = up(K, 4);
  const bytes = 4 * (Mp * Kp + Np * Kp + Mp * Np) + 64;
  const have = s.mem.buffer.byteLength;
  if (bytes > have) s.mem.grow(Math.ceil((bytes - have) / 65536));
  const F = new Float32Array(s.mem.buffer);
  const aBase = 0, bBase = Mp * Kp, cBase = bBase + Np * Kp;
  // Pack with zero padding (K to x4; extra rows of A and B zero).
  if (Kp === K) {
    F.set(A.subarray(aOff, aOff + M * K), aBase);
    F.set(B.subarray(bOff, bOff + N * K), bBase);
  } else {
    for (let i = 0; i < M; i++) { F.set(A.subarray(aOff + i * K, aOff + i * K + K), aBase + i * Kp); F.fill(0, aBase + i * Kp + K, aBase + (i + 1) * Kp); }
    for (let j = 0; j < N; j++) { F.set(B.subarray(bOff + j * K, bOff + j * K + K), bBase + j * Kp); F.fill(0, bBase + j * Kp + K, bBase + (j + 1) * Kp); }
  }
  F.fill(0, aBase + M * Kp, aBase + Mp * Kp);
  F.fill(0, bBase + N * Kp, bBase + Np * Kp);
  for (let j0 = 0; j0 < Np; j0 += PANEL) {
    const nj = Math.min(PANEL, Np - j0);
    s.k(aBase * 4, (bBase + j0 * Kp) * 4, (cBase + j0) * 4, Mp, nj, Kp, Np);
  }
  for (let i = 0; i < M; i++) {
    const src = cBase + i * Np, dst = cOff + i * ldc;
    if (accumulate) for (let j = 0; j < N; j++) C[dst + j] += F[src + j]!;
    else C.set(F.subarray(src, src + N), dst);
  }
}

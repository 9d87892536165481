// The engine's seeded random number generator (xoshiro128**, seeded through splitmix32), used by
// randn/rand/randint, dropout masks and parameter init, so a seed reproduces a run exactly.
// It does not reproduce PyTorch's own random stream (tests compare statistics, not draws).

export class Generator {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spare: number | null = null;
  constructor(seed = 0) { this.seed(seed); }

  seed(n: number): void {
    let x = (Math.trunc(n) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Next uint32. */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }
  /** Uniform in [0, 1). */
  uniform(): number { return this.nextUint32() / 4294967296; }
  /** Standard normal (Box-Muller, pairs cached). */
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Integer in [low, high). */
  int(low: number, high: number): number { return low + Math.floor(this.uniform() * (high - low)); }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

const globalGenerator = new Generator(0);

/** The default generator (what randn/rand/dropout/init draw from). */
export function defaultGenerator(): Generator { return globalGenerator; }
let globalSeed = 0;
const reseedListeners: ((seed: number) => void)[] = [];
/** The seed the default generator was last seeded with (0 until manualSeed). */
export function currentSeed(): number { return globalSeed; }
/**
 * Called with the new seed whenever the default generator is reseeded: GPU backends keep their
 * counter-based generator's seed in a device buffer and rewrite it here (never per step).
 */
export function onReseed(cb: (seed: number) => void): void { reseedListeners.push(cb); }
/** Seed the default generator (torch.manual_seed). */
export function manualSeed(n: number): void {
  globalGenerator.seed(n);
  globalSeed = Math.trunc(n);
  for (const cb of reseedListeners) cb(globalSeed);
}

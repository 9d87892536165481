// The benchmarks' one timer: warm-up runs, then the median of n timed runs.
/** `settle`: yield to the event loop between runs (collected GPU tensors return their buffers). */
export async function medianMs(fn: () => void | Promise<void>, warmup: number, n: number, settle = false): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
    if (settle) await new Promise((r) => setImmediate(r));
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

// How numbers read on the metrics panel's axes, tables and readout. Pure (tested in Node).

/** 4 significant digits, plain for ordinary numbers, exponent for tiny or huge ones. */
export function fmt(n: number): string {
  const a = Math.abs(n);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? n.toExponential(3) : String(Number(n.toPrecision(4)));
}

/** Seconds as m:ss (or h:mm:ss): the time axis is time since the run started. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

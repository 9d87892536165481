// Terminal progress: a redrawn bar on a TTY, plain lines (one per log point) otherwise.
export interface ProgressState {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  /** Steps in this epoch / done in this epoch. */
  readonly epochSteps: number;
  readonly epochStep: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly samplesPerSec: number;
  readonly etaSec: number;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function formatProgress(s: ProgressState, width = 24): string {
  const frac = s.epochSteps ? s.epochStep / s.epochSteps : 0;
  const fill = Math.round(frac * width);
  const bar = '='.repeat(Math.max(0, fill - 1)) + (fill > 0 ? (fill === width ? '=' : '>') : '') + ' '.repeat(width - fill);
  return `epoch ${s.epoch + 1}/${s.epochs} [${bar}] ${s.epochStep}/${s.epochSteps} | step ${s.step}/${s.totalSteps} | loss ${s.loss.toFixed(4)} | ${Math.round(s.samplesPerSec)} samples/s | ETA ${formatDuration(s.etaSec)}`;
}

export class Progress {
  private last = 0;
  private drawn = false;
  constructor(private readonly out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean } = process.stdout) {}

  get isTTY(): boolean { return !!this.out.isTTY; }

  /** TTY: redraw at most 10 times a second. Non-TTY: only when `logPoint` (one line each). */
  update(s: ProgressState, logPoint: boolean): void {
    if (this.isTTY) {
      const now = Date.now();
      if (now - this.last < 100 && s.epochStep !== s.epochSteps) return;
      this.last = now;
      this.out.write(`\r\x1b[2K${formatProgress(s)}`);
      this.drawn = true;
    } else if (logPoint) {
      this.out.write(formatProgress(s) + '\n');
    }
  }

  /** A message on its own line (ends the bar's line first). */
  line(msg: string): void {
    if (this.drawn) { this.out.write('\n'); this.drawn = false; }
    this.out.write(msg + '\n');
  }
}

// The metric stream of every run, kept in one place in the extension: live points from the
// engine hosts and the points of past runs read from their metrics.jsonl. Every point is kept
// (full fidelity: nothing sampled away), in columns per (run, metric name) so a chart reads a
// series without copying. Views subscribe and get each appended batch once.
import { readFileSync } from 'node:fs';
import type { MetricPoint } from '../../../engine/src/host/protocol';

export interface Series {
  readonly name: string;
  readonly step: number[];
  readonly epoch: number[];
  readonly value: number[];
  readonly time: number[];
}

export type MetricListener = (runId: string, points: readonly MetricPoint[]) => void;

export class MetricStore {
  private readonly runs = new Map<string, Map<string, Series>>();
  private readonly listeners = new Set<MetricListener>();

  append(runId: string, points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = new Map()));
    for (const p of points) {
      let s = run.get(p.name);
      if (!s) run.set(p.name, (s = { name: p.name, step: [], epoch: [], value: [], time: [] }));
      s.step.push(p.step);
      s.epoch.push(p.epoch);
      s.value.push(p.value);
      s.time.push(p.time);
    }
    for (const l of this.listeners) {
      try { l(runId, points); } catch { /* one subscriber's bug must not starve the others */ }
    }
  }

  /**
   * Replaces a run's points with its metrics.jsonl (a past run, or a resumed one whose later
   * points were recomputed). A torn last line (the run is still writing) is skipped.
   */
  load(runId: string, metricsPath: string): number {
    this.runs.delete(runId);
    let text: string;
    try { text = readFileSync(metricsPath, 'utf8'); } catch { return 0; }
    const points: MetricPoint[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try { points.push(JSON.parse(line) as MetricPoint); } catch { /* torn line */ }
    }
    this.append(runId, points);
    return points.length;
  }

  /** Drops a run's points (a fresh run in the same folder, or a deleted run). */
  clear(runId: string): void { this.runs.delete(runId); }

  series(runId: string, name: string): Series | undefined { return this.runs.get(runId)?.get(name); }

  /** Every series of a run, in the order their first points arrived. */
  allSeries(runId: string): Series[] { return [...this.runs.get(runId)?.values() ?? []]; }

  count(runId: string): number {
    let n = 0;
    for (const s of this.runs.get(runId)?.values() ?? []) n += s.value.length;
    return n;
  }

  subscribe(listener: MetricListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }
}

// The overview's performance hints: a few rules over the summaries, each firing only where the
// numbers show the problem (HTA's and the TensorBoard plugin's advice, in one line each).
import type { ProfileHint, ProfileSummary } from '../../../webview/src/profiler_protocol';

const pct = (x: number): string => `${x.toFixed(0)}%`;

export function performanceHints(d: Omit<ProfileSummary, 'hints'>): ProfileHint[] {
  const out: ProfileHint[] = [];
  const steps = d.steps;
  if (steps.length === 0) {
    out.push({ severity: 'info', text: 'No training steps in this trace (no `step N` or `ProfilerStep#N` spans): the step breakdown needs them. With torch.profiler, call prof.step() once per iteration.' });
  } else {
    const total = steps.reduce((a, s) => a + s.dur, 0);
    const share = (k: 'data' | 'optimizer' | 'other'): number => total > 0 ? (100 * steps.reduce((a, s) => a + s[k], 0)) / total : 0;
    const data = share('data');
    if (data >= 25) {
      out.push({ severity: 'warning', text: `Data loading takes ${pct(data)} of the step time: the step is input-bound. Load in background workers (DataLoader num_workers, pin_memory, prefetch_factor) or cache the decoded data.` });
    }
    const opt = share('optimizer');
    if (opt >= 25) out.push({ severity: 'info', text: `The optimizer takes ${pct(opt)} of the step time. A fused or foreach optimizer (torch.optim.AdamW(fused=True)) does it in fewer kernels.` });
    const other = share('other');
    if (other >= 30) out.push({ severity: 'info', text: `${pct(other)} of the step time is outside data loading, forward, backward and the optimizer (synchronisation, logging, host work between phases).` });
    if (steps.length >= 3) {
      const rest = steps.slice(1).map((s) => s.dur).sort((a, b) => a - b);
      const median = rest[rest.length >> 1]!;
      if (median > 0 && steps[0]!.dur > 2 * median) {
        out.push({ severity: 'info', text: `Step ${steps[0]!.step} takes ${(steps[0]!.dur / median).toFixed(1)}× the median step (warm-up: allocation, compilation, caches). Skip the first steps when comparing (torch.profiler.schedule(wait=1, warmup=1, ...)).` });
      }
    }
  }
  for (const dev of d.devices) {
    if (dev.percent < 50 && dev.busy > 0) out.push({ severity: 'warning', text: `${dev.lane} is busy ${pct(dev.percent)} of the time: the GPU waits for the host. Larger batches, fewer host syncs (.item(), printing losses), or CUDA graphs / compiled mode keep it fed.` });
  }
  const top = d.ops[0];
  if (top && top.percent >= 40 && d.ops.length > 1) {
    const at = top.source ? ` (${top.source.file}:${top.source.line})` : '';
    out.push({ severity: 'info', text: `${top.name}${at} takes ${pct(top.percent)} of the ops' own time: the place to optimise first.` });
  }
  return out;
}

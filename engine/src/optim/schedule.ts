// Learning-rate schedules as pure functions of the optimizer step (0-based: the lr used for the
// step about to happen), so a resumed run recomputes the same lr from the step alone.
export type ScheduleName = 'none' | 'step' | 'cosine' | 'warmup_constant' | 'warmup_cosine';

export interface ScheduleSpec {
  readonly name: ScheduleName;
  /** step: multiply by gamma every stepSize steps (StepLR). */
  readonly stepSize?: number;
  readonly gamma?: number;
  /** warmup_*: linear ramp from lr/warmupSteps to lr over the first warmupSteps steps. */
  readonly warmupSteps?: number;
  /** cosine floor (CosineAnnealingLR's eta_min). */
  readonly minLr?: number;
}

export function lrAt(spec: ScheduleSpec, baseLr: number, step: number, totalSteps: number): number {
  const minLr = spec.minLr ?? 0;
  const warm = spec.warmupSteps ?? 0;
  const cosine = (t: number, span: number) => minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * Math.min(t, span) / Math.max(1, span))) / 2;
  switch (spec.name) {
    case 'none': return baseLr;
    case 'step': return baseLr * (spec.gamma ?? 0.1) ** Math.floor(step / (spec.stepSize ?? 1));
    case 'cosine': return cosine(step, totalSteps);
    case 'warmup_constant': return step < warm ? baseLr * (step + 1) / warm : baseLr;
    case 'warmup_cosine': return step < warm ? baseLr * (step + 1) / warm : cosine(step - warm, totalSteps - warm);
  }
}

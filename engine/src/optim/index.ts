// Optimizers (SGD, Adam, AdamW), learning-rate schedules, gradient clipping.
export { Optimizer, SGD, Adam, AdamW, clipGradNorm, type NamedParam, type OptimizerState, type SgdOptions, type AdamOptions } from './optimizer.js';
export { lrAt, type ScheduleName, type ScheduleSpec } from './schedule.js';
export { saveOptimizerState, loadOptimizerState } from './state_file.js';

// The CPU backend's kernel registration list (explicit: bundling breaks discovery).
import { registerElementwiseCpu } from '../../ops/elementwise/cpu.js';
import { registerReduceCpu } from '../../ops/reduce/cpu.js';
import { registerLinearCpu } from '../../ops/linear/cpu.js';
import { registerShapeCpu } from '../../ops/shape/cpu.js';
import { registerConvCpu } from '../../ops/conv/cpu.js';
import { registerPoolCpu } from '../../ops/pool/cpu.js';
import { registerNormCpu } from '../../ops/norm/cpu.js';
import { registerLossCpu } from '../../ops/loss/cpu.js';
import { registerEmbeddingCpu } from '../../ops/embedding/cpu.js';
import { registerDropoutCpu } from '../../ops/dropout/cpu.js';
import { registerCreationCpu } from '../../ops/creation/cpu.js';

let done = false;
export function registerCpuKernels(): void {
  if (done) return;
  done = true;
  registerElementwiseCpu();
  registerReduceCpu();
  registerLinearCpu();
  registerShapeCpu();
  registerConvCpu();
  registerPoolCpu();
  registerNormCpu();
  registerLossCpu();
  registerEmbeddingCpu();
  registerDropoutCpu();
  registerCreationCpu();
}

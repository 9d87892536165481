// Whether ops record the autograd tape. noGrad() is how inference, optimizer updates and
// evaluation run without building graphs.
let enabled = true;

export function isGradEnabled(): boolean { return enabled; }

/** Run fn with gradient recording off (restored afterwards, also on throw). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try { return fn(); } finally { enabled = prev; }
}

/** Run fn with gradient recording on. */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try { return fn(); } finally { enabled = prev; }
}

export function setGradEnabled(b: boolean): void { enabled = b; }

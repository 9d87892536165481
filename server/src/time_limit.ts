// A time limit for synchronous work. The analysis core runs on the server's only thread; if it
// ever loops (a bug, e.g. unbounded recursion on odd user code) every request would hang
// forever. node:vm's `timeout` interrupts synchronous JavaScript, including functions defined
// outside the context, so the server can give up on one analysis and stay responsive.
import { createContext, Script } from 'node:vm';

const context = createContext({ run: null as null | (() => unknown) });
const script = new Script('run()', { filename: 'tensor-studio-time-limit' });

export class TimeLimitExceeded extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within ${ms} ms`);
    this.name = 'TimeLimitExceeded';
  }
}

/** Runs `fn` synchronously; throws TimeLimitExceeded when it runs longer than `ms`. */
export function withTimeLimit<T>(fn: () => T, ms: number): T {
  if (!(ms > 0) || !Number.isFinite(ms)) return fn();
  context.run = fn;
  try {
    return script.runInContext(context, { timeout: ms }) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TimeLimitExceeded(ms);
    throw err;
  } finally {
    context.run = null;
  }
}

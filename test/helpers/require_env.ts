// In CI (CI=true) a suite that cannot find what it needs FAILS; elsewhere it skips, saying why.
import type { TestContext } from 'node:test';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Call at the top of a test when `reason` says a requirement is missing. Returns true when the test must stop. */
export function missing(t: TestContext, what: string, reason: string): boolean {
  if (inCI) throw new Error(`${what} is required in CI but missing: ${reason}`);
  t.skip(`${what} missing: ${reason}`);
  return true;
}

// A test helper (not a test file): a step's check as the command check it is, so a test can read its
// command and call its verdict. It lives here, not in src/engine, because production code never needs it.
import type { CommandCheck, StepCheck } from '../engine/types.js';

/** A step's check as the command check it is (tests read its command and verdict); throws for a fromCheck. */
export function commandCheck(c: StepCheck | undefined): CommandCheck {
  if (!c) throw new Error('the step has no such check');
  if ('fromCheck' in c) throw new Error(`${c.describe}: a health check, not a command check`);
  return c;
}

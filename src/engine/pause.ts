// A test-only hook for the kill -9 tests: the engine stops at a named boundary and waits.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test-only (see pauseAtBoundary): the environment variable that names the boundary to pause at. */
export const PAUSE_ENV = 'DAY2_PAUSE_AFTER_STEP';
/** The file pauseAtBoundary writes in the state dir while it waits. */
export const PAUSE_MARKER = 'paused';

/**
 * A test-only hook for kill -9 tests: with DAY2_PAUSE_AFTER_STEP=<step-id> (or <step-id>@<host>, the host
 * of a serial step) in the environment, the engine stops exactly at that boundary — the step (or that
 * host's part of it) has ended and the journal says so, the next one has not started — writes
 * <stateDir>/paused (`{"point","pid"}`) and waits until that file is removed (or the process is killed).
 * `<step-id>[@<host>]:before-verify` stops after a step's commands and captures, before its verification.
 * Without the variable (production) it returns at once and changes nothing.
 */
export async function pauseAtBoundary(stateDir: string, point: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const want = env[PAUSE_ENV];
  if (!want || want !== point) return;
  const marker = join(stateDir, PAUSE_MARKER);
  // written whole, then renamed: a test that sees the file reads all of it
  writeFileSync(`${marker}.tmp`, `${JSON.stringify({ point, pid: process.pid })}\n`, { mode: 0o600 });
  renameSync(`${marker}.tmp`, marker);
  while (existsSync(marker)) await new Promise((r) => setTimeout(r, 100));
}

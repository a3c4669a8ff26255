// The state of one health run: every (check, host) cell of the matrix, filled in as results arrive.
// Core only (no React). The implementation that fills it is src/checks/run.ts; the Health screen and
// `day2-tui check` both read it.
import type { CheckStatus, CommandOutput, Fix } from '../checks/types.js';

export type CellStatus = CheckStatus | 'pending' | 'running';

export interface CheckResult {
  check: string;
  /** Inventory host name; null for a cluster-wide (bastion) check. */
  host: string | null;
  status: CellStatus;
  /** One line; empty while pending/running. */
  message: string;
  details?: Record<string, unknown>;
  fix?: Fix;
  /** What each command printed (by the check's command name), for the detail view. Redacted of secrets. */
  raw?: Record<string, CommandOutput & { command: string }>;
  startedAt?: number;
  durationMs?: number;
}

export interface HealthSnapshot {
  /** Check ids in guide order (after --only). */
  checks: string[];
  /** Host names that appear as rows (after --limit), in inventory order. */
  hosts: string[];
  /** Keyed by `${check}\u0000${host ?? ''}`; a cell exists for every applicable (check, host) pair from the start. */
  results: ReadonlyMap<string, CheckResult>;
  /** True when no cell is pending or running. */
  done: boolean;
}

export const cellKey = (check: string, host: string | null): string => `${check}\u0000${host ?? ''}`;

export interface HealthRun {
  getSnapshot(): HealthSnapshot;
  /** Called after every change (a cell started, a cell finished). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Resolves with the final snapshot when every cell has a verdict. */
  finished(): Promise<HealthSnapshot>;
  /** Re-runs every cell, or only the given ones. */
  rerun(cells?: { check: string; host: string | null }[]): void;
  /** Stops what is in flight (cells become 'error' "cancelled") and releases listeners. */
  dispose(): void;
}

/** `check --json` summary and exit code: 0 all ok (skipped counts as ok), 1 any warn, 2 any fail or error. */
export function summarize(snapshot: HealthSnapshot): { ok: number; warn: number; fail: number; error: number; exitCode: 0 | 1 | 2 } {
  const s = { ok: 0, warn: 0, fail: 0, error: 0 };
  for (const r of snapshot.results.values()) {
    if (r.status === 'ok') s.ok++;
    else if (r.status === 'warn') s.warn++;
    else if (r.status === 'fail') s.fail++;
    else if (r.status === 'error') s.error++;
  }
  const exitCode = s.fail + s.error > 0 ? 2 : s.warn > 0 ? 1 : 0;
  return { ...s, exitCode };
}

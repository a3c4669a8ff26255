// The snapshot of a run session, re-rendered on every change the engine reports.
import { useSyncExternalStore } from 'react';
import type { RunSession, RunSnapshot } from '../../src/engine/session.js';

export function useRunSnapshot(session: RunSession): RunSnapshot {
  return useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.getSnapshot(),
  );
}

// Subscribes a component to a HealthRun (core); re-renders on every change. Undefined before a run exists.
import { useCallback, useSyncExternalStore } from 'react';
import type { HealthRun, HealthSnapshot } from '../../src/model/health.js';

const noop = () => {};

export function useHealth(run: HealthRun | undefined): HealthSnapshot | undefined {
  const subscribe = useCallback((listener: () => void) => (run ? run.subscribe(listener) : noop), [run]);
  const get = useCallback(() => run?.getSnapshot(), [run]);
  return useSyncExternalStore(subscribe, get, get);
}

// Subscribes a component to the ConnectivityMonitor (core); re-renders on every change.
import { useSyncExternalStore } from 'react';
import type { ConnectivityMonitor, ConnectivitySnapshot } from '../../src/model/connectivity.js';

export function useConnectivity(monitor: ConnectivityMonitor): ConnectivitySnapshot {
  return useSyncExternalStore(monitor.subscribe, monitor.getSnapshot, monitor.getSnapshot);
}

// The Nodes screens' data: the node list, each node's pods, cordon / uncordon, and drains, through the
// NodesService the console was given (core: src/nodes/service.ts). The App holds one of these for the
// console's life, so the list and the pods survive going from the list to a node's pods and back; the
// screens only render what it holds and call its functions.
import { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { DrainOptions } from '../../src/nodes/drain.js';
import type { DrainSession, DrainSnapshot, NodeList, NodesService } from '../../src/nodes/service.js';
import type { NodePod } from '../../src/ocp/nodes.js';

export interface PodsData {
  pods?: NodePod[];
  loading: boolean;
  error?: string;
  readAt?: Date;
}

export interface NodesData {
  /** Undefined until the first answer. */
  list?: NodeList;
  loading: boolean;
  /** Why the last read failed (the previous list, if any, stays shown). */
  error?: string;
  readAt?: Date;
  /** Cordons / uncordons in flight, by node. */
  busy: ReadonlyMap<string, 'cordon' | 'uncordon'>;
  /** The outcome of the last cordon / uncordon, for the screen's note line. */
  note?: { text: string; tone: 'ok' | 'bad' };
  pods: ReadonlyMap<string, PodsData>;
}

export interface NodesControl {
  /** False: no NodesService was given (node operations are not available). */
  available: boolean;
  /** The oc binary (for the command preview). */
  oc: string;
  data: NodesData;
  /** Reads the node list (again). */
  refresh(): void;
  /** Reads a node's pods (again). */
  loadPods(node: string): void;
  /** Cordon (false) or uncordon (true); the list is read again after. */
  setSchedulable(node: string, schedulable: boolean): void;
  /** Starts a drain with the pods already read for the modal; list and pods are read again when it ends. */
  startDrain(options: DrainOptions): DrainSession;
  /** Forgets the last note. */
  clearNote(): void;
}

const EMPTY: NodesData = { loading: false, busy: new Map(), pods: new Map() };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function useNodes(service: NodesService | undefined): NodesControl {
  const [data, setData] = useState<NodesData>(EMPTY);
  // Only the newest read of each kind may land (an older, slower answer must not overwrite it).
  const listSeq = useRef(0);
  const podSeq = useRef(new Map<string, number>());
  const latest = useRef(data);
  latest.current = data;

  const refresh = useCallback(() => {
    if (!service) return;
    const seq = ++listSeq.current;
    setData((d) => ({ ...d, loading: true }));
    service.listNodes().then(
      (list) => {
        if (seq === listSeq.current) setData((d) => ({ ...d, list, loading: false, error: undefined, readAt: new Date() }));
      },
      (err: unknown) => {
        if (seq === listSeq.current) setData((d) => ({ ...d, loading: false, error: message(err) }));
      },
    );
  }, [service]);

  const loadPods = useCallback(
    (node: string) => {
      if (!service) return;
      const seq = (podSeq.current.get(node) ?? 0) + 1;
      podSeq.current.set(node, seq);
      const put = (patch: Partial<PodsData>) =>
        setData((d) => {
          const pods = new Map(d.pods);
          pods.set(node, { ...(pods.get(node) ?? { loading: false }), ...patch });
          return { ...d, pods };
        });
      put({ loading: true });
      service.podsOn(node).then(
        (pods) => {
          if (podSeq.current.get(node) === seq) put({ pods, loading: false, error: undefined, readAt: new Date() });
        },
        (err: unknown) => {
          if (podSeq.current.get(node) === seq) put({ loading: false, error: message(err) });
        },
      );
    },
    [service],
  );

  const setSchedulable = useCallback(
    (node: string, schedulable: boolean) => {
      if (!service) return;
      const setBusy = (on: boolean, note?: NodesData['note']) =>
        setData((d) => {
          const busy = new Map(d.busy);
          if (on) busy.set(node, schedulable ? 'uncordon' : 'cordon');
          else busy.delete(node);
          return { ...d, busy, ...(note ? { note } : {}) };
        });
      setBusy(true);
      service.setSchedulable(node, schedulable).then(
        (text) => {
          setBusy(false, { text, tone: 'ok' });
          refresh();
        },
        (err: unknown) => {
          setBusy(false, { text: `${schedulable ? 'Uncordon' : 'Cordon'} of ${node} failed: ${message(err)}`, tone: 'bad' });
          refresh();
        },
      );
    },
    [service, refresh],
  );

  const startDrain = useCallback(
    (options: DrainOptions): DrainSession => {
      if (!service) throw new Error('node operations are not available in this console');
      // Only an answer that is not being replaced: else the session lists the pods itself.
      const entry = latest.current.pods.get(options.node);
      const pods = entry && !entry.loading ? entry.pods : undefined;
      // The node itself is read again by the session (a cordon since the list was read shows in its notes).
      const session = service.startDrain(options, pods ? { pods } : {});
      // An older cordon's outcome would read as the drain's.
      setData((d) => (d.note ? { ...d, note: undefined } : d));
      void session.finished().then(() => {
        refresh();
        loadPods(options.node);
      });
      return session;
    },
    [service, refresh, loadPods],
  );

  const clearNote = useCallback(() => setData((d) => (d.note ? { ...d, note: undefined } : d)), []);

  return useMemo(
    () => ({ available: !!service, oc: service?.oc ?? 'oc', data, refresh, loadPods, setSchedulable, startDrain, clearNote }),
    [service, data, refresh, loadPods, setSchedulable, startDrain, clearNote],
  );
}

/** A drain session's snapshot, re-rendered on every change it reports. */
export function useDrainSnapshot(session: DrainSession): DrainSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
}

// The one small store behind everything the console watches while it runs: a procedure run, a health
// run, the connectivity probe, a drain. It keeps the snapshot, builds it again only after a change (so a
// screen can compare snapshots by identity) and tells every listener after each change.

export interface RunStore<S> {
  /** The state as it is now: the same object until the next change. */
  snapshot(): S;
  /** Called after every change; returns the unsubscribe function. Once closed, nothing is ever called. */
  subscribe(listener: () => void): () => void;
  /** The state behind the snapshot changed: the next snapshot is built anew, every listener is told. */
  changed(): void;
  /** No listener is called again, and a later subscribe is a no-op (a run that was disposed). */
  close(): void;
}

/** A store whose snapshot is one value, replaced as a whole. */
export interface ValueStore<S> extends RunStore<S> {
  /** Replaces the value by fn's answer and tells every listener. */
  update(fn: (current: S) => S): void;
}

/** A store whose snapshot is built from state kept elsewhere, by `build`, when first asked after a change. */
export function derivedStore<S>(build: () => S): RunStore<S> {
  const listeners = new Set<() => void>();
  let cached: { value: S } | undefined;
  let closed = false;
  return {
    snapshot() {
      cached ??= { value: build() };
      return cached.value;
    },
    subscribe(listener) {
      if (closed) return () => {};
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    changed() {
      cached = undefined;
      for (const l of [...listeners]) {
        try {
          l();
        } catch {
          // a listener's bug must not stop the run
        }
      }
    },
    close() {
      closed = true;
      listeners.clear();
    },
  };
}

/** A store holding one value (a new object after every change, so it can be compared by identity). */
export function valueStore<S>(initial: S): ValueStore<S> {
  let value = initial;
  const store = derivedStore(() => value);
  return {
    ...store,
    update(fn) {
      value = fn(value);
      store.changed();
    },
  };
}

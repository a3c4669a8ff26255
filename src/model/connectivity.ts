// Live connectivity of every inventory host: probes them through the Runner and tells subscribers.
// No React here: the console subscribes through screens/hooks/useConnectivity.ts.

import { type ValueStore, valueStore } from '../engine/run-store.js';
import type { Inventory } from '../inventory/types.js';
import { type Connectivity, type ConnectivityState, type Runner, TransportError } from '../transport/types.js';

export type ConnectivitySnapshot = ReadonlyMap<string, Connectivity>;
export type ConnectivityListener = (snapshot: ConnectivitySnapshot) => void;

export interface ConnectivityMonitorOptions {
  /** At most this many probes at once. Default: all hosts at once. */
  concurrency?: number;
  /** A probe that has not answered after this long counts as unreachable. Default 30 s; 0 = never. */
  timeoutMs?: number;
  /** Start probing at once (default true). With false, call reprobe() to start. */
  autoStart?: boolean;
}

export interface ConnectivitySummary {
  total: number;
  ok: number;
  checking: number;
  /** Every state that is neither ok nor checking. */
  problems: number;
}

const CHECKING: Connectivity = Object.freeze({ state: 'checking' });

export class ConnectivityMonitor {
  private readonly store: ValueStore<ConnectivitySnapshot>;
  /** Bumped for every probe of a host: the answer of an older probe is ignored. */
  private readonly generation = new Map<string, number>();
  private readonly queue: string[] = [];
  private running = 0;
  private disposed = false;
  private readonly hostsByName: Map<string, Inventory['hosts'][number]>;
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(
    inventory: Inventory,
    private readonly runner: Runner,
    options: ConnectivityMonitorOptions = {},
  ) {
    this.hostsByName = new Map(inventory.hosts.map((h) => [h.name, h]));
    this.store = valueStore<ConnectivitySnapshot>(new Map(inventory.hosts.map((h) => [h.name, CHECKING])));
    this.concurrency = options.concurrency && options.concurrency > 0 ? options.concurrency : Infinity;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (options.autoStart ?? true) this.reprobe();
  }

  /** The current state of every host (a new map after every change, so it can be compared by identity). */
  getSnapshot = (): ConnectivitySnapshot => this.store.snapshot();

  get(host: string): Connectivity {
    return this.getSnapshot().get(host) ?? CHECKING;
  }

  /** Calls the listener after every change; returns the unsubscribe function. */
  subscribe = (listener: ConnectivityListener): (() => void) => this.store.subscribe(() => listener(this.store.snapshot()));

  summary(): ConnectivitySummary {
    return summarize(this.getSnapshot());
  }

  /** Probes one host again (or every host): its state goes back to 'checking' until the answer. */
  reprobe(host?: string): void {
    if (this.disposed) return;
    const names = host === undefined ? [...this.hostsByName.keys()] : this.hostsByName.has(host) ? [host] : [];
    if (names.length === 0) return;
    const next = new Map(this.getSnapshot());
    for (const name of names) {
      this.generation.set(name, (this.generation.get(name) ?? 0) + 1);
      next.set(name, CHECKING);
      if (!this.queue.includes(name)) this.queue.push(name);
    }
    this.publish(next);
    this.pump();
  }

  /** Stops listening: answers arriving later are dropped, no listener is called again. */
  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.store.close();
  }

  private pump(): void {
    while (!this.disposed && this.running < this.concurrency && this.queue.length > 0) {
      const name = this.queue.shift()!;
      this.running++;
      void this.probeOne(name).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async probeOne(name: string): Promise<void> {
    const host = this.hostsByName.get(name);
    if (!host) return;
    const gen = this.generation.get(name);
    const result = await withTimeout(this.runner.probe(host), this.timeoutMs).then(
      (c): Connectivity => c,
      (err: unknown): Connectivity => fromError(err),
    );
    if (this.disposed || this.generation.get(name) !== gen) return;
    const next = new Map(this.getSnapshot());
    next.set(name, result);
    this.publish(next);
  }

  private publish(next: Map<string, Connectivity>): void {
    this.store.update(() => next);
  }
}

export function summarize(snapshot: ConnectivitySnapshot): ConnectivitySummary {
  let ok = 0;
  let checking = 0;
  let problems = 0;
  for (const c of snapshot.values()) {
    if (c.state === 'ok') ok++;
    else if (c.state === 'checking') checking++;
    else problems++;
  }
  return { total: snapshot.size, ok, checking, problems };
}

class ProbeTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (!ms || ms <= 0 || !Number.isFinite(ms)) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new ProbeTimeout(`no answer after ${Math.round(ms / 1000)} s`)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** A probe should resolve, never reject; if it does reject, say what we know. */
function fromError(err: unknown): Connectivity {
  if (err instanceof TransportError && err.state !== 'connection-lost') {
    return { state: err.state, reason: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
  if (err instanceof ProbeTimeout) {
    return { state: 'unreachable', reason: err.message, hint: 'Check that the host is up and that port 22 is open from this bastion.' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { state: 'unreachable', reason: message.split('\n')[0] ?? 'probe failed', hint: 'Check the host and try again (r re-probes).' };
}

/** How each state is shown: a symbol and a word, so colour is never the only signal. */
export interface ConnectivityLabel {
  symbol: string;
  word: string;
  tone: 'ok' | 'bad' | 'warn' | 'busy';
  /** What the state means, for the help screen. */
  meaning: string;
  /** What to do about it in general (a probe's own hint is more precise). */
  action: string;
}

export const CONNECTIVITY_LABELS: Readonly<Record<ConnectivityState, ConnectivityLabel>> = {
  checking: {
    symbol: '…',
    word: 'checking',
    tone: 'busy',
    meaning: 'The first SSH connection to the host is being opened.',
    action: 'Wait a few seconds; a host that never answers turns "unreachable".',
  },
  ok: {
    symbol: '✓',
    word: 'ok',
    tone: 'ok',
    meaning: 'Connected, host key verified, and a command ran.',
    action: 'Nothing to do.',
  },
  'auth-failed': {
    symbol: '✗',
    word: 'auth failed',
    tone: 'bad',
    meaning: 'The host answered but refused our login (user or key).',
    action: 'Check ansible_user and ansible_ssh_private_key_file in the inventory, or pass --identity; then r to re-probe.',
  },
  'host-key-unknown': {
    symbol: '?',
    word: 'host key unknown',
    tone: 'warn',
    meaning: 'The host is not in known_hosts, so we do not connect.',
    action: 'Verify the fingerprint out of band, add it (ssh-keyscan HOST >> ~/.ssh/known_hosts), then r to re-probe.',
  },
  'host-key-changed': {
    symbol: '!',
    word: 'host key changed',
    tone: 'bad',
    meaning: 'The key differs from known_hosts: a reinstalled host, or someone in the middle.',
    action: 'Find out why before anything else. If the host was rebuilt: ssh-keygen -R HOST, verify and add the new key, then r.',
  },
  unreachable: {
    symbol: '✗',
    word: 'unreachable',
    tone: 'bad',
    meaning: 'No SSH connection: host down, DNS, firewall or wrong address/port.',
    action: 'Check the host is up, its address and port (ansible_host, ansible_port) and port 22 from here; then r.',
  },
};

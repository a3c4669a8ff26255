// Facts for the console's plan view, which is drawn at once: read from the hosts in the background (the
// same read-only probes a run reads when it starts) and kept; the plan shows what was read last, and a
// command that needs a fact not read yet says it is resolved at run time.
import { readFacts } from '../engine/facts.js';
import type { FactProbe, HostFacts, StepContext } from '../engine/types.js';
import type { Inventory } from '../inventory/types.js';
import type { Runner } from '../transport/types.js';

const FRESH_MS = 30_000;

export class FactsCache {
  private facts: HostFacts | undefined;
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly probes: readonly FactProbe[],
    private readonly inventory: Inventory,
    private readonly runner: Runner,
  ) {}

  /** What was read last (undefined before the first read ends); starts a new read when that is old. */
  current(): HostFacts | undefined {
    if (!this.reading && Date.now() - this.readAt > FRESH_MS) this.reading = this.read().finally(() => (this.reading = undefined));
    return this.facts;
  }

  private async read(): Promise<void> {
    const ctx: StepContext = {
      params: {},
      inventory: this.inventory,
      captured: { get: () => '', has: () => false },
      startedAt: new Date(),
      planning: true,
    };
    try {
      this.facts = (await readFacts(this.probes, ctx, this.runner)).facts;
      this.readAt = Date.now();
    } catch {
      // a runner that fails outright: the plan keeps saying "resolved at run time"
    }
  }
}

/**
 * One cache per probe, shared by every procedure that declares it (the control-plane probe is read once for
 * all the etcd procedures); a procedure's plan sees its probes' latest reads together.
 */
export class ProbeFactsCaches {
  private readonly caches = new Map<string, FactsCache>();

  constructor(
    private readonly inventory: Inventory,
    private readonly runner: Runner,
  ) {}

  /** What was read last of these probes (undefined until one of them was read); starts reads that are due. */
  current(probes: readonly FactProbe[]): HostFacts | undefined {
    const parts = probes.map((p) => ({ name: p.name, facts: this.cacheOf(p).current() }));
    if (parts.every((p) => !p.facts)) return undefined;
    return {
      read: (name) => parts.some((p) => p.name === name && p.facts),
      get(name, host) {
        const part = parts.find((p) => p.name === name && p.facts);
        if (!part) throw new Error(`${host.name}: the ${name} fact was not read from this host yet`);
        return part.facts!.get(name, host);
      },
    };
  }

  private cacheOf(probe: FactProbe): FactsCache {
    let cache = this.caches.get(probe.name);
    if (!cache) this.caches.set(probe.name, (cache = new FactsCache([probe], this.inventory, this.runner)));
    return cache;
  }
}

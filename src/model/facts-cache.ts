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
    const ctx: StepContext = { params: {}, inventory: this.inventory, captured: { get: () => '', has: () => false }, startedAt: new Date(), planning: true };
    try {
      this.facts = (await readFacts(this.probes, ctx, this.runner)).facts;
      this.readAt = Date.now();
    } catch {
      // a runner that fails outright: the plan keeps saying "resolved at run time"
    }
  }
}

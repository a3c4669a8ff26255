// A HealthRun the tests (and the dev script) drive by hand: every applicable cell starts pending,
// `set` gives a cell a result, `rerun` is recorded and puts the cells back to pending.
import { ALL_CHECKS } from '../../src/checks/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { type CheckResult, cellKey, type HealthRun, type HealthSnapshot } from '../../src/model/health.js';

export type Cell = { check: string; host: string | null };

export class FakeHealthRun implements HealthRun {
  private snapshot: HealthSnapshot;
  private readonly listeners = new Set<() => void>();
  /** Every rerun call: the cells asked for, or 'all'. */
  readonly reruns: (Cell[] | 'all')[] = [];
  disposed = false;

  constructor(checks: string[], hosts: string[], cells: Cell[]) {
    const results = new Map<string, CheckResult>();
    for (const c of cells) results.set(cellKey(c.check, c.host), { check: c.check, host: c.host, status: 'pending', message: '' });
    this.snapshot = { checks, hosts, results, done: cells.length === 0 };
  }

  /** Cells of ALL_CHECKS (or `only`) for every inventory host, by each check's placement. */
  static forInventory(inventory: Inventory, only?: string[]): FakeHealthRun {
    const checks = ALL_CHECKS.filter((c) => !only || only.includes(c.id));
    const cells: Cell[] = [];
    for (const c of checks) {
      const p = c.placement;
      if (p.on === 'bastion') cells.push({ check: c.id, host: null });
      else for (const h of inventory.hosts) if (h.roles.some((r) => p.roles.includes(r))) cells.push({ check: c.id, host: h.name });
    }
    return new FakeHealthRun(
      checks.map((c) => c.id),
      inventory.hosts.map((h) => h.name),
      cells,
    );
  }

  getSnapshot = (): HealthSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  cells(): Cell[] {
    return [...this.snapshot.results.values()].map((r) => ({ check: r.check, host: r.host }));
  }

  /** Changes one cell (it must exist) and tells the subscribers. */
  set(check: string, host: string | null, result: Partial<CheckResult>): void {
    this.update([{ check, host, result }]);
  }

  /** Several cells at once, one notification. */
  update(changes: { check: string; host: string | null; result: Partial<CheckResult> }[]): void {
    const results = new Map(this.snapshot.results);
    for (const { check, host, result } of changes) {
      const key = cellKey(check, host);
      const prev = results.get(key);
      if (!prev) throw new Error(`FakeHealthRun: no cell ${check} on ${host ?? 'cluster'}`);
      results.set(key, { ...prev, message: '', details: undefined, fix: undefined, raw: undefined, ...result });
    }
    const done = [...results.values()].every((r) => r.status !== 'pending' && r.status !== 'running');
    this.snapshot = { ...this.snapshot, results, done };
    for (const l of [...this.listeners]) l();
  }

  finished(): Promise<HealthSnapshot> {
    if (this.snapshot.done) return Promise.resolve(this.snapshot);
    return new Promise((resolve) => {
      const off = this.subscribe(() => {
        if (this.snapshot.done) {
          off();
          resolve(this.snapshot);
        }
      });
    });
  }

  rerun(cells?: Cell[]): void {
    this.reruns.push(cells ? cells.map((c) => ({ check: c.check, host: c.host })) : 'all');
    const targets = cells ?? this.cells();
    this.update(
      targets
        .filter((c) => this.snapshot.results.has(cellKey(c.check, c.host)))
        .map((c) => ({ ...c, result: { status: 'pending' as const } })),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

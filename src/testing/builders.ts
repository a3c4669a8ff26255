// The tests' host and inventory builders (not a test file). Every test builds its hosts with testHost
// and its inventories with testInventory (or takes toyInventory, the engine tests' three hosts); a step's
// run-time context with captured values, with runContext.
import type { CapturedValues, StepContext } from '../engine/types.js';
import type { Host, Inventory, Role } from '../inventory/types.js';

/** What a test may set on a host beyond its name and roles. */
export type HostExtra = Partial<Omit<Host, 'name' | 'roles'>>;

/**
 * A host as the inventory parser would give it: groups = roles, port 22, no become, `file` 'test' line 1;
 * address = extra.address, else `ansible_host` in extra.vars, else the name.
 */
export function testHost(name: string, roles: Role[], extra: HostExtra = {}): Host {
  const vars = extra.vars ?? {};
  return {
    name,
    address: vars['ansible_host'] ?? name,
    port: 22,
    become: false,
    groups: roles,
    file: 'test',
    line: 1,
    ...extra,
    roles,
    vars,
  };
}

/** Group name → host names, one group per role (what `groups` is for in the product: role lookups). */
export function groupsByRole(hosts: Host[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const h of hosts) for (const r of h.roles) (groups[r] ??= []).push(h.name);
  return groups;
}

/** An inventory of these hosts: source a file, a group per role, no group vars, no warnings (extra overrides). */
export function testInventory(hosts: Host[], extra: Partial<Omit<Inventory, 'hosts'>> = {}): Inventory {
  return {
    source: { kind: 'file', path: '/tmp/test-inventory' },
    hosts,
    groups: groupsByRole(hosts),
    groupVars: {},
    warnings: [],
    ...extra,
  };
}

/** The engine tests' toy cluster: m0, m1 (master, etcd, node) and n0 (node). */
export function toyInventory(): Inventory {
  return testInventory(
    [
      testHost('m0.example.com', ['master', 'etcd', 'node']),
      testHost('m1.example.com', ['master', 'etcd', 'node']),
      testHost('n0.example.com', ['node']),
    ],
    { source: { kind: 'file', path: '/tmp/toy-inventory' } },
  );
}

/** A step's context at run time, with these captured values as the journal holds them (strings), on `host` if given. */
export function runContext(o: {
  params: Record<string, string>;
  captured: Record<string, string>;
  inventory: Inventory;
  startedAt: Date;
  host?: Host | undefined;
}): StepContext {
  const captured: CapturedValues = {
    has: (n) => n in o.captured,
    get: (n) => {
      if (!(n in o.captured)) throw new Error(`no value was captured for '${n}'`);
      return o.captured[n]!;
    },
  };
  const ctx: StepContext = { params: o.params, inventory: o.inventory, captured, startedAt: o.startedAt, planning: false };
  if (o.host) ctx.host = o.host;
  return ctx;
}

/** The step (or plan step) with this id; throws, naming the id, when there is none. */
export function withId<T extends { id: string }>(steps: readonly T[], id: string): T {
  const s = steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

// The tests' host and inventory builders (not a test file). Every test builds its hosts with testHost
// and its inventories with testInventory (or takes toyInventory, the engine tests' three hosts).
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

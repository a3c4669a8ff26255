// Hosts by role, as parameters name them: a role of the inventory, or 'any' host at all.
import type { Host, Inventory, Role } from './types.js';

/** A host parameter's role; 'any' for every host of the inventory (e.g. fix-ntp). */
export type HostRole = Role | 'any';

/** The inventory's hosts in that role (or group), in inventory order; every host for 'any'. */
export function hostsOfRole(inventory: Inventory, role: HostRole | string): Host[] {
  if (role === 'any') return [...inventory.hosts];
  return inventory.hosts.filter((h) => (h.roles as string[]).includes(role) || h.groups.includes(role));
}

/** The words for the hosts of a role in a message: "master hosts", "hosts". */
export function roleHostsWords(role: HostRole | string): string {
  return role === 'any' ? 'hosts' : `${role} hosts`;
}

/**
 * A cluster-wide inventory variable (`[OSEv3:vars]`, `[all:vars]`, else the first host that has it
 * through its groups), e.g. openshift_master_default_subdomain.
 */
export function clusterVar(inventory: Inventory, name: string, host?: Host): string | undefined {
  const v =
    host?.vars[name] ||
    inventory.groupVars['OSEv3']?.[name] ||
    inventory.groupVars['all']?.[name] ||
    inventory.hosts.find((h) => h.vars[name])?.vars[name];
  return v || undefined;
}

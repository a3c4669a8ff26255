// The cluster as the Ansible inventory of an OCP 3.x install describes it.
import { printable } from './printable.js';

/** Roles an administrator thinks in. Masters are nodes too; infra comes from the node group or labels. */
export type Role = 'master' | 'etcd' | 'node' | 'infra' | 'lb' | 'new_etcd' | 'new_node' | 'glusterfs';

export const ROLE_ORDER: readonly Role[] = ['master', 'etcd', 'infra', 'node', 'lb', 'new_etcd', 'new_node', 'glusterfs'];

export interface Host {
  /** The name as written in the inventory (after range expansion). */
  name: string;
  /** Where to connect: `ansible_host`, else the name. */
  address: string;
  /** `ansible_port`, else 22. */
  port: number;
  /** `ansible_user` / `ansible_ssh_user` (host, then group vars, then all). Undefined: the operator's own user. */
  user?: string;
  /** `ansible_ssh_private_key_file`. */
  keyFile?: string;
  /** `ansible_become`: commands run through `sudo -n` when the user is not root. */
  become: boolean;
  /** `ansible_become_user`: whom sudo runs commands as (`sudo -n -u USER`); undefined or root: root. */
  becomeUser?: string;
  /** Where each connection setting came from (a setting absent: its default). Always set by the parser. */
  sources?: HostSources;
  roles: Role[];
  /** Every group the host belongs to, directly or through `:children`. */
  groups: string[];
  /** Effective variables: all vars < parent group vars < group vars < host line vars. */
  vars: Record<string, string>;
  /** Where the host was first declared. */
  file: string;
  line: number;
  /** The OpenShift host variables, parsed (the raw text stays in `vars`). Always set by the parser. */
  openshift?: OpenShiftHostVars;
}

/**
 * Where a connection setting was set, as the host detail screen names it: `hosts:12` (the inventory file
 * and line), `group_vars/OSEv3.yml:3`, `host_vars/master-0.yml:2`, `ansible.cfg (/path)`, `$ANSIBLE_REMOTE_USER`.
 */
export interface HostSources {
  address?: string;
  port?: string;
  user?: string;
  keyFile?: string;
  become?: string;
  becomeUser?: string;
}

/** What the OpenShift installer's host variables say about a host. */
export interface OpenShiftHostVars {
  /** `openshift_ip`: the address the cluster uses for this host. */
  ip?: string;
  /** `openshift_hostname`: the node name in `oc get nodes`. */
  hostname?: string;
  /** `openshift_public_hostname`. */
  publicHostname?: string;
  /** `openshift_node_group_name` (3.10+), e.g. `node-config-infra`. */
  nodeGroupName?: string;
  /** `openshift_node_labels` parsed from its Python-dict text; undefined when absent or not parseable. */
  labels?: Record<string, string>;
  /** `openshift_schedulable`. */
  schedulable?: boolean;
}

export interface InventoryWarning {
  file: string;
  line?: number;
  message: string;
}

export interface Inventory {
  /**
   * Where it came from; `demo` is the built-in simulated cluster and must be labelled DEMO everywhere.
   * Its `scenario` is what is wrong with it (src/demo/scenarios.ts; none: the default, healthy).
   */
  source: { kind: 'file'; path: string } | { kind: 'demo'; scenario?: string };
  hosts: Host[];
  /** Group name → host names (after children are resolved). */
  groups: Record<string, string[]>;
  /** `[group:vars]` as written. */
  groupVars: Record<string, Record<string, string>>;
  warnings: InventoryWarning[];
}

/** A parse error: names file:line and what is wrong. */
export class InventoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(printable(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`));
    this.name = 'InventoryError';
  }
}

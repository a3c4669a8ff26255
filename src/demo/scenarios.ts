// The DEMO cluster's scenarios: what is wrong with the simulated cluster when it opens, and which
// procedure(s) it is there to rehearse. `day2-tui --demo=NAME` picks one (`--demo` alone: healthy).
// A scenario only lists changes; each change is one function below, made through the demo's own state
// (the hosts' `down` and docker driver, cluster.ts) or the hosts' seeded files (host-files.ts), so a
// procedure meets the problem exactly as it meets any other state of the simulated cluster. The file
// changes are in scenario-files.ts (this list is read by the command line's --help, kept light).
import { DEMO_DOMAIN } from './domain.js';

/** One change a scenario makes to the seeded cluster. */
export type ScenarioChange =
  /** The host is powered off: unreachable, NotReady (cluster.ts `down`). */
  | { kind: 'down'; host: string }
  /** The host's docker still runs on devicemapper (cluster.ts `dockerDriver`). */
  | { kind: 'devicemapper'; host: string }
  /** The member's data dir lost its member/ directory: etcd cannot start there (scenario-files.ts etcdDataGone). */
  | { kind: 'etcd-data-gone'; host: string }
  /** A complete etcd backup (as etcd-backup writes it) taken the night before, on the host (scenario-files.ts lastNightBackup). */
  | { kind: 'etcd-backup-last-night'; host: string }
  /** A freshly provisioned RHEL host in the inventory's [new_etcd] group (no etcd package, no etcd data): inventory.ts. */
  | { kind: 'spare-etcd-host'; host: string; ip: string }
  /** The kernel's entropy pool runs short (entropy_avail low), rng-tools not installed (scenario-files.ts lowEntropy). */
  | { kind: 'low-entropy'; host: string }
  /** Every node config map (and so every node's node-config.yaml and tun0) says networkConfig.mtu this (node-config-maps.ts). */
  | { kind: 'node-config-mtu'; mtu: number };

export interface DemoScenario {
  id: string;
  /** What is wrong, in the operator's words (one line, at most 56 characters: --help's column). */
  summary: string;
  /** The procedure(s) to rehearse in it. */
  rehearse: readonly string[];
  /** Hosts by their short names (app-node-2). */
  changes: readonly ScenarioChange[];
  /**
   * Where etcd runs: static pods on the masters (the default, as a 3.10 install with etcd on the masters), or
   * 'systemd': three hosts of its own (etcd-0..2, [etcd] in the inventory) running the RPM's etcd.service.
   */
  etcd?: 'static-pods' | 'systemd';
}

/** A host of the demo inventory, by its short name. */
const fqdn = (short: string) => `${short}.${DEMO_DOMAIN}`;

export const DEFAULT_SCENARIO = 'healthy';

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    id: 'healthy',
    summary: 'every host up, every check ok',
    rehearse: ['etcd-backup'],
    changes: [],
  },
  {
    id: 'showcase',
    summary: "app-node-2 down, app-node-1's docker on devicemapper",
    rehearse: ['docker-storage-overlay2'],
    changes: [
      { kind: 'down', host: 'app-node-2' },
      { kind: 'devicemapper', host: 'app-node-1' },
    ],
  },
  {
    id: 'etcd-quorum-lost',
    summary: 'etcd data gone on master-1, -2: quorum lost, API down',
    rehearse: ['etcd-restore'],
    changes: [
      { kind: 'etcd-data-gone', host: 'master-1' },
      { kind: 'etcd-data-gone', host: 'master-2' },
      { kind: 'etcd-backup-last-night', host: 'master-0' },
    ],
  },
  {
    id: 'etcd-member-failed',
    summary: "master-2's etcd data dir damaged: the member is lost",
    rehearse: ['etcd-remove-member'],
    changes: [{ kind: 'etcd-data-gone', host: 'master-2' }],
  },
  {
    // etcd-replace wants a healthy member to replace (a failed one is removed first): not etcd-member-failed
    id: 'etcd-spare-host',
    summary: 'new host etcd-3 in [new_etcd], to replace an etcd member',
    rehearse: ['etcd-replace'],
    changes: [{ kind: 'spare-etcd-host', host: 'etcd-3', ip: '10.0.0.4' }],
  },
  {
    id: 'node-notready',
    summary: 'app-node-2 is powered off: unreachable, NotReady',
    rehearse: ['node-evacuate', 'node-decommission'],
    changes: [{ kind: 'down', host: 'app-node-2' }],
  },
  {
    id: 'external-etcd',
    summary: 'healthy; etcd on etcd-0..2 as systemd units (RPM form)',
    rehearse: ['etcd-backup', 'etcd-restore'],
    changes: [],
    etcd: 'systemd',
  },
  {
    id: 'low-entropy',
    summary: 'app-node-0 short of entropy: no rngd there',
    rehearse: ['fix-entropy'],
    changes: [{ kind: 'low-entropy', host: 'app-node-0' }],
  },
  {
    id: 'sdn-mtu-too-big',
    summary: 'networkConfig.mtu 1500 = eth0 MTU: SDN packets dropped',
    rehearse: ['fix-mtu'],
    changes: [{ kind: 'node-config-mtu', mtu: 1500 }],
  },
  {
    id: 'devicemapper-node',
    summary: "app-node-1's docker still on devicemapper (deprecated)",
    rehearse: ['docker-storage-overlay2'],
    changes: [{ kind: 'devicemapper', host: 'app-node-1' }],
  },
];

export function findScenario(id: string): DemoScenario | undefined {
  return DEMO_SCENARIOS.find((s) => s.id === id);
}

/** The scenario of that name (undefined or empty: the default); an unknown name is an error naming the known ones. */
export function demoScenario(id: string | undefined): DemoScenario {
  const name = id === undefined || id === '' ? DEFAULT_SCENARIO : id;
  const s = findScenario(name);
  if (!s) throw new Error(`unknown demo scenario '${name}' (the scenarios: ${DEMO_SCENARIOS.map((x) => x.id).join(', ')})`);
  return s;
}

/** The hosts the scenario simulates as down. */
export function scenarioDown(s: DemoScenario): string[] {
  return s.changes.flatMap((c) => (c.kind === 'down' ? [fqdn(c.host)] : []));
}

/** The hosts whose docker the scenario leaves on devicemapper. */
export function scenarioDevicemapper(s: DemoScenario): string[] {
  return s.changes.flatMap((c) => (c.kind === 'devicemapper' ? [fqdn(c.host)] : []));
}

/** The changes made in a host's files (scenario-files.ts). */
const FILE_CHANGES: ReadonlySet<ScenarioChange['kind']> = new Set(['etcd-data-gone', 'etcd-backup-last-night', 'low-entropy']);

/** The hosts whose files the scenario changes (their directories are made first, so every reader sees the change). */
export function scenarioFileHosts(s: DemoScenario): string[] {
  return [...new Set(s.changes.flatMap((c) => (FILE_CHANGES.has(c.kind) && 'host' in c ? [fqdn(c.host)] : [])))];
}

/** The networkConfig.mtu the scenario gives every node config map; undefined: the installer's (eth0 − 50). */
export function scenarioNodeMtu(s: DemoScenario): number | undefined {
  return s.changes.flatMap((c) => (c.kind === 'node-config-mtu' ? [c.mtu] : []))[0];
}

/** The [new_etcd] hosts the scenario adds to the inventory, with their addresses. */
export function scenarioSpareEtcd(s: DemoScenario): { host: string; ip: string }[] {
  return s.changes.flatMap((c) => (c.kind === 'spare-etcd-host' ? [{ host: fqdn(c.host), ip: c.ip }] : []));
}

/** One line for the home screen and --help: `etcd-quorum-lost — rehearse: etcd-restore`. */
export function scenarioLine(s: DemoScenario): string {
  return `${s.id} — rehearse: ${s.rehearse.join(', ')}`;
}

// Every check, procedure and guidance section of the guide (shared/PROCEDURES.md), built or not.
// `day2-tui list`, the console's Home screen and the `:` jump all read this list; a procedure's own
// file (procedures/define.ts) writes its own entry and the registry (index.ts) brings it here. Order:
// chapter, then the guide's section order.
import { ALL_CHECKS } from '../src/checks/index.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import { catalogueEntry, type EntryDraft, HOST_BACKUP_DIR, hostParam, oneOf, project, secret, textParam as text, yesNo } from './define.js';
import { PROCEDURES } from './index.js';
import { findInfoPage } from './info-pages.js';

export { CHAPTER_TITLES } from './define.js';

/** The health checks of src/checks (its registry, ALL_CHECKS): `day2-tui check` and the Health screen run them. */
export const BUILT_CHECK_IDS: ReadonlySet<string> = new Set(ALL_CHECKS.map((c) => c.id));

/** A check or guidance section, or a procedure not built yet (a built one's entry comes from its own file). */
function entry(draft: EntryDraft): CatalogueEntry {
  const built = draft.kind === 'check' ? BUILT_CHECK_IDS.has(draft.id) : draft.kind === 'info' && !!findInfoPage(draft.id);
  return catalogueEntry(draft, built);
}

/** Guide order: the section's numbers, then the line in the guide, then as written. */
function guideOrder(a: CatalogueEntry, b: CatalogueEntry): number {
  const x = a.section
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  const y = b.section
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a.guideLine - b.guideLine;
}

// ---- the catalogue ------------------------------------------------------------------------------

const NOT_BUILT: readonly CatalogueEntry[] = [
  // Chapter 2 — run-once tasks
  entry({
    id: 'ntp',
    kind: 'check',
    title: 'Time synchronisation (NTP)',
    section: '2.1',
    guideLine: 10,
    risk: 'read-only',
    summary:
      "Every host has NTP enabled and its clock synchronised (timedatectl), and its clock within 1 s of the bastion's (over 5 s fails).",
  }),
  entry({
    id: 'entropy',
    kind: 'check',
    title: 'Available entropy',
    section: '2.2',
    guideLine: 29,
    risk: 'read-only',
    summary: 'Kernel entropy pool on every host: above 1000 is good, below 800 is a warning.',
  }),
  entry({
    id: 'default-storageclass',
    kind: 'check',
    title: 'Default storage class',
    section: '2.3',
    guideLine: 51,
    risk: 'read-only',
    summary: 'Exactly one storage class is marked as the default; otherwise points to the dynamic provisioning guide.',
  }),

  // Chapter 3 — environment health checks
  entry({
    id: 'validate-app',
    kind: 'procedure',
    title: 'Deploy and remove a test application',
    section: '3.1',
    guideLine: 59,
    risk: 'low',
    summary:
      'Builds and deploys the CakePHP + MySQL example in a scratch project, checks both pods and the route, then deletes the project.',
    parameters: [text('project', 'Scratch project to create and delete afterwards (must not exist)', false, 'validate')],
  }),
  entry({
    id: 'info-prometheus',
    kind: 'info',
    title: 'Alerting with Prometheus',
    section: '3.2',
    guideLine: 76,
    risk: 'read-only',
    summary: 'Guidance: Prometheus-based alerting (a technology preview in 3.10), its inventory variables and what to look at.',
  }),
  entry({
    id: 'nodes-ready',
    kind: 'check',
    title: 'Nodes Ready',
    section: '3.3',
    guideLine: 81,
    risk: 'read-only',
    summary: 'Every inventory node is registered and Ready; masters are Ready but unschedulable.',
  }),
  entry({
    id: 'etcd-health',
    kind: 'check',
    title: 'etcd cluster health',
    section: '3.3',
    guideLine: 81,
    risk: 'read-only',
    summary: 'etcd reports healthy through both the v2 and the v3 API, with every member endpoint.',
  }),
  entry({
    id: 'etcd-members',
    kind: 'check',
    title: 'etcd members',
    section: '3.3, 4.6',
    guideLine: 81,
    risk: 'read-only',
    summary: 'The etcd member list matches the inventory, has an odd number of members and a leader.',
  }),
  entry({
    id: 'router',
    kind: 'check',
    title: 'Router deployment',
    section: '3.4',
    guideLine: 97,
    risk: 'read-only',
    summary: 'The router has as many running replicas as desired, one per infra node, and where each runs.',
  }),
  entry({
    id: 'registry',
    kind: 'check',
    title: 'Integrated registry deployment',
    section: '3.4',
    guideLine: 97,
    risk: 'read-only',
    summary: 'The docker-registry has its desired replicas running (or is absent because an external registry is used).',
  }),
  entry({
    id: 'skydns',
    kind: 'check',
    title: 'Cluster DNS (SkyDNS)',
    section: '3.5.1',
    guideLine: 112,
    risk: 'read-only',
    summary: 'The registry service name resolves, through cluster DNS on port 8053, to the service cluster IP.',
  }),
  entry({
    id: 'api-health',
    kind: 'check',
    title: 'API server health',
    section: '3.5.1, 3.8',
    guideLine: 195,
    risk: 'read-only',
    summary: 'The API answers /version and /healthz, and the master API service runs on every master.',
  }),
  entry({
    id: 'kubelet-port',
    kind: 'check',
    title: 'Kubelet port reachable',
    section: '3.5.2',
    guideLine: 139,
    risk: 'read-only',
    summary: 'Every node listens on 10250 and the masters can reach it.',
  }),
  entry({
    id: 'sdn',
    kind: 'check',
    title: 'SDN overlay (VXLAN)',
    section: '3.5.2',
    guideLine: 139,
    risk: 'read-only',
    summary: 'The SDN VXLAN port (udp 4789) is open between the nodes.',
  }),
  entry({
    id: 'validate-sdn',
    kind: 'procedure',
    title: 'Test pod networking to the registry',
    section: '3.5.2',
    guideLine: 139,
    risk: 'low',
    summary:
      'Deploys a test httpd app in a scratch project, calls the registry health endpoint from inside its pod, then deletes the project.',
    parameters: [text('project', 'Scratch project to create and delete afterwards (must not exist)', false, 'sdn-test')],
  }),
  entry({
    id: 'router-dns',
    kind: 'check',
    title: 'Wildcard DNS for routes',
    section: '3.5.2',
    guideLine: 139,
    risk: 'read-only',
    summary: 'Names under the applications wildcard domain resolve to the load balancer.',
  }),
  entry({
    id: 'registry-route',
    kind: 'check',
    title: 'Registry route reachable',
    section: '3.5.2',
    guideLine: 139,
    risk: 'read-only',
    summary: 'The registry route answers its health endpoint with 200 from outside the cluster.',
  }),
  entry({
    id: 'disk',
    kind: 'check',
    title: 'Disk space',
    section: '3.6',
    guideLine: 176,
    risk: 'read-only',
    summary: 'Free space for /var on masters, and for /var and /var/lib/docker on nodes, meets the minimums.',
  }),
  entry({
    id: 'docker-storage',
    kind: 'check',
    title: 'Docker storage driver',
    section: '3.7',
    guideLine: 187,
    risk: 'read-only',
    summary: 'Docker uses overlay2 on xfs; devicemapper is a warning with the overlay2 switch offered.',
  }),
  entry({
    id: 'controllers-leader',
    kind: 'check',
    title: 'Active controllers master',
    section: '3.9',
    guideLine: 201,
    risk: 'read-only',
    summary: 'Shows which master currently holds the controllers leader lease (needs cluster-admin).',
  }),
  entry({
    id: 'mtu',
    kind: 'check',
    title: 'Network MTU',
    section: '3.10',
    guideLine: 217,
    risk: 'read-only',
    summary: 'The registry answers from every host without hanging, and the SDN MTU is 50 below the interface MTU.',
  }),

  // Chapter 4 — environment-wide backups
  entry({
    id: 'info-inventory-backup',
    kind: 'info',
    title: 'Back up installation files',
    section: '4.4',
    guideLine: 410,
    risk: 'read-only',
    summary:
      'Guidance: keep the Ansible inventory (group_vars, host_vars, ansible.cfg), custom playbooks and repository files; the commands copy the inventory loaded.',
  }),
  entry({
    id: 'app-data-backup',
    kind: 'procedure',
    title: 'Back up application data',
    section: '4.5',
    guideLine: 417,
    risk: 'low',
    summary: "Finds an application's volume mount and copies its files out of the running pod with oc rsync.",
    parameters: [
      project('Project of the application'),
      text('app', 'Deployment config of the application'),
      text('dest', 'Directory on the bastion to copy the data into'),
    ],
  }),

  // Chapter 5 — host-level tasks
  entry({
    id: 'master-restore',
    kind: 'procedure',
    title: 'Restore a master from backup',
    section: '5.2.3',
    guideLine: 843,
    risk: 'high',
    summary: "Puts a master's backed-up configuration, packages and trusted CAs back and restarts the API and controllers.",
    parameters: [
      hostParam('host', 'master', 'Master to restore'),
      text('backup', `Backup directory on that master, e.g. ${HOST_BACKUP_DIR}`),
    ],
  }),
  entry({
    id: 'node-restore',
    kind: 'procedure',
    title: 'Restore a node from backup',
    section: '5.3.3',
    guideLine: 1001,
    risk: 'high',
    summary: "Puts a node's backed-up configuration, packages and trusted CAs back and restarts the node service.",
    parameters: [hostParam('host', 'node', 'Node to restore'), text('backup', `Backup directory on that node, e.g. ${HOST_BACKUP_DIR}`)],
  }),
  entry({
    id: 'etcd-scaleup-ansible',
    kind: 'procedure',
    title: 'Add etcd hosts with Ansible',
    section: '5.4.4.1',
    guideLine: 1194,
    risk: 'high',
    summary: 'Runs the installer scale-up playbook for the [new_etcd] hosts, then moves them to [etcd] in the inventory.',
    parameters: [
      hostParam('host', 'new_etcd', 'Host to add; default: every [new_etcd] host', false),
      text('playbook', 'Scale-up playbook', false, '/usr/share/ansible/openshift-ansible/playbooks/byo/openshift-etcd/scaleup.yml'),
    ],
  }),

  // Chapter 6 — project-level tasks
  entry({
    id: 'project-backup',
    kind: 'procedure',
    title: 'Back up a project',
    section: '6.1',
    guideLine: 1361,
    risk: 'low',
    summary: 'Exports every object kind of a project to files, with image-pinned deployment configs rewritten to their image stream tags.',
    parameters: [project('Project to back up'), text('dest', 'Directory on the bastion to write the export into')],
  }),
  entry({
    id: 'project-restore',
    kind: 'procedure',
    title: 'Restore a project',
    section: '6.2',
    guideLine: 1415,
    risk: 'medium',
    summary: 'Recreates a project from a project backup, object kinds in dependency order, then starts its builds.',
    parameters: [
      project('Project to create'),
      text('source', 'Directory written by project-backup'),
      oneOf('layout', 'per-kind: one file per object kind; single-file: one project.yaml', ['per-kind', 'single-file'], 'per-kind'),
    ],
  }),
  entry({
    id: 'pvc-backup',
    kind: 'procedure',
    title: 'Back up a persistent volume claim',
    section: '6.3',
    guideLine: 1443,
    risk: 'low',
    summary: "Copies the files of an application's claim out of its pod; a database needs its own dump first.",
    parameters: [
      project('Project of the application'),
      text('app', 'Deployment config that mounts the claim'),
      text('mount-path', 'Mount path of the claim in the pod; default: read from the deployment config', false),
      text('dest', 'Directory on the bastion to copy the data into'),
    ],
  }),
  entry({
    id: 'pvc-restore',
    kind: 'procedure',
    title: 'Restore a persistent volume claim',
    section: '6.4',
    guideLine: 1461,
    risk: 'high',
    summary: 'Copies backed-up files into an existing claim, or mounts a new claim on the deployment config first and copies into it.',
    parameters: [
      project('Project of the application'),
      text('app', 'Deployment config that mounts (or will mount) the claim'),
      text('source', 'Directory on the bastion holding the backed-up files'),
      text('claim', 'New claim to mount and restore into; omit to restore into the existing claim', false),
      text('mount-path', 'Mount path in the pod; default: read from the deployment config', false),
      text('volume', 'Volume name in the deployment config (new claim only)', false),
    ],
  }),
  entry({
    id: 'info-pruning',
    kind: 'info',
    title: 'Pruning images, builds and deployments',
    section: '6.5',
    guideLine: 1488,
    risk: 'read-only',
    summary: 'Guidance: prune old builds, deployments and images with oc adm prune, dry run first; the procedure prune does it.',
  }),

  // Chapter 7 — docker tasks
  entry({
    id: 'registry-ca-install',
    kind: 'procedure',
    title: 'Trust an external registry CA',
    section: '7.2.1, 7.2.3',
    guideLine: 1588,
    risk: 'medium',
    summary: "Installs a registry's CA certificate into the system trust of every node and restarts docker.",
    parameters: [
      text('ca-file', 'CA certificate file on the bastion'),
      text('registry', 'Registry host[:port] the CA belongs to'),
      hostParam('host', 'node', 'Node to install on; default: every node, one at a time', false),
      yesNo('certs-d', 'Also install under /etc/docker/certs.d (docker older than 1.13)'),
    ],
  }),
  entry({
    id: 'registries-config',
    kind: 'procedure',
    title: 'Configure searched, blocked and insecure registries',
    section: '7.3.1–7.3.4',
    guideLine: 1639,
    risk: 'high',
    summary: "Sets docker's searched, blocked and insecure registries on each node and restarts docker one node at a time.",
    parameters: [
      text('search', 'Registries to search, in order (comma list)', false),
      text('block', "Registries to block (comma list, or 'all')", false),
      text('insecure', 'Registries reached without TLS verification (comma list)', false),
      hostParam('host', 'node', 'Node to configure; default: every node, one at a time', false),
    ],
  }),
  entry({
    id: 'registry-auth-secret',
    kind: 'procedure',
    title: 'Add credentials for an authenticated registry',
    section: '7.3.5',
    guideLine: 1752,
    risk: 'low',
    summary: 'Creates a registry pull secret in a project and links it to the default and builder service accounts.',
    parameters: [
      project(),
      text('name', 'Name of the secret'),
      text('server', 'Registry server'),
      text('username', 'Registry user name'),
      secret('password', 'Registry password (never logged)'),
      text('email', 'E-mail address for the registry account', false),
      yesNo('link-builder', 'Also link the secret to the builder service account', 'yes'),
    ],
  }),
  entry({
    id: 'image-policy',
    kind: 'procedure',
    title: 'Restrict images with the ImagePolicy plugin',
    section: '7.3.6',
    guideLine: 1782,
    risk: 'high',
    summary: 'Adds ImagePolicy admission rules to every master configuration and restarts the API.',
    parameters: [
      text('allowed-registries', 'Registries images may come from (comma list)'),
      hostParam('host', 'master', 'Master to configure; default: every master', false),
    ],
  }),
  entry({
    id: 'import-allowlist',
    kind: 'procedure',
    title: 'Allow image imports from external registries',
    section: '7.3.7',
    guideLine: 1807,
    risk: 'high',
    summary:
      'Sets the registries allowed for image import on every master, restarts the control plane and gives the registry the trusted CAs.',
    parameters: [
      text('allowed-registries', "Registries allowed for import (comma list), e.g. '*.docker.io'"),
      text('ca-file', 'CA certificate of the external registry, on the bastion; default: none', false),
      hostParam('host', 'master', 'Master to configure; default: every master', false),
    ],
  }),
  entry({
    id: 'registry-project-connect',
    kind: 'procedure',
    title: 'Connect a project to a standalone registry',
    section: '7.3.8, 7.3.8.1',
    guideLine: 1848,
    risk: 'low',
    summary: 'Creates a service account with registry rights on the registry cluster and a pull secret from its token in a project.',
    parameters: [
      text('registry', 'Standalone registry server'),
      text('registry-project', 'Project on the registry cluster'),
      text('service-account', 'Service account to create there'),
      oneOf('access', 'pull: registry-viewer; push: registry-editor', ['pull', 'push'], 'pull'),
      text('registry-kubeconfig', 'kubeconfig of an oc login to the registry cluster; default: the current login', false),
      project('Project on this cluster that uses the registry'),
    ],
  }),

  // Chapter 8 — certificates
  entry({
    id: 'reencrypt-route',
    kind: 'procedure',
    title: 'Re-encrypt the metrics route with a CA-signed certificate',
    section: '8.1',
    guideLine: 1889,
    risk: 'high',
    summary: 'Replaces the self-signed Hawkular metrics route with a re-encrypt route using the wildcard certificate.',
    parameters: [
      text('key', 'Wildcard certificate key file on the bastion'),
      text('cert', 'Wildcard certificate file on the bastion'),
      text('ca-cert', 'CA certificate file of the wildcard certificate on the bastion'),
      text('hostname', "Route host name; default: the existing route's", false),
    ],
  }),
];

/** Every entry of the guide in its order: the built procedures from the registry, the rest from above. */
export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze([...NOT_BUILT, ...PROCEDURES.map((p) => p.entry)].sort(guideOrder));

const BY_ID: ReadonlyMap<string, CatalogueEntry> = new Map(CATALOGUE.map((e) => [e.id, e]));

/** The entry with this id, or undefined. */
export function findEntry(id: string): CatalogueEntry | undefined {
  return BY_ID.get(id);
}

export interface ChapterGroup {
  chapter: number;
  chapterTitle: string;
  entries: CatalogueEntry[];
}

/** The catalogue grouped by chapter, chapters ascending, entries in catalogue order. */
export function entriesByChapter(entries: readonly CatalogueEntry[] = CATALOGUE): ChapterGroup[] {
  const groups = new Map<number, ChapterGroup>();
  for (const e of entries) {
    let g = groups.get(e.chapter);
    if (!g) {
      g = { chapter: e.chapter, chapterTitle: e.chapterTitle, entries: [] };
      groups.set(e.chapter, g);
    }
    g.entries.push(e);
  }
  return [...groups.values()].sort((a, b) => a.chapter - b.chapter);
}

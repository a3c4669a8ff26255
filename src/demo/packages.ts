// The RPM packages of a DEMO host: what the host was built with (a RHEL 7.5 base and its OpenShift
// packages), plus what `yum install` added in this demo. `rpm -q`, `rpm -qa` and `yum install` answer
// from it, and so does whether a host has etcd's unit and etcdctl (the etcd RPM ships both).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_VERSIONS, type DemoCluster, type DemoHost } from './cluster.js';
import type { DemoAnswer, DemoContext } from './commands.js';
import { RNGD_UNIT, RNGD_UNIT_PATH } from './entropy.js';
import { ETCD_UNIT } from './host-files.js';
import { writeUnder } from './host-roots.js';
import { setOwner } from './owners.js';
import type { DemoStep } from './runner.js';

const ETCD_RPM = `etcd-${DEMO_VERSIONS.etcd}-1.el7.x86_64`;
const OCP = '3.10.45-1.git.0.2a6b3f1.el7.x86_64';

const isNode = (h: DemoHost | undefined): h is DemoHost =>
  h !== undefined && (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute');

/** What the host was built with (sorted, as `rpm -qa | sort`). */
export function seededPackages(h: DemoHost | undefined): string[] {
  const base = [
    'bash-4.2.46-30.el7.x86_64',
    'coreutils-8.22-21.el7.x86_64',
    'openssh-server-7.4p1-16.el7.x86_64',
    'chrony-3.2-2.el7.x86_64',
  ];
  if (h) base.push('iptables-services-1.4.21-24.el7.x86_64'); // openshift-ansible's os_firewall role, on every host
  if (isNode(h)) {
    base.push(`docker-${DEMO_VERSIONS.docker}-74.git6e3bb8e.el7.x86_64`, `atomic-openshift-node-${OCP}`);
    base.push(`atomic-openshift-${OCP}`, `atomic-openshift-clients-${OCP}`);
  }
  if (h?.etcdId) base.push(ETCD_RPM);
  if (h?.kind === 'lb') base.push('haproxy-1.5.18-7.el7.x86_64');
  return base.sort();
}

const ADDED = new WeakMap<DemoCluster, Map<string, string[]>>();

function added(c: DemoCluster, h: DemoHost): string[] {
  let m = ADDED.get(c);
  if (!m) ADDED.set(c, (m = new Map()));
  return m.get(h.name) ?? [];
}

/** What `rpm -qa` lists on the host now. */
export function demoPackages(c: DemoCluster, h: DemoHost | undefined): string[] {
  return h ? [...seededPackages(h), ...added(c, h)].sort() : seededPackages(h);
}

/** The installed package of that name (its name-version-release.arch), if any. */
export function installedPackage(c: DemoCluster, h: DemoHost | undefined, name: string): string | undefined {
  return demoPackages(c, h).find((p) => p.startsWith(`${name}-`) && /^\d/.test(p.slice(name.length + 1)));
}

/** `rpm -q NAME`: the package, or rpm's own words and exit 1. */
export function rpmQuery(c: DemoContext, name: string): DemoAnswer {
  const p = installedPackage(c.cluster, c.host, name);
  return p ? { out: p } : { out: `package ${name} is not installed`, code: 1 };
}

/** What the repositories offer to install (the demo's hosts are subscribed to rhel-7-server-ose-3.10-rpms and -extras). */
const AVAILABLE: Record<string, { rpm: string; repo: string; size: string; installed: string; files: (root: string) => void }> = {
  etcd: { rpm: ETCD_RPM, repo: 'rhel-7-server-extras-rpms', size: '9.8 M', installed: '43 M', files: etcdRpmFiles },
  'rng-tools': {
    rpm: 'rng-tools-6.3.1-3.el7.x86_64',
    repo: 'rhel-7-server-rpms',
    size: '39 k',
    installed: '95 k',
    files: (root) => writeUnder(root, RNGD_UNIT_PATH, RNGD_UNIT),
  },
};

/** What the etcd RPM puts on the host: its unit, the default etcd.conf (localhost only), /var/lib/etcd owned by etcd. */
function etcdRpmFiles(root: string): void {
  writeUnder(root, '/usr/lib/systemd/system/etcd.service', ETCD_UNIT);
  writeUnder(root, '/etc/etcd/etcd.conf', ETCD_RPM_CONF);
  mkdirSync(join(root, '/var/lib/etcd'), { recursive: true });
  setOwner(root, '/var/lib/etcd', 'etcd:etcd', false);
}

/** `yum install -y NAME…` as yum 3.4 prints it: installed already, installed now, or no such package. */
export function yumInstall(c: DemoContext, names: string[]): DemoAnswer {
  const h = c.host;
  if (!h) return { err: 'yum: the bastion is not a demo host', code: 1 };
  const header = 'Loaded plugins: product-id, search-disabled-repos, subscription-manager';
  const missing = names.filter((n) => !installedPackage(c.cluster, h, n) && !AVAILABLE[n]);
  const lines = [header];
  for (const n of names) {
    const p = installedPackage(c.cluster, h, n);
    if (p) lines.push(`Package ${p} already installed and latest version`);
  }
  for (const n of missing) lines.push(`No package ${n} available.`);
  const todo = names.filter((n) => !installedPackage(c.cluster, h, n) && AVAILABLE[n]);
  if (todo.length === 0) {
    if (missing.length) return { out: lines.join('\n'), err: 'Error: Nothing to do', code: 1 };
    return { out: [...lines, 'Nothing to do'].join('\n') };
  }
  const pkgs = todo.map((n) => ({ n, ...AVAILABLE[n]! }));
  const evr = (rpm: string, n: string) => rpm.slice(n.length + 1).replace(/\.x86_64$/, '');
  const row = (cols: string[]) => ` ${cols[0]!.padEnd(13)}${cols[1]!.padEnd(15)}${cols[2]!.padEnd(23)}${cols[3]!.padEnd(27)}${cols[4]}`;
  const rule = '='.repeat(80);
  lines.push(
    'Resolving Dependencies',
    '--> Running transaction check',
    ...pkgs.map((p) => `---> Package ${p.n}.x86_64 0:${evr(p.rpm, p.n)} will be installed`),
    '--> Finished Dependency Resolution',
    '',
    'Dependencies Resolved',
    '',
    rule,
    row(['Package', 'Arch', 'Version', 'Repository', 'Size']),
    rule,
    'Installing:',
    ...pkgs.map((p) => row([p.n, 'x86_64', evr(p.rpm, p.n), p.repo, p.size])),
    '',
    'Transaction Summary',
    rule,
    `Install  ${pkgs.length} Package${pkgs.length > 1 ? 's' : ''}`,
    '',
    `Total download size: ${pkgs[0]!.size}`,
    `Installed size: ${pkgs[0]!.installed}`,
    'Downloading packages:',
    ...pkgs.map((p) => `${`${p.rpm}.rpm`.padEnd(59)}| ${p.size}B  00:00:01`),
    'Running transaction check',
    'Running transaction test',
    'Transaction test succeeded',
    'Running transaction',
    ...pkgs.map((p, i) => `  Installing : ${p.rpm.padEnd(58)}${i + 1}/${pkgs.length}`),
    ...pkgs.map((p, i) => `  Verifying  : ${p.rpm.padEnd(58)}${i + 1}/${pkgs.length}`),
    '',
    'Installed:',
    `  ${pkgs.map((p) => `${p.n}.x86_64 0:${evr(p.rpm, p.n)}`).join(' ')}`,
    '',
    'Complete!',
  );
  const root = c.root;
  const install: DemoStep = {
    kind: 'effect',
    run: () => {
      const m = ADDED.get(c.cluster) ?? new Map<string, string[]>();
      ADDED.set(c.cluster, m);
      m.set(h.name, [...added(c.cluster, h), ...pkgs.map((p) => p.rpm)]);
      if (root) for (const p of pkgs) p.files(root);
    },
  };
  const out = lines.map((text): DemoStep => ({ kind: 'line', stream: 'stdout', text }));
  // the packages are there once yum prints "Installing"
  const at = out.findIndex((s) => s.kind === 'line' && s.text.startsWith('  Installing : '));
  return { steps: [...out.slice(0, at), install, ...out.slice(at)] };
}

/** The etcd RPM's /etc/etcd/etcd.conf (3.2): a one-member cluster on localhost. */
const ETCD_RPM_CONF = `#[Member]
#ETCD_CORS=""
ETCD_DATA_DIR="/var/lib/etcd/default.etcd"
#ETCD_WAL_DIR=""
#ETCD_LISTEN_PEER_URLS="http://localhost:2380"
ETCD_LISTEN_CLIENT_URLS="http://localhost:2379"
#ETCD_MAX_SNAPSHOTS="5"
#ETCD_MAX_WALS="5"
ETCD_NAME="default"
#ETCD_SNAPSHOT_COUNT="100000"
#ETCD_HEARTBEAT_INTERVAL="100"
#ETCD_ELECTION_TIMEOUT="1000"
#ETCD_QUOTA_BACKEND_BYTES="0"
#
#[Clustering]
#ETCD_INITIAL_ADVERTISE_PEER_URLS="http://localhost:2380"
ETCD_ADVERTISE_CLIENT_URLS="http://localhost:2379"
#ETCD_DISCOVERY=""
#ETCD_INITIAL_CLUSTER="default=http://localhost:2380"
#ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster"
#ETCD_INITIAL_CLUSTER_STATE="new"
#ETCD_STRICT_RECONFIG_CHECK="true"
#
#[Security]
#ETCD_CERT_FILE=""
#ETCD_KEY_FILE=""
#ETCD_CLIENT_CERT_AUTH="false"
#ETCD_TRUSTED_CA_FILE=""
#ETCD_PEER_CERT_FILE=""
#ETCD_PEER_KEY_FILE=""
#ETCD_PEER_CLIENT_CERT_AUTH="false"
#ETCD_PEER_TRUSTED_CA_FILE=""
`;

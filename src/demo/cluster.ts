// The simulated cluster behind the DemoRunner: facts per host derived (deterministically) from the
// inventory, and the text each simulated command prints. The shapes follow the guide's sample outputs
// (shared/seed, chapter 3) and what OCP 3.10 prints: oc/kubectl 1.10 columns, etcd 3.2.22, docker 1.13.1.
import type { Host, Inventory } from '../inventory/types.js';

export const DEMO_VERSIONS = {
  oc: 'v3.10.45',
  kubernetes: 'v1.10.0+b81c8f8',
  etcd: '3.2.22',
  docker: '1.13.1',
  kernel: '3.10.0-862.11.6.el7.x86_64',
  os: 'Red Hat Enterprise Linux Server 7.5 (Maipo)',
} as const;

/** The fixed "now" of the demo, so outputs are deterministic. */
export const DEMO_NOW = new Date('2018-10-04T09:12:43Z');

export type DemoHostKind = 'master' | 'infra' | 'compute' | 'lb' | 'other';

export interface DemoHost {
  host: Host;
  name: string;
  short: string;
  ip: string;
  kind: DemoHostKind;
  /** Position among hosts of the same kind. */
  index: number;
  /** Simulated as powered off: probe says unreachable, runs reject, `oc get nodes` says NotReady. */
  down: boolean;
  dockerDriver: 'overlay2' | 'devicemapper' | 'none';
  entropy: number;
  mac: string;
  /** The node's pod subnet (10.128.0.0/14 split into /23s), for pod IPs. */
  podPrefix: string;
  /** etcd member id (hex) when the host is in [etcd]. */
  etcdId?: string;
}

export interface DemoCluster {
  hosts: DemoHost[];
  etcd: DemoHost[];
  leader: DemoHost | undefined;
  clusterId: bigint;
  /** Name `hostname` prints on the bastion. */
  bastion: string;
  domain: string;
  registryIp: string;
}

/** FNV-1a: a stable number from a string, for every "random" detail of the demo. */
export function stableHash(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hex16(text: string): string {
  const a = stableHash(text, 0x811c9dc5).toString(16).padStart(8, '0');
  const b = stableHash(text, 0x1234567).toString(16).padStart(8, '0');
  const id = a + b;
  return id.startsWith('0') ? `8${id.slice(1)}` : id;
}

/** Lower-case hex digits from a seed. */
export function hexOf(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += stableHash(`${seed}:${i}`).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** A pod-name suffix like kubernetes makes (5 chars from its safe alphabet). */
export function podSuffix(seed: string, length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = stableHash(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length];
    h = stableHash(String(h), h ^ i);
  }
  return out;
}

function kindOf(h: Host): DemoHostKind {
  if (h.roles.includes('master')) return 'master';
  if (h.roles.includes('infra')) return 'infra';
  if (h.roles.includes('node')) return 'compute';
  if (h.roles.includes('lb')) return 'lb';
  return 'other';
}

export interface DemoClusterOptions {
  /** Hosts simulated as down. */
  down: readonly string[];
  /** Hosts whose docker still uses devicemapper (the docker-storage check warns). */
  devicemapper: readonly string[];
}

export function buildDemoCluster(inventory: Inventory, options: DemoClusterOptions): DemoCluster {
  const counters = new Map<DemoHostKind, number>();
  const hosts = inventory.hosts.map((host, i): DemoHost => {
    const kind = kindOf(host);
    const index = counters.get(kind) ?? 0;
    counters.set(kind, index + 1);
    const ip = host.openshift?.ip ?? (/^\d+\.\d+\.\d+\.\d+$/.test(host.address) ? host.address : `10.0.1.${i + 1}`);
    const hash = stableHash(host.name);
    const dh: DemoHost = {
      host,
      name: host.name,
      short: host.name.split('.')[0]!,
      ip,
      kind,
      index,
      down: options.down.includes(host.name),
      dockerDriver: kind === 'lb' || kind === 'other' ? 'none' : options.devicemapper.includes(host.name) ? 'devicemapper' : 'overlay2',
      entropy: 2000 + (hash % 1900),
      mac: `fa:16:3e:${[hash >>> 16, hash >>> 8, hash].map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':')}`,
      podPrefix: `10.${128 + Math.floor(i / 128)}.${(i % 128) * 2}`,
    };
    if (host.roles.includes('etcd')) dh.etcdId = hex16(`etcd-member:${host.name}`);
    return dh;
  });
  const etcd = hosts.filter((h) => h.etcdId !== undefined);
  const upEtcd = etcd.filter((h) => !h.down);
  const leader = upEtcd.length > etcd.length / 2 ? upEtcd[upEtcd.length - 1] : undefined;
  const anyName = hosts[0]?.name ?? 'bastion.example.com';
  const domain = anyName.includes('.') ? anyName.slice(anyName.indexOf('.') + 1) : 'example.com';
  return {
    hosts,
    etcd,
    leader,
    clusterId: BigInt(`0x${hex16(`cluster:${etcd.map((h) => h.name).join(',')}`)}`),
    bastion: `bastion.${domain}`,
    domain,
    registryIp: '172.30.150.7',
  };
}

// ---------------------------------------------------------------------------------------------------
// Formatting

/**
 * Columns the way kubectl 1.10 / Go's tabwriter prints them (minwidth 10, padding 3): every column but
 * the last is padded to max(width + 3, 10).
 */
export function tabwrite(rows: readonly (readonly string[])[], minWidth = 10, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(widths[i]! + padding, minWidth)))).join(''))
    .join('\n');
}

/** The +---+ tables etcdctl -w table prints (olekukonko/tablewriter: centred header, left cells). */
export function asciiTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const sep = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const centre = (s: string, w: number) => {
    const left = Math.ceil((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const line = (cells: readonly string[], fmt: (s: string, w: number) => string) =>
    `|${cells.map((c, i) => ` ${fmt(c, widths[i]!)} `).join('|')}|`;
  return [sep, line(header, centre), sep, ...rows.map((r) => line(r, (s, w) => s.padEnd(w))), sep].join('\n');
}

/** A duration the way Go prints it (1.823401ms, 925.5µs). */
export function tookMs(seed: string): string {
  const ns = 700_000 + (stableHash(seed) % 4_300_000);
  const trim = (n: number, unit: string) => `${n.toFixed(6).replace(/\.?0+$/, '')}${unit}`;
  return ns >= 1_000_000 ? trim(ns / 1_000_000, 'ms') : trim(ns / 1_000, 'µs');
}

// ---------------------------------------------------------------------------------------------------
// Host commands

export function timedatectlText(): string {
  const d = DEMO_NOW.toUTCString(); // "Thu, 04 Oct 2018 09:12:43 GMT"
  const [dow, day, mon, year, time] = d.replace(',', '').split(' ') as [string, string, string, string, string];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const iso = `${year}-${String(months.indexOf(mon) + 1).padStart(2, '0')}-${day}`;
  return [
    `      Local time: ${dow} ${iso} ${time} UTC`,
    `  Universal time: ${dow} ${iso} ${time} UTC`,
    `        RTC time: ${dow} ${iso} ${time}`,
    '       Time zone: Etc/UTC (UTC, +0000)',
    '     NTP enabled: yes',
    'NTP synchronized: yes',
    ' RTC in local TZ: no',
    '      DST active: n/a',
  ].join('\n');
}

interface DfRow {
  device: string;
  type: string;
  /** Size and used space in 1K blocks (what statfs gives df). */
  sizeK: number;
  usedK: number;
  mount: string;
}

/** The filesystems of a host, in mount order (sizes in KiB, as statfs reports them). */
export function dfRows(h: DemoHost | undefined): DfRow[] {
  const GiB = 1024 * 1024;
  const k = (gib: number) => Math.round(gib * GiB);
  const node = h?.kind === 'infra' || h?.kind === 'compute';
  const rows: DfRow[] = [];
  if (h?.kind === 'master') rows.push({ device: '/dev/sda1', type: 'xfs', sizeK: 47_161_344, usedK: 2_883_584, mount: '/' });
  else if (node && h.dockerDriver === 'devicemapper')
    // docker's thin pool is not mounted: /var/lib/docker shares the (bigger) root disk
    rows.push({ device: '/dev/sda1', type: 'xfs', sizeK: 52_402_180, usedK: 3_356_812, mount: '/' });
  else if (node) rows.push({ device: '/dev/sda1', type: 'xfs', sizeK: 26_202_116, usedK: 2_489_340, mount: '/' });
  else rows.push({ device: '/dev/sda1', type: 'xfs', sizeK: 20_960_236, usedK: 1_992_704, mount: '/' });
  const ram = 16_264_180; // kB, as `docker info` and the node's capacity say
  rows.push(
    { device: 'devtmpfs', type: 'devtmpfs', sizeK: Math.floor(ram / 2) - 1_024, usedK: 0, mount: '/dev' },
    { device: 'tmpfs', type: 'tmpfs', sizeK: Math.floor(ram / 2), usedK: 0, mount: '/dev/shm' },
    { device: 'tmpfs', type: 'tmpfs', sizeK: Math.floor(ram / 2), usedK: h?.kind === 'master' ? 64_388 : 150_316, mount: '/run' },
    { device: 'tmpfs', type: 'tmpfs', sizeK: Math.floor(ram / 2), usedK: 0, mount: '/sys/fs/cgroup' },
  );
  if (node && h.dockerDriver === 'overlay2')
    rows.push({
      device: '/dev/mapper/docker--vg-docker--root--lv',
      type: 'xfs',
      sizeK: k(25) - 10_240,
      usedK: 2_831_156,
      mount: '/var/lib/docker',
    });
  if (node)
    rows.push({ device: '/dev/sdc', type: 'xfs', sizeK: k(50) - 10_240, usedK: 33_328, mount: '/var/lib/origin/openshift.local.volumes' });
  rows.push({ device: 'tmpfs', type: 'tmpfs', sizeK: Math.floor(ram / 10), usedK: 0, mount: '/run/user/1000' });
  return rows;
}

/** df's -h: powers of 1024, rounded up, one decimal below 10 ("2.8G", "45G", "0"). */
export function dfHuman(bytes: number): string {
  if (bytes === 0) return '0';
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (v < 10) {
    const r = Math.ceil(v * 10) / 10;
    if (r < 10) return `${r.toFixed(1)}${units[i]}`;
  }
  const r = Math.ceil(v);
  if (r >= 1024 && i < units.length - 1) return `1.0${units[i + 1]}`;
  return `${r}${units[i]}`;
}

export interface DfOptions {
  /** -h */
  human?: boolean;
  /** -P: POSIX format (the header says Capacity; no line wrapping). */
  posix?: boolean;
  /** -T: a Type column. */
  type?: boolean;
  /** Block size in bytes (-B N, -k = 1024; default 1024). */
  blockSize?: number;
}

/**
 * `df` as coreutils 8.22 (RHEL 7) prints it: Filesystem and Type left-aligned, numbers (and their
 * headers) right-aligned, single spaces between columns, minimum widths 14/4/5/5/5/4.
 */
export function dfText(h: DemoHost | undefined, o: DfOptions = { human: true, type: true }): string {
  const bs = o.blockSize ?? 1024;
  const sizeHeader = o.human ? 'Size' : bs === 1024 ? (o.posix ? '1024-blocks' : '1K-blocks') : bs === 1 ? '1B-blocks' : `${bs}B-blocks`;
  const cell = (k: number) => (o.human ? dfHuman(k * 1024) : String(Math.ceil((k * 1024) / bs)));
  const header = [
    'Filesystem',
    ...(o.type ? ['Type'] : []),
    sizeHeader,
    'Used',
    o.human ? 'Avail' : 'Available',
    o.posix ? 'Capacity' : 'Use%',
    'Mounted on',
  ];
  const rows = dfRows(h).map((r) => {
    const availK = r.sizeK - r.usedK;
    const pct = r.usedK === 0 ? 0 : Math.ceil((100 * r.usedK) / (r.usedK + availK));
    return [r.device, ...(o.type ? [r.type] : []), cell(r.sizeK), cell(r.usedK), cell(availK), `${pct}%`, r.mount];
  });
  const min = [14, ...(o.type ? [4] : []), 5, 5, 5, 4, 0];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(min[i]!, ...all.map((r) => r[i]!.length)));
  const firstNumeric = o.type ? 2 : 1;
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : i >= firstNumeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' '))
    .join('\n');
}

export function dockerStorageText(h: DemoHost): string {
  return h.dockerDriver === 'devicemapper'
    ? 'DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs ' +
        '--storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool --storage-opt ' +
        'dm.use_deferred_removal=true --storage-opt dm.use_deferred_deletion=true "'
    : 'DOCKER_STORAGE_OPTIONS="--storage-driver overlay2 "';
}

/** `docker info` as docker 1.13.1 on RHEL 7.5 prints it; the WARNING lines go to stderr. */
export function dockerInfo(h: DemoHost): { out: string; err: string } {
  const containers = h.kind === 'master' ? 9 : h.kind === 'infra' ? 6 : 4;
  const storage =
    h.dockerDriver === 'devicemapper'
      ? [
          'Storage Driver: devicemapper',
          ' Pool Name: docker--vg-docker--pool',
          ' Pool Blocksize: 524.3 kB',
          ' Base Device Size: 10.74 GB',
          ' Backing Filesystem: xfs',
          ' Data file: ',
          ' Metadata file: ',
          ' Data Space Used: 3.158 GB',
          ' Data Space Total: 16.1 GB',
          ' Data Space Available: 12.94 GB',
          ' Metadata Space Used: 1.077 MB',
          ' Metadata Space Total: 20.97 MB',
          ' Metadata Space Available: 19.89 MB',
          ' Thin Pool Minimum Free Space: 1.61 GB',
          ' Udev Sync Supported: true',
          ' Deferred Removal Enabled: true',
          ' Deferred Deletion Enabled: true',
          ' Deferred Deleted Device Count: 0',
          ' Library Version: 1.02.146-RHEL7 (2018-01-22)',
        ]
      : ['Storage Driver: overlay2', ' Backing Filesystem: xfs', ' Supports d_type: true', ' Native Overlay Diff: true'];
  const out = [
    `Containers: ${containers}`,
    ` Running: ${containers - 1}`,
    ' Paused: 0',
    ' Stopped: 1',
    `Images: ${containers - 2}`,
    `Server Version: ${DEMO_VERSIONS.docker}`,
    ...storage,
    'Logging Driver: journald',
    'Cgroup Driver: systemd',
    'Plugins: ',
    ' Volume: local',
    ' Network: bridge host macvlan null overlay',
    ' Authorization: rhel-push-plugin',
    'Swarm: inactive',
    'Runtimes: docker-runc runc',
    'Default Runtime: docker-runc',
    'Init Binary: /usr/libexec/docker/docker-init-current',
    'containerd version:  (expected: aa8187dbd3b7ad67d8e5e3a15115d3eef43a7ed1)',
    'runc version: 5eda6f6fd0c2884c2c8e78a6e7119e8d0ecedb77 (expected: 9df8b306d01f59d3a8029be411de015b7304dd8f)',
    'init version: fec3683b971d9c3ef73f284f176672c44b448662 (expected: 949e6facb77383876aeff8a6944dde66b3089574)',
    'Security Options:',
    ' seccomp',
    "  WARNING: You're not using the default seccomp profile",
    '  Profile: /etc/docker/seccomp.json',
    ' selinux',
    `Kernel Version: ${DEMO_VERSIONS.kernel}`,
    `Operating System: ${DEMO_VERSIONS.os}`,
    'OSType: linux',
    'Architecture: x86_64',
    'Number of Docker Hooks: 3',
    'CPUs: 4',
    'Total Memory: 15.51 GiB',
    `Name: ${h.name}`,
    `ID: ${Array.from({ length: 12 }, (_, i) => podSuffix(`${h.name}:id:${i}`, 4).toUpperCase()).join(':')}`,
    'Docker Root Dir: /var/lib/docker',
    'Debug Mode (client): false',
    'Debug Mode (server): false',
    'Registry: https://registry.access.redhat.com/v1/',
    'Experimental: false',
    'Insecure Registries:',
    ' 127.0.0.0/8',
    'Live Restore Enabled: false',
    'Registries: registry.access.redhat.com (secure), docker.io (secure)',
  ];
  const err = ['WARNING: bridge-nf-call-iptables is disabled', 'WARNING: bridge-nf-call-ip6tables is disabled'];
  return { out: out.join('\n'), err: err.join('\n') };
}

interface Link {
  name: string;
  text: string;
}

export function ipLinks(h: DemoHost | undefined): Link[] {
  const mac = h?.mac ?? 'fa:16:3e:00:00:01';
  const links: Link[] = [
    {
      name: 'lo',
      text:
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group ' +
        'default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    },
    {
      name: 'eth0',
      text:
        `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode ` +
        `DEFAULT group default qlen 1000\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    },
  ];
  if (h && (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute')) {
    const m2 = mac.replace(/^fa:16:3e/, '4e:3a:91');
    links.push(
      {
        name: 'docker0',
        text:
          '3: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode ' +
          'DEFAULT group default \n    link/ether 02:42:6b:1d:8e:4c brd ff:ff:ff:ff:ff:ff',
      },
      {
        name: 'ovs-system',
        text:
          `4: ovs-system: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group ` +
          `default qlen 1000\n    link/ether ${m2} brd ff:ff:ff:ff:ff:ff`,
      },
      {
        name: 'br0',
        text:
          '5: br0: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default ' +
          'qlen 1000\n    link/ether 7a:c4:5e:2b:90:41 brd ff:ff:ff:ff:ff:ff',
      },
      {
        name: 'vxlan_sys_4789',
        text:
          '6: vxlan_sys_4789: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65000 qdisc noqueue master ' +
          'ovs-system state UNKNOWN mode DEFAULT group default qlen 1000\n' +
          '    link/ether 5e:0f:1b:73:a2:9d brd ff:ff:ff:ff:ff:ff',
      },
      {
        name: 'tun0',
        text:
          '7: tun0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode ' +
          'DEFAULT group default qlen 1000\n    link/ether 2e:88:d7:0c:41:fa brd ff:ff:ff:ff:ff:ff',
      },
    );
  }
  return links;
}

/** `ip -o link`: each link on one line, its continuation lines joined with a backslash. */
export function ipLinksOneLine(h: DemoHost | undefined): Link[] {
  return ipLinks(h).map((l) => ({ name: l.name, text: l.text.replace(/ ?\n/g, '\\') }));
}

function isNodeHost(h: DemoHost | undefined): h is DemoHost {
  return h !== undefined && (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute');
}

/** The address a host's default route goes through (.253 of its /24). */
export function gatewayOf(h: DemoHost | undefined): string {
  return `${(h?.ip ?? '10.0.0.1').split('.').slice(0, 3).join('.')}.253`;
}

/** fe80:: address from a MAC (modified EUI-64). */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  b[0] = b[0]! ^ 0x02;
  const g = (x: number, y: number) => ((x << 8) | y).toString(16);
  return `fe80::${g(b[0]!, b[1]!)}:${g(b[2]!, 0xff)}:${g(0xfe, b[3]!)}:${g(b[4]!, b[5]!)}`;
}

/** `ip addr` (`oneline`: `ip -o addr`), IPv4 only with `family` 4. */
export function ipAddrText(h: DemoHost | undefined, opts: { oneline?: boolean; family?: 4 | 6; dev?: string } = {}): string | undefined {
  const ip = h?.ip ?? '10.0.0.254';
  const net = ip.split('.').slice(0, 3).join('.');
  const mac = h?.mac ?? 'fa:16:3e:00:00:01';
  type Addr = { family: 4 | 6; text: string };
  const addrs = new Map<string, Addr[]>();
  const forever = 'valid_lft forever preferred_lft forever';
  addrs.set('lo', [
    { family: 4, text: 'inet 127.0.0.1/8 scope host lo' },
    { family: 6, text: 'inet6 ::1/128 scope host ' },
  ]);
  addrs.set('eth0', [
    { family: 4, text: `inet ${ip}/24 brd ${net}.255 scope global eth0` },
    { family: 6, text: `inet6 ${linkLocal(mac)}/64 scope link ` },
  ]);
  if (isNodeHost(h)) {
    addrs.set('docker0', [{ family: 4, text: 'inet 172.17.0.1/16 scope global docker0' }]);
    const [a, b, c] = h.podPrefix.split('.');
    addrs.set('tun0', [
      { family: 4, text: `inet ${a}.${b}.${c}.1/23 brd ${a}.${b}.${Number(c) + 1}.255 scope global tun0` },
      { family: 6, text: `inet6 ${linkLocal(`2e:88:d7:0c:${h.mac.slice(-5)}`)}/64 scope link ` },
    ]);
  }
  const links = ipLinks(h);
  if (opts.dev !== undefined && !links.some((l) => l.name === opts.dev)) return undefined;
  const lines: string[] = [];
  for (const l of links) {
    if (opts.dev !== undefined && l.name !== opts.dev) continue;
    const idx = l.text.split(':')[0]!;
    const mine = (addrs.get(l.name) ?? []).filter((a) => opts.family === undefined || a.family === opts.family);
    if (opts.oneline) {
      for (const a of mine) lines.push(`${idx}: ${l.name}    ${a.text}\\       ${forever}`);
      continue;
    }
    if (opts.family !== undefined && mine.length === 0) continue;
    const [first, second] = l.text.split('\n');
    lines.push(first!.replace(' mode DEFAULT', ''));
    if (opts.family === undefined) lines.push(second!);
    for (const a of mine) lines.push(`    ${a.text}`, `       ${forever}`);
  }
  return lines.join('\n');
}

/** `ip route` (the whole table, or only the default route). */
export function ipRouteText(h: DemoHost | undefined, onlyDefault: boolean): string {
  const ip = h?.ip ?? '10.0.0.254';
  const net = ip.split('.').slice(0, 3).join('.');
  const lines = [`default via ${gatewayOf(h)} dev eth0 proto static metric 100 `];
  if (onlyDefault) return lines[0]!;
  lines.push(`${net}.0/24 dev eth0 proto kernel scope link src ${ip} metric 100 `);
  if (isNodeHost(h))
    lines.push(
      '10.128.0.0/14 dev tun0 scope link ',
      '172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 ',
      '172.30.0.0/16 dev tun0 ',
    );
  return lines.join('\n');
}

/** /etc/origin/node/node-config.yaml as OCP 3.10 writes it from the node group's config map. */
export function nodeConfigYaml(h: DemoHost): string {
  const role = h.kind === 'master' ? 'master' : h.kind === 'infra' ? 'infra' : 'compute';
  return [
    'allowDisabledDocker: false',
    'apiVersion: v1',
    'authConfig:',
    '  authenticationCacheSize: 1000',
    '  authenticationCacheTTL: 5m',
    '  authorizationCacheSize: 1000',
    '  authorizationCacheTTL: 5m',
    'dnsBindAddress: 127.0.0.1:53',
    'dnsDomain: cluster.local',
    'dnsIP: 0.0.0.0',
    'dnsNameservers: null',
    'dnsRecursiveResolvConf: /etc/origin/node/resolv.conf',
    'dockerConfig:',
    '  dockerShimRootDirectory: /var/lib/dockershim',
    '  dockerShimSocket: /var/run/dockershim.sock',
    '  execHandlerName: native',
    'enableUnidling: true',
    'imageConfig:',
    '  format: registry.access.redhat.com/openshift3/ose-${component}:${version}',
    '  latest: false',
    'iptablesSyncPeriod: 30s',
    'kind: NodeConfig',
    'kubeletArguments:',
    '  bootstrap-kubeconfig:',
    '  - /etc/origin/node/bootstrap.kubeconfig',
    '  cert-dir:',
    '  - /etc/origin/node/certificates',
    '  enable-controller-attach-detach:',
    "  - 'true'",
    '  feature-gates:',
    '  - RotateKubeletClientCertificate=true,RotateKubeletServerCertificate=true',
    '  node-labels:',
    `  - node-role.kubernetes.io/${role}=true`,
    '  pod-manifest-path:',
    '  - /etc/origin/node/pods',
    '  rotate-certificates:',
    "  - 'true'",
    'masterClientConnectionOverrides:',
    '  acceptContentTypes: application/vnd.kubernetes.protobuf,application/json',
    '  burst: 40',
    '  contentType: application/vnd.kubernetes.protobuf',
    '  qps: 20',
    'masterKubeConfig: node.kubeconfig',
    'networkConfig:',
    '  mtu: 1450',
    '  networkPluginName: redhat/openshift-ovs-subnet',
    'servingInfo:',
    '  bindAddress: 0.0.0.0:10250',
    '  bindNetwork: tcp4',
    '  clientCA: client-ca.crt',
    'proxyArguments:',
    '  cluster-cidr:',
    '  - 10.128.0.0/14',
    'volumeConfig:',
    '  localQuota:',
    '    perFSGroup: null',
    'volumeDirectory: /var/lib/origin/openshift.local.volumes',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The network: who listens where, name resolution

/** TCP ports a host listens on. */
export function listeningPorts(h: DemoHost): number[] {
  const ports = [22];
  if (isNodeHost(h)) ports.push(53, 10250, 10256);
  if (h.kind === 'master') ports.push(8443, 8444, 8053);
  if (h.etcdId) ports.push(2379, 2380);
  if (h.kind === 'infra') ports.push(80, 443, 1936);
  if (h.kind === 'lb') ports.push(80, 443, 8443, 9000);
  return ports;
}

export type TcpResult = { ok: true; ip: string } | { ok: false; ip?: string; reason: string };

function lbHost(c: DemoCluster): DemoHost | undefined {
  return c.hosts.find((h) => h.kind === 'lb');
}

/**
 * The IPv4 address a name resolves to from `from` (undefined: the bastion): cluster hosts, the
 * console names and the *.apps wildcard (the lb), and — on nodes, through dnsmasq → SkyDNS — services
 * (`svc.ns.svc[.cluster.local]`).
 */
export function resolveName(c: DemoCluster, from: DemoHost | undefined, name: string): string | undefined {
  const n = name.replace(/\.$/, '').toLowerCase();
  if (/^\d+\.\d+\.\d+\.\d+$/.test(n)) return n;
  if (n === 'localhost') return '127.0.0.1';
  const h = c.hosts.find((x) => x.name === n || x.short === n);
  if (h) return h.ip;
  const lb = lbHost(c)?.ip ?? c.hosts.find((x) => x.kind === 'master')?.ip;
  if (n === `console.${c.domain}` || n === `console-int.${c.domain}` || n.endsWith(`.apps.${c.domain}`) || n === `apps.${c.domain}`)
    return lb;
  const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(n);
  if (svc && isNodeHost(from)) return defaultServices(c).find((s) => s.name === svc[1] && svc[2] === 'default')?.clusterIP;
  return undefined;
}

/** A TCP connect from `from` to addr:port. A down host does not answer ARP: "No route to host". */
export function tcpConnect(c: DemoCluster, from: DemoHost | undefined, addr: string, port: number): TcpResult {
  const ip = resolveName(c, from, addr);
  if (!ip) return { ok: false, reason: 'Name or service not known' };
  if (ip.startsWith('127.')) {
    if (!from) return port === 22 ? { ok: true, ip } : { ok: false, ip, reason: 'Connection refused' };
    return listeningPorts(from).includes(port) ? { ok: true, ip } : { ok: false, ip, reason: 'Connection refused' };
  }
  const svc = defaultServices(c).find((s) => s.clusterIP === ip);
  if (svc) return isNodeHost(from) && svc.ports.includes(port) ? { ok: true, ip } : { ok: false, ip, reason: 'Connection timed out' };
  const h = c.hosts.find((x) => x.ip === ip);
  if (!h) return { ok: false, ip, reason: 'Connection timed out' };
  if (h.down) return { ok: false, ip, reason: 'No route to host' };
  return listeningPorts(h).includes(port) ? { ok: true, ip } : { ok: false, ip, reason: 'Connection refused' };
}

/** The services of project default. */
export function defaultServices(c: DemoCluster): { name: string; clusterIP: string; ports: number[]; portsText: string }[] {
  return [
    { name: 'docker-registry', clusterIP: c.registryIp, ports: [5000], portsText: '5000/TCP' },
    { name: 'kubernetes', clusterIP: '172.30.0.1', ports: [443, 53], portsText: '443/TCP,53/UDP,53/TCP' },
    { name: 'registry-console', clusterIP: '172.30.81.196', ports: [9000], portsText: '9000/TCP' },
    { name: 'router', clusterIP: '172.30.203.122', ports: [80, 443, 1936], portsText: '80/TCP,443/TCP,1936/TCP' },
  ];
}

// ---------------------------------------------------------------------------------------------------
// etcd

export function clientUrl(h: DemoHost): string {
  return `https://${h.ip}:2379`;
}
export function peerUrl(h: DemoHost): string {
  return `https://${h.ip}:2380`;
}

// etcd's answers (member lists, health, status) read the cluster's etcd state: see etcd.ts

// ---------------------------------------------------------------------------------------------------
// oc

const AGE = '41d';

/** Nodes cordoned or uncordoned during this demo session (oc adm manage-node, oc adm drain): name → unschedulable. */
const UNSCHEDULABLE = new WeakMap<DemoCluster, Map<string, boolean>>();

/** Is the node cordoned now? (Masters are, from the install, until someone says otherwise.) */
export function demoUnschedulable(c: DemoCluster, h: DemoHost): boolean {
  return UNSCHEDULABLE.get(c)?.get(h.name) ?? h.kind === 'master';
}

export function setDemoUnschedulable(c: DemoCluster, name: string, unschedulable: boolean): void {
  let m = UNSCHEDULABLE.get(c);
  if (!m) UNSCHEDULABLE.set(c, (m = new Map()));
  m.set(name, unschedulable);
}

/** Nodes deleted during this demo session (oc delete node): they are no longer listed. */
const DELETED = new WeakMap<DemoCluster, Set<string>>();

export function demoNodeDeleted(c: DemoCluster, name: string): boolean {
  return DELETED.get(c)?.has(name) ?? false;
}

export function deleteDemoNode(c: DemoCluster, name: string): void {
  let s = DELETED.get(c);
  if (!s) DELETED.set(c, (s = new Set()));
  s.add(name);
}

/** The cluster's nodes now: the masters, infra and compute hosts, less those deleted. */
export function nodes(c: DemoCluster): DemoHost[] {
  return c.hosts.filter((h) => (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute') && !demoNodeDeleted(c, h.name));
}

function nodeRole(h: DemoHost): string {
  return h.kind === 'master' ? 'master' : h.kind === 'infra' ? 'infra' : 'compute';
}

export function ocGetNodes(c: DemoCluster, wide: boolean): string {
  const header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'];
  if (wide) header.push('EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME');
  const rows = nodes(c).map((h) => {
    const status = (h.down ? 'NotReady' : 'Ready') + (demoUnschedulable(c, h) ? ',SchedulingDisabled' : '');
    const row = [h.name, status, nodeRole(h), AGE, DEMO_VERSIONS.kubernetes];
    if (wide) row.push('<none>', DEMO_VERSIONS.os, DEMO_VERSIONS.kernel, `docker://${DEMO_VERSIONS.docker}`);
    return row;
  });
  return tabwrite([header, ...rows]);
}

export function ocGetNodesJson(c: DemoCluster): string {
  const items = nodes(c).map((h) => {
    const ready = h.down
      ? {
          type: 'Ready',
          status: 'Unknown',
          lastHeartbeatTime: '2018-10-04T08:41:07Z',
          lastTransitionTime: '2018-10-04T08:41:51Z',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        }
      : {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: '2018-10-04T09:12:40Z',
          lastTransitionTime: '2018-08-24T11:02:19Z',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        annotations: {
          'node.openshift.io/md5sum': hexOf(`md5:${h.name}`, 32),
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
        creationTimestamp: '2018-08-24T10:58:02Z',
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/hostname': h.name,
          [`node-role.kubernetes.io/${nodeRole(h)}`]: 'true',
          ...(h.kind === 'infra' ? { region: 'infra' } : h.kind === 'compute' ? { region: 'primary' } : {}),
        },
        name: h.name,
        resourceVersion: String(5_812_000 + (stableHash(h.name) % 9999)),
        selfLink: `/api/v1/nodes/${h.name}`,
        uid: `${hexOf(`uid:${h.name}`, 8)}-a7a1-11e8-9b3e-${h.mac.replace(/:/g, '')}`,
      },
      spec: { externalID: h.name, ...(demoUnschedulable(c, h) ? { unschedulable: true } : {}) },
      status: {
        addresses: [
          { address: h.ip, type: 'InternalIP' },
          { address: h.name, type: 'Hostname' },
        ],
        allocatable: { cpu: '4', memory: '15833140Ki', pods: '250' },
        capacity: { cpu: '4', memory: '16264180Ki', pods: '250' },
        conditions: [
          { type: 'OutOfDisk', status: h.down ? 'Unknown' : 'False', reason: h.down ? 'NodeStatusUnknown' : 'KubeletHasSufficientDisk' },
          {
            type: 'MemoryPressure',
            status: h.down ? 'Unknown' : 'False',
            reason: h.down ? 'NodeStatusUnknown' : 'KubeletHasSufficientMemory',
          },
          { type: 'DiskPressure', status: h.down ? 'Unknown' : 'False', reason: h.down ? 'NodeStatusUnknown' : 'KubeletHasNoDiskPressure' },
          ready,
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          containerRuntimeVersion: `docker://${DEMO_VERSIONS.docker}`,
          kernelVersion: DEMO_VERSIONS.kernel,
          kubeProxyVersion: DEMO_VERSIONS.kubernetes,
          kubeletVersion: DEMO_VERSIONS.kubernetes,
          operatingSystem: 'linux',
          osImage: DEMO_VERSIONS.os,
        },
      },
    };
  });
  return JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '', selfLink: '' } }, null, 4);
}

export function ocGetStorageClass(): string {
  return tabwrite([
    ['NAME', 'PROVISIONER', 'AGE'],
    ['ssd', 'kubernetes.io/gce-pd', AGE],
    ['standard (default)', 'kubernetes.io/gce-pd', AGE],
  ]);
}

function infra(c: DemoCluster): DemoHost[] {
  return c.hosts.filter((h) => h.kind === 'infra');
}

export function ocGetDc(c: DemoCluster, name: 'router' | 'docker-registry'): string {
  const n = String(infra(c).length);
  return tabwrite([
    ['NAME', 'REVISION', 'DESIRED', 'CURRENT', 'TRIGGERED BY'],
    [name, '1', n, n, 'config'],
  ]);
}

export function ocGetPodsDefault(c: DemoCluster, wide: boolean): string {
  const rows: string[][] = [];
  const inf = infra(c);
  for (const [i, h] of inf.entries())
    rows.push([`docker-registry-1-${podSuffix(`registry:${h.name}`)}`, '1/1', 'Running', '0', AGE, `${h.podPrefix}.${4 + i}`, h.name]);
  const rc = inf[1] ?? inf[0];
  if (rc) rows.push([`registry-console-1-${podSuffix(`console:${rc.name}`)}`, '1/1', 'Running', '0', AGE, `${rc.podPrefix}.9`, rc.name]);
  for (const h of inf) rows.push([`router-1-${podSuffix(`router:${h.name}`)}`, '1/1', 'Running', '0', AGE, h.ip, h.name]);
  rows.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE'];
  return tabwrite([wide ? header : header.slice(0, 5), ...rows.map((r) => (wide ? r : r.slice(0, 5)))]);
}

/** `oc get svc -n default` (all of them, or the one named). undefined: no such service. */
export function ocGetSvcDefault(c: DemoCluster, name?: string): string | undefined {
  const rows = defaultServices(c)
    .filter((s) => name === undefined || s.name === name)
    .map((s) => [s.name, 'ClusterIP', s.clusterIP, '<none>', s.portsText, AGE]);
  if (rows.length === 0) return undefined;
  return tabwrite([['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ...rows]);
}

export function ocGetSvcRegistry(c: DemoCluster): string {
  return ocGetSvcDefault(c, 'docker-registry')!;
}

export function controllersLeaderJson(c: DemoCluster): string {
  const m = c.hosts.find((h) => h.kind === 'master' && !h.down && h.index === 1) ?? c.hosts.find((h) => h.kind === 'master');
  const holder = `master-${m?.name ?? 'master'}-${m?.ip ?? '10.0.0.1'}-${podSuffix('controllers', 8)}`;
  // the leader renews its lease every few seconds: renewTime is the last whole second (a fixed time would be a stale lease)
  const renewTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const leader = JSON.stringify({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: '2018-09-30T18:16:54Z',
    renewTime,
    leaderTransitions: 4,
  });
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        annotations: { 'control-plane.alpha.kubernetes.io/leader': leader },
        creationTimestamp: '2018-08-24T10:55:04Z',
        name: 'openshift-master-controllers',
        namespace: 'kube-system',
        resourceVersion: '5817662',
        selfLink: '/api/v1/namespaces/kube-system/configmaps/openshift-master-controllers',
        uid: '08636843-a7a1-11e8-8580-fa163eb934f0',
      },
    },
    null,
    4,
  );
}

export function masterApiStatus(h: DemoHost): string {
  return [
    '● atomic-openshift-master-api.service - Atomic OpenShift Master API',
    '   Loaded: loaded (/usr/lib/systemd/system/atomic-openshift-master-api.service; enabled; vendor preset: disabled)',
    '   Active: active (running) since Mon 2018-08-24 11:40:19 UTC; 1 months 10 days ago',
    '     Docs: https://github.com/openshift/origin',
    ' Main PID: 30047 (openshift)',
    '   Memory: 412.0M',
    '   CGroup: /system.slice/atomic-openshift-master-api.service',
    '           └─30047 /usr/bin/openshift start master api --config=/etc/origin/master/ma...',
    '',
    `Oct 04 09:12:40 ${h.short} atomic-openshift-master-api[30047]: I1004 09:12:40.85... `,
  ].join('\n');
}

export function registryCurlVerbose(host: string, ip: string): string {
  return curlVerboseText({
    host,
    ip,
    port: 5000,
    path: '/healthz',
    insecure: false,
    cert: { subject: `CN=${ip}`, commonName: ip },
    response: registryHealthz(),
  });
}

export interface HttpResponse {
  status: number;
  reason: string;
  headers: string[];
  body: string;
}

const HTTP_DATE = 'Thu, 04 Oct 2018 09:12:43 GMT';

function registryHealthz(): HttpResponse {
  return {
    status: 200,
    reason: 'OK',
    headers: ['Cache-Control: no-cache', `Date: ${HTTP_DATE}`, 'Content-Length: 0', 'Content-Type: text/plain; charset=utf-8'],
    body: '',
  };
}

function textResponse(
  status: number,
  reason: string,
  body: string,
  type = 'text/plain; charset=utf-8',
  extra: string[] = [],
): HttpResponse {
  return {
    status,
    reason,
    headers: [
      'Cache-Control: no-store',
      `Content-Type: ${type}`,
      `Date: ${HTTP_DATE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...extra,
    ],
    body,
  };
}

/** What curl -v prints on stderr for one HTTPS (or HTTP) request, as curl 7.29 (NSS) on RHEL 7 does. */
export function curlVerboseText(o: {
  host: string;
  ip: string;
  port: number;
  path: string;
  https?: boolean;
  insecure: boolean;
  cert: { subject: string; commonName: string };
  response: HttpResponse;
}): string {
  const https = o.https ?? true;
  const lines = [
    `* About to connect() to ${o.host} port ${o.port} (#0)`,
    `*   Trying ${o.ip}...`,
    `* Connected to ${o.host} (${o.ip}) port ${o.port} (#0)`,
  ];
  if (https) {
    lines.push('* Initializing NSS with certpath: sql:/etc/pki/nssdb');
    if (o.insecure) lines.push('* skipping SSL peer certificate verification');
    else lines.push('*   CAfile: /etc/pki/tls/certs/ca-bundle.crt', '  CApath: none');
    lines.push(
      '* SSL connection using TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      '* Server certificate:',
      `* \tsubject: ${o.cert.subject}`,
      '* \tstart date: Aug 24 10:30:10 2018 GMT',
      '* \texpire date: Aug 23 10:30:11 2020 GMT',
      `* \tcommon name: ${o.cert.commonName}`,
      '* \tissuer: CN=openshift-signer@1535106609',
    );
  }
  const defaultPort = https ? 443 : 80;
  lines.push(
    `> GET ${o.path} HTTP/1.1`,
    '> User-Agent: curl/7.29.0',
    `> Host: ${o.host}${o.port === defaultPort ? '' : `:${o.port}`}`,
    '> Accept: */*',
    '> ',
  );
  lines.push(`< HTTP/1.1 ${o.response.status} ${o.response.reason}`, ...o.response.headers.map((h) => `< ${h}`), '< ');
  if (o.response.body) lines.push('{ [data not shown]');
  lines.push(`* Connection #0 to host ${o.host} left intact`);
  return lines.join('\n');
}

export interface CurlRequest {
  url: string;
  verbose: boolean;
  insecure: boolean;
  silent: boolean;
  showError: boolean;
}

/**
 * One curl request to the simulated cluster from `from` (undefined: the bastion): the API (masters and
 * the lb on 8443), the registry service (5000, from nodes), the routers behind the lb (the registry
 * route answers, other names get the router's 503). stdout is the body, stderr the -v trace.
 */
export function curlAnswer(c: DemoCluster, from: DemoHost | undefined, req: CurlRequest): { out: string; err: string; code: number } {
  const u = /^(https?):\/\/([^/:]+)(?::(\d+))?(\/[^?#]*)?/.exec(req.url);
  const fail = (code: number, msg: string, trace: string[] = []) => ({
    out: '',
    err: [...(req.verbose ? trace : []), ...(req.silent && !req.showError ? [] : [`curl: (${code}) ${msg}`])].join('\n'),
    code,
  });
  if (!u) return fail(3, '<url> malformed');
  const https = u[1] === 'https';
  const host = u[2]!;
  const port = Number(u[3] ?? (https ? 443 : 80));
  const path = u[4] ?? '/';
  const conn = tcpConnect(c, from, host, port);
  if (!conn.ok && !conn.ip)
    return fail(6, `Could not resolve host: ${host}; Name or service not known`, [
      `* Could not resolve host: ${host}; Name or service not known`,
      '* Closing connection 0',
    ]);
  const about = [`* About to connect() to ${host} port ${port} (#0)`, `*   Trying ${conn.ip}...`];
  if (!conn.ok) {
    const msg = `Failed connect to ${host}:${port}; ${conn.reason}`;
    return fail(7, msg, [...about, `* ${conn.reason}`, `* ${msg}`, '* Closing connection 0']);
  }
  const ip = conn.ip;
  const target = c.hosts.find((h) => h.ip === ip);
  let response: HttpResponse;
  let cert: { subject: string; commonName: string };
  if (ip === c.registryIp && port === 5000) {
    cert = { subject: `CN=${c.registryIp}`, commonName: c.registryIp };
    response = path === '/healthz' ? registryHealthz() : textResponse(404, 'Not Found', '404 page not found\n');
  } else if (port === 8443 || (port === 443 && ip === '172.30.0.1')) {
    cert = {
      subject: `CN=${target?.kind === 'master' ? target.ip : `console-int.${c.domain}`}`,
      commonName: target?.kind === 'master' ? target.ip : `console-int.${c.domain}`,
    };
    if (/^\/healthz(\/.*)?$/.test(path)) response = textResponse(200, 'OK', 'ok');
    else if (path === '/version') response = textResponse(200, 'OK', versionJson(), 'application/json');
    else
      response = textResponse(
        403,
        'Forbidden',
        JSON.stringify(
          {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `forbidden: User "system:anonymous" cannot get path "${path}": no RBAC policy matched`,
            reason: 'Forbidden',
            details: {},
            code: 403,
          },
          null,
          2,
        ),
        'application/json',
      );
  } else if ((target?.kind === 'lb' || target?.kind === 'infra') && (port === 443 || port === 80)) {
    // the routers (through the lb): a route for the registry, the router's 503 page for any other name
    cert = { subject: `CN=*.apps.${c.domain}`, commonName: `*.apps.${c.domain}` };
    if (host === `docker-registry-default.apps.${c.domain}` && https)
      response =
        path === '/healthz'
          ? {
              ...registryHealthz(),
              headers: [
                ...registryHealthz().headers,
                `Set-Cookie: ${hexOf('route:docker-registry', 32)}=` +
                  `${hexOf(`backend:${from?.name ?? 'bastion'}`, 32)}; path=/; HttpOnly; Secure`,
              ],
            }
          : textResponse(404, 'Not Found', '404 page not found\n');
    else
      response = {
        status: 503,
        reason: 'Service Unavailable',
        headers: [
          'Pragma: no-cache',
          'Cache-Control: private, max-age=0, no-cache, no-store',
          'Connection: close',
          'Content-Type: text/html',
        ],
        body:
          '<html>\n  <head>\n    <title>Application is not available</title>\n  </head>\n  <body>\n' +
          '    <h1>Application is not available</h1>\n    <p>The application is currently not ' +
          'serving requests at this endpoint. It may not have been started or is still ' +
          'starting.</p>\n  </body>\n</html>',
      };
  } else {
    return fail(7, `Failed connect to ${host}:${port}; Connection refused`, [
      ...about,
      '* Connection refused',
      `* Failed connect to ${host}:${port}; Connection refused`,
      '* Closing connection 0',
    ]);
  }
  // the OpenShift CA is in the trust store of the cluster hosts (openshift-ansible puts it there), not on the bastion
  if (https && !req.insecure && from === undefined) {
    const msg = "Peer's Certificate issuer is not recognized.";
    return fail(60, `${msg}\nMore details here: http://curl.haxx.se/docs/sslcerts.html`, [
      ...about,
      `* Connected to ${host} (${ip}) port ${port} (#0)`,
      '* Initializing NSS with certpath: sql:/etc/pki/nssdb',
      '*   CAfile: /etc/pki/tls/certs/ca-bundle.crt',
      '  CApath: none',
      `* Server certificate:`,
      `* \tsubject: ${cert.subject}`,
      '* \tissuer: CN=openshift-signer@1535106609',
      '* NSS error -8179 (SEC_ERROR_UNKNOWN_ISSUER)',
      `* ${msg}`,
      '* Closing connection 0',
    ]);
  }
  return {
    out: response.body,
    err: req.verbose ? curlVerboseText({ host, ip, port, path, https, insecure: req.insecure, cert, response }) : '',
    code: 0,
  };
}

export function versionJson(): string {
  return JSON.stringify(
    {
      major: '1',
      minor: '10+',
      gitVersion: DEMO_VERSIONS.kubernetes,
      gitCommit: 'b81c8f8',
      gitTreeState: 'clean',
      buildDate: '2018-09-21T11:05:23Z',
      goVersion: 'go1.9.4',
      compiler: 'gc',
      platform: 'linux/amd64',
    },
    null,
    2,
  );
}

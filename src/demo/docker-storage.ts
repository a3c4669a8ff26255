// The DEMO cluster's disks, LVM and docker storage, per host, so that the docker storage procedures
// (7.1.2 docker-storage-expand, 7.1.3 docker-storage-overlay2) can be rehearsed: lsblk, findmnt,
// mountpoint, umount, the LVM reports (vgs / lvs / pvs with the flags the procedures send, or their
// default tables), lvremove / vgremove / pvremove / pvcreate / vgcreate / vgextend / lvextend, wipefs,
// docker-storage-setup (reading the host's /etc/sysconfig/docker-storage-setup, writing its
// /etc/sysconfig/docker-storage), docker and the node service stopped and started by systemctl, and
// `docker info` reporting the driver docker started with. The formats and messages are the lab's shims'
// (test/lab/shims/_lvm.sh and friends: LVM2 2.02.177, util-linux 2.23, container-storage-setup 0.8 on
// RHEL 7.5), which the procedures are tested against.
//
// Each node starts as openshift-ansible leaves it: the root disk /dev/sda, docker's disk /dev/xvdb with
// one partition, a PV of volume group docker-vg — a thin pool docker-pool on the devicemapper node
// (app-node-1), else an LV docker-root-lv mounted on /var/lib/docker — /dev/sdc for the node's volumes,
// and on application nodes a free disk /dev/xvdc (what docker-storage-expand adds).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DemoCluster, DemoHost } from './cluster.js';
import type { DemoAnswer, DemoCommand, DemoContext } from './commands.js';
import { pathsOutOf } from './host-roots.js';
import { nodeServiceStarted } from './node-config-maps.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const EXTENT = 4 * MIB;

interface Disk {
  name: string;
  type: 'disk' | 'part';
  size: number;
  /** '' for a whole disk. */
  parent: string;
  /** A filesystem made on the device itself (not LVM). */
  fs?: string;
}
interface Pv {
  name: string;
  /** '' for a PV in no volume group. */
  vg: string;
  devSize: number;
}
interface Lv {
  vg: string;
  name: string;
  type: 'linear' | 'thin-pool' | 'pmspare';
  extents: number;
  meta?: number;
}
interface Mount {
  source: string;
  target: string;
  fstype: string;
}

export interface HostStorage {
  disks: Disk[];
  pvs: Pv[];
  vgs: string[];
  lvs: Lv[];
  mounts: Mount[];
  /** Units stopped during the session (docker, atomic-openshift-node): is-active says inactive. */
  stopped: Set<string>;
}

const STATE = new WeakMap<DemoCluster, Map<string, HostStorage>>();

export const dmName = (vg: string, lv: string): string => `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
const isNodeHost = (h: DemoHost | undefined): h is DemoHost => h?.kind === 'master' || h?.kind === 'infra' || h?.kind === 'compute';
const peOf = (pv: Pv): number => (pv.vg === '' ? 0 : Math.floor((pv.devSize - MIB) / EXTENT));

function initial(h: DemoHost | undefined): HostStorage {
  const s: HostStorage = { disks: [], pvs: [], vgs: [], lvs: [], mounts: [], stopped: new Set() };
  const rootSize = h?.kind === 'master' ? 48 * GIB : isNodeHost(h) ? (h.dockerDriver === 'devicemapper' ? 50 : 25) * GIB : 20 * GIB;
  s.disks.push({ name: '/dev/sda', type: 'disk', size: rootSize, parent: '' });
  s.disks.push({ name: '/dev/sda1', type: 'part', size: rootSize - MIB, parent: '/dev/sda', fs: 'xfs' });
  s.mounts.push({ source: '/dev/sda1', target: '/', fstype: 'xfs' });
  if (!h || !isNodeHost(h) || h.kind === 'master') return s;
  const xvdb = 25 * GIB;
  s.disks.push({ name: '/dev/xvdb', type: 'disk', size: xvdb, parent: '' });
  s.disks.push({ name: '/dev/xvdb1', type: 'part', size: xvdb - MIB, parent: '/dev/xvdb' });
  s.pvs.push({ name: '/dev/xvdb1', vg: 'docker-vg', devSize: xvdb - MIB });
  s.vgs.push('docker-vg');
  const pe = peOf(s.pvs[0]!);
  if (h.dockerDriver === 'devicemapper') {
    s.lvs.push({ vg: 'docker-vg', name: 'docker-pool', type: 'thin-pool', extents: Math.floor((pe * 95) / 100), meta: 7 });
    s.lvs.push({ vg: 'docker-vg', name: 'lvol0_pmspare', type: 'pmspare', extents: 7 });
  } else {
    s.lvs.push({ vg: 'docker-vg', name: 'docker-root-lv', type: 'linear', extents: pe });
    s.mounts.push({ source: `/dev/mapper/${dmName('docker-vg', 'docker-root-lv')}`, target: '/var/lib/docker', fstype: 'xfs' });
  }
  s.disks.push({ name: '/dev/sdc', type: 'disk', size: 50 * GIB, parent: '', fs: 'xfs' });
  s.mounts.push({ source: '/dev/sdc', target: '/var/lib/origin/openshift.local.volumes', fstype: 'xfs' });
  if (h.kind === 'compute') s.disks.push({ name: '/dev/xvdc', type: 'disk', size: 30 * GIB, parent: '' });
  return s;
}

/** The host's storage now (made as installed on first use). */
export function demoStorage(c: DemoCluster, h: DemoHost | undefined): HostStorage {
  let m = STATE.get(c);
  if (!m) STATE.set(c, (m = new Map()));
  const key = h?.name ?? '';
  let s = m.get(key);
  if (!s) m.set(key, (s = initial(h)));
  return s;
}

// ---- sizes -------------------------------------------------------------------------------------------

function vgExtents(s: HostStorage, vg: string): { size: number; free: number } {
  const size = s.pvs.filter((p) => p.vg === vg).reduce((n, p) => n + peOf(p), 0);
  const used = s.lvs.filter((l) => l.vg === vg).reduce((n, l) => n + l.extents + (l.type === 'thin-pool' ? (l.meta ?? 0) : 0), 0);
  return { size, free: size - used };
}

/** The extents each PV gives away (LVs take them in order). */
function allocation(s: HostStorage): { alloc: Map<string, number>; first: Map<Lv, string> } {
  const alloc = new Map<string, number>();
  const first = new Map<Lv, string>();
  for (const lv of s.lvs) {
    let need = lv.extents + (lv.type === 'thin-pool' ? (lv.meta ?? 0) : 0);
    for (const pv of s.pvs.filter((p) => p.vg === lv.vg)) {
      const take = Math.min(need, peOf(pv) - (alloc.get(pv.name) ?? 0));
      if (take <= 0) continue;
      if (!first.has(lv)) first.set(lv, pv.name);
      alloc.set(pv.name, (alloc.get(pv.name) ?? 0) + take);
      need -= take;
      if (need === 0) break;
    }
  }
  return { alloc, first };
}

/** An LVM size in units `u` (r h: human, "<" when rounded; b: bytes; k m g…), as LVM prints it. */
export function lvmSize(bytes: number, units: string, nosuffix: boolean): string {
  const c = units[0] ?? 'r';
  if ('hrHR'.includes(c)) {
    if (bytes === 0) return nosuffix ? '0' : '0 ';
    const base = c === 'H' || c === 'R' ? 1000 : 1024;
    let u = base ** 6;
    let s = 1;
    for (; s < 7 && bytes < u; s++) u /= base;
    let sfx = 'eptgmkb'[s - 1]!;
    if (base === 1000) sfx = sfx.toUpperCase();
    const prec = s === 7 ? 0 : 2;
    const d = (100 * bytes) / u;
    const pre = (c === 'r' || c === 'R') && Math.trunc(d) !== Math.round(d) ? '<' : '';
    return `${pre}${(bytes / u).toFixed(prec)}${nosuffix ? '' : sfx}`;
  }
  let u = 1;
  let prec = 0;
  let sfx = 'B';
  if (c === 's' || c === 'S') [u, sfx] = [512, 'S'];
  else if ('kmgtpe'.includes(c)) [u, sfx, prec] = [1024 ** ('kmgtpe'.indexOf(c) + 1), c, 2];
  else if ('KMGTPE'.includes(c)) [u, sfx, prec] = [1000 ** ('KMGTPE'.indexOf(c) + 1), c, 2];
  if (bytes === 0) return `0${nosuffix ? '' : sfx}`;
  return `${(bytes / u).toFixed(prec)}${nosuffix ? '' : sfx}`;
}

// ---- the reports: vgs / lvs / pvs -----------------------------------------------------------------------

type Kind = 'vgs' | 'lvs' | 'pvs';
const FIELDS: Record<string, { header: string; type: 's' | 'n' | 'z' }> = {
  vg_name: { header: 'VG', type: 's' },
  pv_count: { header: '#PV', type: 'n' },
  lv_count: { header: '#LV', type: 'n' },
  snap_count: { header: '#SN', type: 'n' },
  vg_attr: { header: 'Attr', type: 's' },
  vg_size: { header: 'VSize', type: 'z' },
  vg_free: { header: 'VFree', type: 'z' },
  pv_name: { header: 'PV', type: 's' },
  pv_fmt: { header: 'Fmt', type: 's' },
  pv_attr: { header: 'Attr', type: 's' },
  pv_size: { header: 'PSize', type: 'z' },
  pv_free: { header: 'PFree', type: 'z' },
  lv_name: { header: 'LV', type: 's' },
  lv_attr: { header: 'Attr', type: 's' },
  lv_size: { header: 'LSize', type: 'z' },
  pool_lv: { header: 'Pool', type: 's' },
  origin: { header: 'Origin', type: 's' },
  data_percent: { header: 'Data%', type: 'n' },
  metadata_percent: { header: 'Meta%', type: 'n' },
  move_pv: { header: 'Move', type: 's' },
  mirror_log: { header: 'Log', type: 's' },
  copy_percent: { header: 'Cpy%Sync', type: 'n' },
  convert_lv: { header: 'Convert', type: 's' },
  lv_path: { header: 'Path', type: 's' },
};
const DEFAULTS: Record<Kind, string> = {
  vgs: 'vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free',
  pvs: 'pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free',
  lvs: 'lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,move_pv,mirror_log,copy_percent,convert_lv',
};

const lvmErr = (lines: string[], code = 5): DemoAnswer => ({ err: lines.map((l) => `  ${l}`).join('\n'), code });

/** `vgs` / `lvs` / `pvs` with --noheadings, --separator, --units, --nosuffix, -o [+]fields, -a, and names. */
export function lvmReport(s: HostStorage, kind: Kind, words: readonly string[]): DemoAnswer {
  let fields = '';
  let noheadings = false;
  let nosuffix = false;
  let sep: string | undefined;
  let units = 'r';
  let all = false;
  const args: string[] = [];
  const add = (f: string) => {
    fields = f.startsWith('+') ? `${fields || DEFAULTS[kind]},${f.slice(1)}` : fields ? `${fields},${f}` : f;
  };
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--noheadings' || w === '--noheading') noheadings = true;
    else if (w === '--nosuffix') nosuffix = true;
    else if (w === '--separator') sep = words[++i] ?? '';
    else if (w.startsWith('--separator=')) sep = w.slice(12);
    else if (w === '-o' || w === '--options') add(words[++i] ?? '');
    else if (w.startsWith('--options=')) add(w.slice(10));
    else if (w.startsWith('-o')) add(w.slice(2));
    else if (w === '--units') units = words[++i] ?? 'r';
    else if (w.startsWith('--units=')) units = w.slice(8);
    else if (w === '-a' || w === '--all') all = true;
    else if (w.startsWith('-')) return lvmErr([`${kind}: unrecognized option '${w}'`, 'Error during parsing of command line.'], 3);
    else args.push(w);
  }
  const names = (fields || DEFAULTS[kind]).split(',').map((f) => {
    const prefix = kind === 'vgs' ? 'vg_' : kind === 'pvs' ? 'pv_' : 'lv_';
    return FIELDS[f] ? f : FIELDS[prefix + f] ? prefix + f : f;
  });
  const bad = names.find((f) => !FIELDS[f]);
  if (bad) return lvmErr([`Unrecognised field: ${bad}`]);
  const errs: string[] = [];
  const { alloc } = allocation(s);
  const size = (b: number) => lvmSize(b, units, nosuffix);
  let rows: Record<string, string>[] = [];
  if (kind === 'vgs') {
    const want = args.map((a) => a.replace(/^\/dev\//, ''));
    for (const v of want) if (!s.vgs.includes(v)) errs.push(`Volume group "${v}" not found`, `Cannot process volume group ${v}`);
    rows = [...s.vgs]
      .sort()
      .filter((v) => want.length === 0 || want.includes(v))
      .map((v) => {
        const e = vgExtents(s, v);
        return {
          vg_name: v,
          pv_count: String(s.pvs.filter((p) => p.vg === v).length),
          lv_count: String(s.lvs.filter((l) => l.vg === v && l.type !== 'pmspare').length),
          snap_count: '0',
          vg_attr: 'wz--n-',
          vg_size: size(e.size * EXTENT),
          vg_free: size(e.free * EXTENT),
        };
      });
  } else if (kind === 'pvs') {
    for (const a of args)
      if (!s.pvs.some((p) => p.name === a))
        errs.push(
          s.disks.some((d) => d.name === a)
            ? `Failed to find physical volume "${a}".`
            : `Failed to find device for physical volume "${a}".`,
        );
    rows = [...s.pvs]
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((p) => args.length === 0 || args.includes(p.name))
      .map((p) => {
        const orphan = p.vg === '';
        const used = alloc.get(p.name) ?? 0;
        return {
          pv_name: p.name,
          vg_name: p.vg,
          pv_fmt: 'lvm2',
          pv_attr: orphan ? '---' : 'a--',
          pv_size: size(orphan ? p.devSize : peOf(p) * EXTENT),
          pv_free: size(orphan ? p.devSize : (peOf(p) - used) * EXTENT),
        };
      });
  } else {
    const wantVg: string[] = [];
    const wantLv: string[] = [];
    for (const a0 of args) {
      const a = a0.replace(/^\/dev\//, '');
      const [vg, lv] = a.split('/', 2) as [string, string | undefined];
      if (!s.vgs.includes(vg)) errs.push(`Volume group "${vg}" not found`, `Cannot process volume group ${vg}`);
      else if (lv !== undefined && !s.lvs.some((l) => l.vg === vg && l.name === lv && l.type !== 'pmspare'))
        errs.push(`Failed to find logical volume "${vg}/${lv}"`);
      if (lv === undefined) wantVg.push(vg);
      else wantLv.push(`${vg}/${lv}`);
    }
    const open = (l: Lv) => s.mounts.some((m) => m.source === `/dev/mapper/${dmName(l.vg, l.name)}`);
    rows = s.lvs
      .filter((l) => all || l.type !== 'pmspare')
      .filter((l) => args.length === 0 || wantVg.includes(l.vg) || wantLv.includes(`${l.vg}/${l.name}`))
      .sort((a, b) => a.vg.localeCompare(b.vg) || a.name.localeCompare(b.name))
      .map((l) => ({
        lv_name: l.type === 'pmspare' ? `[${l.name}]` : l.name,
        vg_name: l.vg,
        lv_attr: l.type === 'pmspare' ? 'ewi-------' : l.type === 'thin-pool' ? 'twi-a-t---' : open(l) ? '-wi-ao----' : '-wi-a-----',
        lv_size: size(l.extents * EXTENT),
        pool_lv: '',
        origin: '',
        data_percent: l.type === 'thin-pool' ? '19.62' : '',
        metadata_percent: l.type === 'thin-pool' ? '5.14' : '',
        move_pv: '',
        mirror_log: '',
        copy_percent: '',
        convert_lv: '',
        lv_path: l.type === 'pmspare' ? '' : `/dev/${l.vg}/${l.name}`,
      }));
  }
  const lines: string[] = [];
  if (sep !== undefined) {
    if (!noheadings) lines.push(`  ${names.map((f) => FIELDS[f]!.header).join(sep)}`);
    for (const r of rows) lines.push(`  ${names.map((f) => r[f] ?? '').join(sep)}`);
  } else {
    const w = names.map((f) => Math.max(noheadings ? 0 : FIELDS[f]!.header.length, ...rows.map((r) => (r[f] ?? '').length)));
    if (!noheadings) lines.push(`  ${names.map((f, i) => FIELDS[f]!.header.padEnd(w[i]!)).join(' ')}`);
    for (const r of rows)
      lines.push(
        `  ${names.map((f, i) => (FIELDS[f]!.type === 's' ? (r[f] ?? '').padEnd(w[i]!) : (r[f] ?? '').padStart(w[i]!))).join(' ')}`,
      );
  }
  return { out: lines.join('\n'), ...(errs.length ? { err: errs.map((l) => `  ${l}`).join('\n'), code: 5 } : {}) };
}

// ---- block devices and mounts -----------------------------------------------------------------------------

interface Block {
  name: string;
  type: string;
  size: number;
  parent: string;
  fstype: string;
  mountpoint: string;
}

function blocks(s: HostStorage): Block[] {
  const mountOf = (name: string) => s.mounts.find((m) => m.source === name);
  const pvNames = new Set(s.pvs.map((p) => p.name));
  const out: Block[] = s.disks.map((d) => ({
    name: d.name,
    type: d.type,
    size: d.size,
    parent: d.parent,
    fstype: pvNames.has(d.name) ? 'LVM2_member' : (d.fs ?? ''),
    mountpoint: mountOf(d.name)?.target ?? '',
  }));
  const { first } = allocation(s);
  for (const lv of s.lvs) {
    const pv = first.get(lv);
    if (!pv || lv.type === 'pmspare') continue;
    const dm = `/dev/mapper/${dmName(lv.vg, lv.name)}`;
    if (lv.type === 'thin-pool') {
      out.push({
        name: `/dev/mapper/${dmName(lv.vg, `${lv.name}_tmeta`)}`,
        type: 'lvm',
        size: (lv.meta ?? 0) * EXTENT,
        parent: pv,
        fstype: '',
        mountpoint: '',
      });
      out.push({
        name: `/dev/mapper/${dmName(lv.vg, `${lv.name}_tdata`)}`,
        type: 'lvm',
        size: lv.extents * EXTENT,
        parent: pv,
        fstype: '',
        mountpoint: '',
      });
      out.push({
        name: dm,
        type: 'lvm',
        size: lv.extents * EXTENT,
        parent: `/dev/mapper/${dmName(lv.vg, `${lv.name}_tdata`)}`,
        fstype: '',
        mountpoint: '',
      });
    } else
      out.push({
        name: dm,
        type: 'lvm',
        size: lv.extents * EXTENT,
        parent: pv,
        fstype: mountOf(dm) ? 'xfs' : '',
        mountpoint: mountOf(dm)?.target ?? '',
      });
  }
  return out;
}

/** lsblk's human size (SIZE without -b): one decimal, K M G T. */
function lsblkHuman(b: number): string {
  if (b < 1024) return `${b}B`;
  let u = 1024;
  let s = 0;
  while (s < 5 && b >= u * 1024) {
    u *= 1024;
    s++;
  }
  let d = Math.floor(b / u);
  let f = Math.round(((b - d * u) / u) * 10);
  if (f >= 10) [d, f] = [d + 1, 0];
  return `${d}${f ? `.${f}` : ''}${'KMGTPE'[s]}`;
}

const LSBLK_COLUMNS = ['NAME', 'KNAME', 'PKNAME', 'MAJ:MIN', 'RM', 'SIZE', 'RO', 'TYPE', 'FSTYPE', 'MOUNTPOINT'];

/** `lsblk` with -n -p -l -d -b -r -P -o (a list, never the tree), named devices or all of them. */
export function lsblk(s: HostStorage, words: readonly string[]): DemoAnswer {
  let cols = 'NAME,MAJ:MIN,RM,SIZE,RO,TYPE,MOUNTPOINT';
  const f = { n: false, p: false, d: false, b: false, r: false, P: false };
  const devs: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-o' || w === '--output') cols = words[++i] ?? '';
    else if (w.startsWith('--output=')) cols = w.slice(9);
    else if (w.startsWith('--')) {
      const long: Record<string, keyof typeof f> = {
        '--noheadings': 'n',
        '--paths': 'p',
        '--nodeps': 'd',
        '--bytes': 'b',
        '--raw': 'r',
        '--pairs': 'P',
      };
      if (long[w]) f[long[w]] = true;
    } else if (w.startsWith('-')) {
      for (const [j, ch] of [...w.slice(1)].entries()) {
        if (ch === 'o') {
          cols = w.slice(j + 2) || (words[++i] ?? '');
          break;
        }
        if (ch in f) f[ch as keyof typeof f] = true;
      }
    } else devs.push(w);
  }
  const columns = cols.toUpperCase().split(',');
  const unknown = columns.find((c) => !LSBLK_COLUMNS.includes(c));
  if (unknown) return { err: `lsblk: unknown column: ${unknown}`, code: 1 };
  const all = blocks(s);
  const shown: Block[] = [];
  const walk = (b: Block) => {
    shown.push(b);
    if (!f.d) for (const k of all.filter((x) => x.parent === b.name)) walk(k);
  };
  const errs: string[] = [];
  if (devs.length) {
    for (const d of devs) {
      const b = all.find((x) => x.name === d);
      if (b) walk(b);
      else errs.push(`lsblk: ${d}: not a block device`);
    }
  } else for (const b of all.filter((x) => x.parent === '')) walk(b);
  const name = (x: string) => (f.p ? x : x.replace(/^\/dev\/(mapper\/)?/, ''));
  const val = (b: Block, c: string): string => {
    switch (c) {
      case 'NAME':
      case 'KNAME':
        return name(b.name);
      case 'PKNAME':
        return b.parent ? name(b.parent) : '';
      case 'MAJ:MIN':
        return b.type === 'lvm' ? `253:${all.filter((x) => x.type === 'lvm').indexOf(b)}` : `202:${all.indexOf(b) * 16}`;
      case 'RM':
      case 'RO':
        return '0';
      case 'SIZE':
        return f.b ? String(b.size) : lsblkHuman(b.size);
      case 'TYPE':
        return b.type;
      case 'FSTYPE':
        return b.fstype;
      default:
        return b.mountpoint;
    }
  };
  const lines: string[] = [];
  if (f.P) for (const b of shown) lines.push(columns.map((c) => `${c}="${val(b, c)}"`).join(' '));
  else if (f.r) {
    if (!f.n) lines.push(columns.join(' '));
    for (const b of shown) lines.push(columns.map((c) => val(b, c)).join(' '));
  } else {
    const right = (c: string) => ['RM', 'SIZE', 'RO'].includes(c);
    const w = columns.map((c) => Math.max(f.n ? 0 : c.length, ...shown.map((b) => val(b, c).length)));
    const row = (cells: string[]) =>
      cells
        .map((x, i) => (i === cells.length - 1 && !right(columns[i]!) ? x : right(columns[i]!) ? x.padStart(w[i]!) : x.padEnd(w[i]!)))
        .join(' ')
        .trimEnd();
    if (!f.n) lines.push(row(columns));
    for (const b of shown) lines.push(row(columns.map((c) => val(b, c))));
  }
  if (errs.length && errs.length === devs.length) return { err: errs.join('\n'), code: 32 };
  return { out: lines.join('\n'), ...(errs.length ? { err: errs.join('\n'), code: 64 } : {}) };
}

/** `findmnt [-r] [-n] [-o COLS] [TARGET]`: the host's mounts (exit 1 when TARGET is not a mount point). */
export function findmnt(s: HostStorage, words: readonly string[]): DemoAnswer {
  let cols = 'TARGET,SOURCE,FSTYPE,OPTIONS';
  let noheadings = false;
  const targets: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-o' || w === '--output') cols = words[++i] ?? '';
    else if (w.startsWith('-') && !w.startsWith('--')) {
      if (w.includes('n')) noheadings = true;
      if (w.endsWith('o')) cols = words[++i] ?? '';
    } else if (w === '--noheadings') noheadings = true;
    else if (!w.startsWith('-')) targets.push(w.replace(/\/+$/, '') || '/');
  }
  const mounts = s.mounts.filter((m) => targets.length === 0 || targets.includes(m.target));
  if (mounts.length === 0) return { code: 1 };
  const columns = cols.toUpperCase().split(',');
  const val = (m: Mount, c: string) =>
    c === 'SOURCE' ? m.source : c === 'TARGET' ? m.target : c === 'FSTYPE' ? m.fstype : c === 'OPTIONS' ? 'rw,relatime,seclabel' : '';
  const lines = [...(noheadings ? [] : [columns.join(' ')]), ...mounts.map((m) => columns.map((c) => val(m, c)).join(' '))];
  return { out: lines.join('\n') };
}

// ---- changes ---------------------------------------------------------------------------------------------

const say = (lines: string[]): DemoAnswer => ({ out: lines.map((l) => `  ${l}`).join('\n') });
const withEffect = (a: DemoAnswer, run: () => void): DemoAnswer => ({
  ...a,
  steps: [
    { kind: 'effect', run },
    ...(a.out ? a.out.split('\n').map((text) => ({ kind: 'line' as const, stream: 'stdout' as const, text })) : []),
    ...(a.err ? a.err.split('\n').map((text) => ({ kind: 'line' as const, stream: 'stderr' as const, text })) : []),
  ],
});

/** The LVs named by VG/LV, /dev/VG/LV, /dev/mapper/NAME or a bare VG (all its LVs). */
function lvArgs(s: HostStorage, args: string[]): { lvs: Lv[]; errs: string[] } {
  const lvs: Lv[] = [];
  const errs: string[] = [];
  for (const a0 of args) {
    let a = a0;
    if (a.startsWith('/dev/mapper/')) {
      const lv = s.lvs.find((l) => dmName(l.vg, l.name) === a.slice(12));
      if (!lv) {
        errs.push(`Failed to find logical volume "${a.slice(12)}"`);
        continue;
      }
      lvs.push(lv);
      continue;
    }
    a = a.replace(/^\/dev\//, '');
    const [vg, name] = a.split('/', 2) as [string, string | undefined];
    if (!s.vgs.includes(vg)) {
      errs.push(`Volume group "${vg}" not found`, `Cannot process volume group ${vg}`);
      continue;
    }
    const found = s.lvs.filter((l) => l.vg === vg && l.type !== 'pmspare' && (name === undefined || l.name === name));
    if (name !== undefined && found.length === 0) errs.push(`Failed to find logical volume "${vg}/${name}"`);
    lvs.push(...found);
  }
  return { lvs, errs };
}

const positional = (words: readonly string[]): string[] => words.slice(1).filter((w) => !w.startsWith('-'));
const yes = (words: readonly string[]): boolean => words.some((w) => w === '-y' || w === '--yes' || w === '-f' || w === '-ff');

function lvremove(s: HostStorage, h: DemoHost | undefined, words: readonly string[]): DemoAnswer {
  const { lvs, errs } = lvArgs(s, positional(words));
  const out: string[] = [];
  const err = [...errs];
  const gone: Lv[] = [];
  for (const lv of lvs) {
    const dm = `/dev/mapper/${dmName(lv.vg, lv.name)}`;
    if (s.mounts.some((m) => m.source === dm)) {
      err.push(`Logical volume ${lv.vg}/${lv.name} contains a filesystem in use.`);
      continue;
    }
    if (lv.type === 'thin-pool' && h && !s.stopped.has('docker') && h.dockerDriver === 'devicemapper') {
      err.push(`Logical volume ${lv.vg}/${lv.name} is used by another device.`);
      continue;
    }
    if (!yes(words)) {
      err.push(
        `Do you really want to remove active logical volume ${lv.vg}/${lv.name}? [y/n]: [n]`,
        `Logical volume ${lv.vg}/${lv.name} not removed.`,
      );
      continue;
    }
    gone.push(lv);
    out.push(`Logical volume "${lv.name}" successfully removed`);
  }
  const a: DemoAnswer = {
    out: out.map((l) => `  ${l}`).join('\n'),
    ...(err.length ? { err: err.map((l) => `  ${l}`).join('\n'), code: 5 } : {}),
  };
  return withEffect(a, () => {
    for (const lv of gone) {
      s.lvs.splice(s.lvs.indexOf(lv), 1);
      if (lv.type === 'thin-pool' && !s.lvs.some((l) => l.vg === lv.vg && l.type === 'thin-pool'))
        s.lvs = s.lvs.filter((l) => !(l.vg === lv.vg && l.type === 'pmspare'));
    }
  });
}

function vgremove(s: HostStorage, words: readonly string[]): DemoAnswer {
  const out: string[] = [];
  const err: string[] = [];
  const gone: string[] = [];
  for (const v0 of positional(words)) {
    const v = v0.replace(/^\/dev\//, '');
    if (!s.vgs.includes(v)) {
      err.push(`Volume group "${v}" not found`, `Cannot process volume group ${v}`);
      continue;
    }
    const lvs = s.lvs.filter((l) => l.vg === v && l.type !== 'pmspare');
    if (lvs.length && !yes(words)) {
      err.push(
        `Do you really want to remove volume group "${v}" containing ${lvs.length} logical volumes? [y/n]: [n]`,
        `Volume group "${v}" not removed`,
      );
      continue;
    }
    const busy = lvs.find((l) => s.mounts.some((m) => m.source === `/dev/mapper/${dmName(l.vg, l.name)}`));
    if (busy) {
      err.push(`Logical volume ${v}/${busy.name} contains a filesystem in use.`);
      continue;
    }
    gone.push(v);
    for (const l of lvs) out.push(`Logical volume "${l.name}" successfully removed`);
    out.push(`Volume group "${v}" successfully removed`);
  }
  const a: DemoAnswer = {
    out: out.map((l) => `  ${l}`).join('\n'),
    ...(err.length ? { err: err.map((l) => `  ${l}`).join('\n'), code: 5 } : {}),
  };
  return withEffect(a, () => {
    for (const v of gone) {
      s.vgs = s.vgs.filter((x) => x !== v);
      s.lvs = s.lvs.filter((l) => l.vg !== v);
      for (const p of s.pvs) if (p.vg === v) p.vg = '';
    }
  });
}

function pvremove(s: HostStorage, words: readonly string[]): DemoAnswer {
  const out: string[] = [];
  const err: string[] = [];
  const gone: string[] = [];
  for (const p of positional(words)) {
    const pv = s.pvs.find((x) => x.name === p);
    if (!pv) {
      err.push(s.disks.some((d) => d.name === p) ? `No PV label found on ${p}.` : `Device ${p} not found.`);
      continue;
    }
    if (pv.vg) {
      err.push(
        `PV ${p} is used by VG ${pv.vg} so please use vgreduce first.`,
        '(If you are certain you need pvremove, then confirm by using --force twice.)',
      );
      continue;
    }
    gone.push(p);
    out.push(`Labels on physical volume "${p}" successfully wiped.`);
  }
  const a: DemoAnswer = {
    out: out.map((l) => `  ${l}`).join('\n'),
    ...(err.length ? { err: err.map((l) => `  ${l}`).join('\n'), code: 5 } : {}),
  };
  return withEffect(a, () => {
    s.pvs = s.pvs.filter((x) => !gone.includes(x.name));
  });
}

function pvcreate(s: HostStorage, words: readonly string[]): DemoAnswer {
  const devs = positional(words);
  for (const d of devs) {
    if (!s.disks.some((x) => x.name === d)) return lvmErr([`Device ${d} not found.`]);
    if (s.pvs.some((p) => p.name === d && p.vg))
      return lvmErr([`Can't initialize physical volume "${d}" of volume group "${s.pvs.find((p) => p.name === d)!.vg}" without -ff`]);
    if (s.disks.some((x) => x.parent === d)) return lvmErr([`Device ${d} excluded by a filter.`]);
  }
  return withEffect(say(devs.map((d) => `Physical volume "${d}" successfully created.`)), () => {
    for (const d of devs) {
      s.pvs = s.pvs.filter((p) => p.name !== d);
      s.pvs.push({ name: d, vg: '', devSize: s.disks.find((x) => x.name === d)!.size });
    }
  });
}

function joinVg(s: HostStorage, vg: string, pvs: string[], create: boolean): DemoAnswer {
  if (create && s.vgs.includes(vg)) return lvmErr([`A volume group called ${vg} already exists.`]);
  if (!create && !s.vgs.includes(vg)) return lvmErr([`Volume group "${vg}" not found`, `Cannot process volume group ${vg}`]);
  for (const p of pvs) {
    const pv = s.pvs.find((x) => x.name === p);
    if (pv?.vg) return lvmErr([`Physical volume '${p}' is already in volume group '${pv.vg}'`]);
    if (!pv && !s.disks.some((d) => d.name === p)) return lvmErr([`Device ${p} not found.`]);
  }
  const made = pvs.filter((p) => !s.pvs.some((x) => x.name === p)).map((p) => `Physical volume "${p}" successfully created.`);
  return withEffect(
    say([...made, create ? `Volume group "${vg}" successfully created` : `Volume group "${vg}" successfully extended`]),
    () => {
      if (create) s.vgs.push(vg);
      for (const p of pvs) {
        const pv = s.pvs.find((x) => x.name === p);
        if (pv) pv.vg = vg;
        else s.pvs.push({ name: p, vg, devSize: s.disks.find((d) => d.name === p)!.size });
      }
    },
  );
}

/** `-l N%FREE|N%VG|+N%FREE`, `-L SIZE`: the extents asked for (relative: added to `current`). */
function extentsOf(s: HostStorage, vg: string, spec: string, bySize: boolean, current = 0): number | undefined {
  const plus = spec.startsWith('+');
  const v = spec.replace(/^\+/, '');
  const { size, free } = vgExtents(s, vg);
  let n: number | undefined;
  const pct = /^(\d+)%(FREE|VG)$/.exec(v);
  if (pct) n = Math.floor(((pct[2] === 'FREE' ? free : size) * Number(pct[1])) / 100);
  else if (!bySize && /^\d+$/.test(v)) n = Number(v);
  else {
    const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(v);
    if (m) {
      const mult = { k: 1024, m: MIB, g: GIB, t: 1024 * GIB, '': MIB }[m[2]!.toLowerCase() as 'k' | 'm' | 'g' | 't' | ''];
      n = Math.ceil((Number(m[1]) * mult) / EXTENT);
    }
  }
  if (n === undefined) return undefined;
  return plus ? current + n : n;
}

function lvextend(s: HostStorage, words: readonly string[]): DemoAnswer {
  const l = words.indexOf('-l') >= 0 ? words[words.indexOf('-l') + 1] : words.find((w) => w.startsWith('--extents='))?.slice(10);
  const L = words.indexOf('-L') >= 0 ? words[words.indexOf('-L') + 1] : words.find((w) => w.startsWith('--size='))?.slice(7);
  const target = positional(words).find((w) => w !== l && w !== L && (w.includes('/') || s.vgs.includes(w)));
  const { lvs, errs } = lvArgs(s, target ? [target] : []);
  const lv = lvs[0];
  if (!lv || errs.length) return lvmErr(errs.length ? errs : ['Please specify a logical volume path.'], 3);
  const spec = l ?? L ?? '';
  const want = extentsOf(s, lv.vg, spec, L !== undefined && l === undefined, lv.extents);
  if (want === undefined) return lvmErr([`Invalid argument for --${l !== undefined ? 'extents' : 'size'}: ${spec}`], 3);
  const newExtents = want;
  const { free } = vgExtents(s, lv.vg);
  if (newExtents - lv.extents > free)
    return lvmErr([`Insufficient free space: ${newExtents - lv.extents} extents needed, but only ${free} available`]);
  if (newExtents <= lv.extents) return lvmErr([`New size (${newExtents} extents) matches existing size (${lv.extents} extents).`], 5);
  const gb = (e: number) => lvmSize(e * EXTENT, 'r', false).replace(/([a-z])$/, (u) => ` ${u.toUpperCase()}iB`);
  return withEffect(
    say([
      `Size of logical volume ${lv.vg}/${lv.name} changed from ${gb(lv.extents)} (${lv.extents} extents) to ${gb(newExtents)} (${newExtents} extents).`,
      `Logical volume ${lv.vg}/${lv.name} successfully resized.`,
    ]),
    () => {
      lv.extents = newExtents;
    },
  );
}

function wipefs(s: HostStorage, words: readonly string[]): DemoAnswer {
  const all = words.some((w) => w === '-a' || w === '--all' || /^-[a-z]*a/.test(w));
  const devs = positional(words);
  if (devs.length === 0) return { err: 'wipefs: no device specified', code: 1 };
  const out: string[] = [];
  const err: string[] = [];
  const effects: (() => void)[] = [];
  for (const d of devs) {
    if (!s.disks.some((x) => x.name === d)) {
      err.push(`wipefs: error: ${d}: probing initialization failed: No such file or directory`);
      continue;
    }
    const kids = s.disks.filter((x) => x.parent === d).map((x) => x.name);
    const label = s.pvs.find((p) => p.name === d);
    if (!all) {
      const sigs = [
        ...(kids.length ? ['0x1fe                dos   [partition table]'] : []),
        ...(label ? ['0x218                LVM2_member   [raid]'] : []),
      ];
      if (sigs.length) out.push('offset               type', '-'.repeat(64), ...sigs);
      continue;
    }
    if (
      [d, ...kids].some((x) => s.pvs.some((p) => p.name === x && p.vg)) ||
      [d, ...kids].some((x) => s.mounts.some((m) => m.source === x))
    ) {
      err.push(`wipefs: error: ${d}: probing initialization failed: Device or resource busy`);
      continue;
    }
    if (label) {
      out.push(`${d}: 8 bytes were erased at offset 0x00000218 (LVM2_member): 4c 56 4d 32 20 30 30 31`);
      effects.push(() => {
        s.pvs = s.pvs.filter((p) => p.name !== d);
      });
    }
    if (kids.length) {
      out.push(`${d}: 2 bytes were erased at offset 0x000001fe (dos): 55 aa`, `${d}: calling ioclt to re-read partition table: Success`);
      effects.push(() => {
        s.pvs = s.pvs.filter((p) => !kids.includes(p.name));
        s.disks = s.disks.filter((x) => x.parent !== d);
      });
    }
  }
  return withEffect({ out: out.join('\n'), ...(err.length ? { err: err.join('\n'), code: 1 } : {}) }, () => {
    for (const e of effects) e();
  });
}

// ---- docker-storage-setup -------------------------------------------------------------------------------

/** The variables of a sysconfig file sourced by a shell (KEY=value, quotes removed; the last one wins). */
function sourced(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2]!.trim();
    const q = /^(["'])(.*)\1$/.exec(v);
    v = q ? q[2]! : v.replace(/\s+#.*$/, '');
    out[m[1]!] = v;
  }
  return out;
}

function readHostFile(root: string | undefined, path: string): string | undefined {
  if (!root) return undefined;
  const f = join(root, path);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

function writeHostFile(root: string | undefined, path: string, text: string): void {
  if (!root) return;
  const f = join(root, path);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(`${f}.tmp`, text);
  renameSync(`${f}.tmp`, f);
}

const STORAGE_OPTIONS = (vg: string, pool: string, driver: string) =>
  driver === 'devicemapper'
    ? `DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/${dmName(vg, pool)} ` +
      '--storage-opt dm.use_deferred_removal=true --storage-opt dm.use_deferred_deletion=true "'
    : `DOCKER_STORAGE_OPTIONS="--storage-driver ${driver} "`;

/**
 * docker-storage-setup's plain run (container-storage-setup 0.8 in docker's compatibility mode): the disks
 * of DEVS partitioned, made PVs and put in VG, the thin pool (devicemapper) or the root LV mounted on
 * CONTAINER_ROOT_LV_MOUNT_PATH, and /etc/sysconfig/docker-storage written. Refuses what the real one refuses.
 */
export function dockerStorageSetup(s: HostStorage, root: string | undefined): DemoAnswer {
  const file = readHostFile(root, '/etc/sysconfig/docker-storage-setup') ?? '';
  const v = {
    STORAGE_DRIVER: 'devicemapper',
    DATA_SIZE: '40%FREE',
    CONTAINER_ROOT_LV_SIZE: '40%FREE',
    CONTAINER_THINPOOL: 'docker-pool',
    WIPE_SIGNATURES: 'false',
    DEVS: '',
    VG: '',
    CONTAINER_ROOT_LV_NAME: '',
    CONTAINER_ROOT_LV_MOUNT_PATH: '',
    // a script that wrote the file had its absolute paths moved under the host's directory: take them out again
    ...Object.fromEntries(Object.entries(sourced(file)).map(([k, x]) => [k, root ? pathsOutOf(root, x) : x])),
  };
  const err: string[] = [];
  const out: string[] = [];
  const info = (m: string) => err.push(`INFO: ${m}`);
  const fatal = (m: string): DemoAnswer => ({ out: out.join('\n'), err: [...err, `ERROR: ${m}`].join('\n'), code: 1 });
  // planned changes, made at the end (all or nothing, like the steps of a real run that succeeds)
  const sim: HostStorage = structuredClone({ ...s, stopped: new Set<string>() });
  info('Volume group backing root filesystem could not be determined');
  const vg = v.VG;
  if (v.DEVS && vg) {
    const devs = v.DEVS.split(/\s+/)
      .filter(Boolean)
      .map((d) => (d.startsWith('/') ? d : `/dev/${d}`));
    for (const d of devs) {
      const disk = sim.disks.find((x) => x.name === d);
      if (!disk) return fatal(`${d} is not a valid block device.`);
      if (disk.type === 'part') return fatal('Partition specification unsupported at this time.');
    }
    const fresh: string[] = [];
    for (const d of devs) {
      const part = sim.disks.find((x) => x.parent === d);
      if (part && sim.pvs.find((p) => p.name === part.name)?.vg === vg) {
        info(`Device ${d} is already partitioned and is part of volume group ${vg}`);
        continue;
      }
      if (part && v.WIPE_SIGNATURES !== 'true')
        return fatal(`Device ${d} is already partitioned and cannot be added to volume group ${vg}`);
      if (sim.pvs.some((p) => p.name === d) && v.WIPE_SIGNATURES !== 'true')
        return fatal(
          `Found LVM2_member signature on device ${d} at offset 0x218. Wipe signatures using wipefs or use WIPE_SIGNATURES=true and retry.`,
        );
      fresh.push(d);
    }
    const parts: string[] = [];
    for (const d of fresh) {
      const disk = sim.disks.find((x) => x.name === d)!;
      sim.disks = sim.disks.filter((x) => x.parent !== d);
      sim.pvs = sim.pvs.filter((p) => p.name !== d);
      const part = /\d$/.test(d) ? `${d}p1` : `${d}1`;
      sim.disks.push({ name: part, type: 'part', size: disk.size - MIB, parent: d });
      info(`Device node ${part} exists.`);
      sim.pvs.push({ name: part, vg: '', devSize: disk.size - MIB });
      out.push(`  Physical volume "${part}" successfully created.`);
      parts.push(part);
    }
    if (parts.length) {
      const create = !sim.vgs.includes(vg);
      if (create) sim.vgs.push(vg);
      for (const p of sim.pvs) if (parts.includes(p.name)) p.vg = vg;
      out.push(create ? `  Volume group "${vg}" successfully created` : `  Volume group "${vg}" successfully extended`);
    }
  }
  const driver = v.STORAGE_DRIVER;
  if (!driver) {
    info('STORAGE_DRIVER not set, no storage will be configured. You must specify STORAGE_DRIVER if you want to configure storage.');
    return { out: out.join('\n'), err: err.join('\n') };
  }
  if (!['devicemapper', 'overlay', 'overlay2'].includes(driver)) return fatal(`Invalid storage driver: ${driver}.`);
  const current = readHostFile(root, '/etc/sysconfig/docker-storage');
  const currentOpts = current ? (sourced(current)['DOCKER_STORAGE_OPTIONS'] ?? '') : '';
  const currentDriver =
    /--storage-driver[ =]*([a-z0-9]+)/.exec(currentOpts)?.[1] ?? (currentOpts.includes('dm.thinpooldev=') ? 'devicemapper' : '');
  if (currentDriver && currentDriver !== driver)
    return fatal(
      `Storage is already configured with ${currentDriver} driver. Can't configure it with ${driver} driver. To override, remove ` +
        '/etc/sysconfig/docker-storage and retry.',
    );
  let write = true;
  if (driver === 'devicemapper') {
    if (!vg || !sim.vgs.includes(vg)) return fatal('No valid volume group found. Exiting.');
    if (!sim.lvs.some((l) => l.vg === vg && l.name === v.CONTAINER_THINPOOL && l.type === 'thin-pool')) {
      const { size, free } = vgExtents(sim, vg);
      const data = extentsOf(sim, vg, v.DATA_SIZE, true);
      if (data === undefined) return fatal(`DATA_SIZE value ${v.DATA_SIZE} is invalid.`);
      const meta = Math.ceil(((Math.floor((size * (EXTENT / 512)) / 1000) + 1) * 512) / EXTENT);
      if (data + 2 * meta > free)
        return {
          err: [...err, `  Volume group "${vg}" has insufficient free space (${free} extents): ${data + 2 * meta} required.`].join('\n'),
          code: 5,
        };
      sim.lvs.push({ vg, name: v.CONTAINER_THINPOOL, type: 'thin-pool', extents: data, meta });
      sim.lvs.push({ vg, name: 'lvol0_pmspare', type: 'pmspare', extents: meta });
      out.push(
        '  Thin pool volume with chunk size 512.00 KiB can address at most 126.50 TiB of data.',
        `  Logical volume "${v.CONTAINER_THINPOOL}" created.`,
      );
    } else if (current !== undefined) write = false;
    else info('/etc/sysconfig/docker-storage file is missing. Recreating it.');
  }
  if (v.CONTAINER_ROOT_LV_NAME && !v.CONTAINER_ROOT_LV_MOUNT_PATH)
    return fatal('CONTAINER_ROOT_LV_MOUNT_PATH cannot be empty, when CONTAINER_ROOT_LV_NAME is set');
  if (v.CONTAINER_ROOT_LV_MOUNT_PATH) {
    const lvName = v.CONTAINER_ROOT_LV_NAME;
    if (!lvName) return fatal('CONTAINER_ROOT_LV_NAME cannot be empty, when CONTAINER_ROOT_LV_MOUNT_PATH is set');
    const target = v.CONTAINER_ROOT_LV_MOUNT_PATH.replace(/\/+$/, '');
    if (!sim.lvs.some((l) => l.vg === vg && l.name === lvName)) {
      if (!vg || !sim.vgs.includes(vg)) return fatal(`Failed to create volume ${lvName} of size ${v.CONTAINER_ROOT_LV_SIZE}.`);
      const ext = extentsOf(sim, vg, v.CONTAINER_ROOT_LV_SIZE, true);
      if (ext === undefined) return fatal(`CONTAINER_ROOT_LV_SIZE value ${v.CONTAINER_ROOT_LV_SIZE} is invalid.`);
      const { free } = vgExtents(sim, vg);
      if (ext <= 0 || ext > free) {
        err.push(`  Volume group "${vg}" has insufficient free space (${free} extents): ${ext} required.`);
        return fatal(`Failed to create volume ${lvName} of size ${v.CONTAINER_ROOT_LV_SIZE}.`);
      }
      sim.lvs.push({ vg, name: lvName, type: 'linear', extents: ext });
      out.push(`  Logical volume "${lvName}" created.`);
    }
    const source = `/dev/mapper/${dmName(vg, lvName)}`;
    if (!sim.mounts.some((m) => m.source === source && m.target === target)) sim.mounts.push({ source, target, fstype: 'xfs' });
  }
  return {
    out: out.join('\n'),
    err: err.join('\n'),
    steps: [
      {
        kind: 'effect',
        run: () => {
          Object.assign(s, { disks: sim.disks, pvs: sim.pvs, vgs: sim.vgs, lvs: sim.lvs, mounts: sim.mounts });
          if (write) writeHostFile(root, '/etc/sysconfig/docker-storage', `${STORAGE_OPTIONS(vg, v.CONTAINER_THINPOOL, driver)}\n`);
          if (v.CONTAINER_ROOT_LV_MOUNT_PATH && root) mkdirSync(join(root, v.CONTAINER_ROOT_LV_MOUNT_PATH), { recursive: true });
        },
      },
      ...out.map((text) => ({ kind: 'line' as const, stream: 'stdout' as const, text })),
      ...err.map((text) => ({ kind: 'line' as const, stream: 'stderr' as const, text })),
    ],
  };
}

// ---- docker and the node service ---------------------------------------------------------------------------

const DOCKER_UNITS = ['docker', 'atomic-openshift-node'];
const unitsOf = (words: readonly string[]): string[] =>
  words
    .slice(2)
    .filter((w) => !w.startsWith('-'))
    .map((u) => u.replace(/\.service$/, ''));

/** The driver docker starts with: what /etc/sysconfig/docker-storage says (no file: devicemapper on a loop device). */
function startDocker(h: DemoHost, root: string | undefined): void {
  const text = readHostFile(root, '/etc/sysconfig/docker-storage');
  const opts = text ? (sourced(text)['DOCKER_STORAGE_OPTIONS'] ?? '') : '';
  const d = /--storage-driver[ =]*([a-z0-9]+)/.exec(opts)?.[1] ?? (opts.includes('dm.thinpooldev=') ? 'devicemapper' : 'devicemapper');
  h.dockerDriver = d === 'overlay2' ? 'overlay2' : 'devicemapper';
}

const NO_DAEMON = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

// ---- docker ps: the control plane's static pods ---------------------------------------------------------------

const STATIC_PODS: Record<string, { manifest: string; pod: string }> = {
  api: { manifest: 'apiserver.yaml', pod: 'master-api' },
  controllers: { manifest: 'controller.yaml', pod: 'master-controllers' },
  etcd: { manifest: 'etcd.yaml', pod: 'master-etcd' },
};

/**
 * `docker ps [-q] [--filter label=K=V]…` on a master: the control plane's containers, one per static pod whose
 * manifest is in /etc/origin/node/pods/ (the kubelet runs what is there), while docker runs.
 */
export function dockerPs(c: DemoContext): DemoAnswer {
  if (!c.host) return { err: 'sh: docker: command not found', code: 127 };
  if (st(c).stopped.has('docker')) return { err: NO_DAEMON, code: 1 };
  const filters = c.words.flatMap((w, i) => (c.words[i - 1] === '--filter' || c.words[i - 1] === '-f' ? [w] : []));
  const labels = filters.flatMap((f) => {
    const m = /^label=([^=]+)=(.*)$/.exec(f);
    return m ? [[m[1]!, m[2]!] as const] : [];
  });
  const rows = Object.entries(STATIC_PODS)
    .filter(([, p]) => c.host!.kind === 'master' && (!c.root || existsSync(join(c.root, '/etc/origin/node/pods', p.manifest))))
    .filter(([component]) => component !== 'etcd' || c.host!.etcdId !== undefined)
    .map(([component, p]) => {
      const own: Record<string, string> = {
        'io.kubernetes.container.name': component,
        'io.kubernetes.pod.namespace': 'kube-system',
        'io.kubernetes.pod.name': `${p.pod}-${c.host!.name}`,
      };
      const id = stableId(`${c.host!.name}:${component}`);
      return { id, labels: own, name: `k8s_${component}_${p.pod}-${c.host!.name}_kube-system_${id.slice(0, 8)}_0` };
    })
    .filter((r) => labels.every(([k, v]) => r.labels[k] === v));
  if (c.words.includes('-q') || c.words.includes('--quiet')) return { out: rows.map((r) => r.id).join('\n') };
  const table = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']].concat(
    rows.map((r) => [
      r.id,
      'registry.redhat.io/openshift3/ose-control-plane@sha256:6d2f…',
      '"/bin/bash -c \'#!/…"',
      '5 weeks ago',
      'Up 5 weeks',
      '',
      r.name,
    ]),
  );
  const w = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)) + 3);
  return { out: table.map((row) => row.map((x, i) => (i === row.length - 1 ? x : x.padEnd(w[i]!))).join('')).join('\n') };
}

function stableId(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let i = 0; out.length < 12; i++) {
    for (const ch of `${seed}:${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 12);
}

// ---- the table's rules -------------------------------------------------------------------------------------

const st = (c: DemoContext): HostStorage => demoStorage(c.cluster, c.host);

/** Disks, LVM and docker storage (commands.ts spreads them into its table, before its general rules). */
export const DOCKER_STORAGE_COMMANDS: readonly DemoCommand[] = [
  { id: 'lvm-report', match: /^(vgs|lvs|pvs)\b/, answer: (c) => lvmReport(st(c), c.match[1] as Kind, c.words) },
  { id: 'lvremove', match: /^lvremove\b/, answer: (c) => lvremove(st(c), c.host, c.words) },
  { id: 'vgremove', match: /^vgremove\b/, answer: (c) => vgremove(st(c), c.words) },
  { id: 'pvremove', match: /^pvremove\b/, answer: (c) => pvremove(st(c), c.words) },
  { id: 'pvcreate', match: /^pvcreate\b/, answer: (c) => pvcreate(st(c), c.words) },
  {
    id: 'vgcreate',
    match: /^vg(create|extend) (?:-\S+ )*(\S+)((?: \S+)+)$/,
    answer: (c) => joinVg(st(c), c.match[2]!, c.match[3]!.trim().split(' '), c.match[1] === 'create'),
  },
  { id: 'lvextend', match: /^lvextend\b/, answer: (c) => lvextend(st(c), c.words) },
  {
    id: 'xfs-growfs',
    match: /^xfs_growfs (\S+)$/,
    answer: (c) => {
      const m = st(c).mounts.find((x) => x.target === c.match[1] || x.source === c.match[1]);
      if (!m) return { err: `xfs_growfs: ${c.match[1]} is not a mounted XFS filesystem`, code: 1 };
      return { out: `meta-data=${m.source}     isize=512    agcount=4, agsize=1638400 blks\ndata blocks changed` };
    },
  },
  { id: 'wipefs', match: /^wipefs\b/, answer: (c) => wipefs(st(c), c.words) },
  { id: 'lsblk', match: /^lsblk\b/, answer: (c) => lsblk(st(c), c.words) },
  { id: 'findmnt', match: /^findmnt\b/, answer: (c) => findmnt(st(c), c.words) },
  {
    id: 'mountpoint',
    match: /^mountpoint (?:-q )?(\S+)$/,
    answer: (c) => {
      const t = c.match[1]!.replace(/\/+$/, '') || '/';
      const q = c.words.includes('-q');
      return st(c).mounts.some((m) => m.target === t)
        ? { out: q ? '' : `${t} is a mountpoint` }
        : { out: q ? '' : `${t} is not a mountpoint`, code: 32 };
    },
  },
  {
    id: 'umount',
    match: /^umount (\S+)$/,
    answer: (c) => {
      const s = st(c);
      const t = c.match[1]!.replace(/\/+$/, '') || '/';
      const m = s.mounts.find((x) => x.target === t || x.source === t);
      if (!m) return { err: `umount: ${t}: not mounted`, code: 32 };
      if (m.target === '/') return { err: 'umount: /: target is busy.', code: 32 };
      return withEffect({}, () => {
        s.mounts = s.mounts.filter((x) => x !== m);
      });
    },
  },
  { id: 'docker-storage-setup', match: /^docker-storage-setup$/, answer: (c) => dockerStorageSetup(st(c), c.root) },
  {
    id: 'systemctl-docker-change',
    match: /^systemctl (start|stop|restart) /,
    when: (c) => unitsOf(c.words).length > 0 && unitsOf(c.words).every((u) => DOCKER_UNITS.includes(u)),
    answer: (c) => {
      const s = st(c);
      const verb = c.match[1]!;
      const units = unitsOf(c.words);
      return withEffect({}, () => {
        for (const u of units) {
          if (verb === 'stop') s.stopped.add(u);
          else {
            s.stopped.delete(u);
            if (u === 'docker' && c.host) startDocker(c.host, c.root);
            if (u === 'atomic-openshift-node' && c.root) nodeServiceStarted(c.root);
          }
        }
      });
    },
  },
  {
    id: 'systemctl-docker-is-active',
    match: /^systemctl is-active (\S+)$/,
    when: (c) => st(c).stopped.has(c.match[1]!.replace(/\.service$/, '')),
    answer: () => ({ out: 'inactive', code: 3 }),
  },
  { id: 'docker-ps', match: /^docker ps\b/, needs: 'docker', answer: dockerPs },
  {
    id: 'docker-info-stopped',
    match: /^docker info$/,
    needs: 'docker',
    when: (c) => st(c).stopped.has('docker'),
    answer: () => ({ err: NO_DAEMON, code: 1 }),
  },
];

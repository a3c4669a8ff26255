// LVM and docker's storage on an OpenShift 3.x node: the LVM reports (vgs / lvs / pvs with --noheadings
// --separator and -o columns, sizes in bytes, or their default tables), lsblk, findmnt,
// /etc/sysconfig/docker-storage and docker-storage-setup. Commands and pure parsers; the docker storage
// procedures and the disk checks read them from here. Names are always read, never assumed.
import { argv, type ShellCommand } from '../transport/shell.js';

export const DOCKER_STORAGE = '/etc/sysconfig/docker-storage';
export const STORAGE_SETUP = '/etc/sysconfig/docker-storage-setup';
export const DOCKER_ROOT = '/var/lib/docker';
/** The LV docker-storage-setup makes for /var/lib/docker (the guide's CONTAINER_ROOT_LV_NAME). */
export const ROOT_LV = 'dockerlv';

// ---- names that go into commands and into a file that docker-storage-setup sources -----------------------

const LVM_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/;
const DEVICE = /^\/dev\/[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/;

/** An LVM volume group or logical volume name (lvm(8)'s characters); else an error naming it. */
export function lvmName(value: string, what: string): string {
  if (!LVM_NAME.test(value) || value === '.' || value === '..')
    throw new Error(`${what} ${JSON.stringify(value)} is not an LVM name (letters, digits, + _ . -)`);
  return value;
}

/** A block device path under /dev; else an error naming it. */
export function devicePath(value: string, what: string): string {
  if (!DEVICE.test(value) || value.split('/').includes('..'))
    throw new Error(`${what} ${JSON.stringify(value)} is not a device path such as /dev/xvdb`);
  return value;
}

/** Parameter validator: a whole-disk device path. */
export function validateDevice(value: string): string | undefined {
  try {
    devicePath(value, 'device');
    return undefined;
  } catch (e) {
    return `${(e as Error).message}; give the disk, e.g. /dev/xvdd`;
  }
}

/** Parameter validator: a volume group name. */
export function validateVg(value: string): string | undefined {
  try {
    lvmName(value, 'volume group');
    return undefined;
  } catch (e) {
    return `${(e as Error).message}; give the docker volume group as vgs lists it`;
  }
}

/** The device-mapper name of VG/LV (each '-' doubled, then VG-LV): /dev/mapper/<this>. */
export function dmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

// ---- the LVM reports ------------------------------------------------------------------------------------

export interface VgRow {
  name: string;
  pvCount: number;
  lvCount: number;
  sizeBytes: number;
  freeBytes: number;
}
export interface LvRow {
  vg: string;
  name: string;
  attr: string;
  sizeBytes: number;
}
export interface PvRow {
  name: string;
  /** '' for a PV in no volume group. */
  vg: string;
  sizeBytes: number;
}

export const SEP = '|';
const report = (tool: 'vgs' | 'lvs' | 'pvs', fields: string[], ...args: string[]): ShellCommand =>
  argv(tool, '--noheadings', '--separator', SEP, '--units', 'b', '--nosuffix', '-o', fields.join(','), ...args);

export const VGS_FIELDS = ['vg_name', 'pv_count', 'lv_count', 'vg_size', 'vg_free'];
export const LVS_FIELDS = ['vg_name', 'lv_name', 'lv_attr', 'lv_size'];
export const PVS_FIELDS = ['pv_name', 'vg_name', 'pv_size'];
export const vgsCommand = (...vgs: string[]): ShellCommand => report('vgs', VGS_FIELDS, ...vgs);
export const lvsCommand = (...vgs: string[]): ShellCommand => report('lvs', LVS_FIELDS, ...vgs);
export const pvsCommand = (): ShellCommand => report('pvs', PVS_FIELDS);

/** The fields of `--noheadings --separator '|'` lines (LVM indents each line by two spaces). */
function separatedRows(text: string, fields: number, tool: string): string[][] {
  const rows: string[][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split(SEP).map((x) => x.trim());
    if (f.length !== fields)
      throw new Error(`${tool}: expected ${fields} '${SEP}'-separated fields, got ${JSON.stringify(line.slice(0, 120))}`);
    rows.push(f);
  }
  return rows;
}

function bytes(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${what}: ${JSON.stringify(value)} is not a size in bytes (--units b --nosuffix)`);
  return Number(value);
}

export function parseVgs(text: string): VgRow[] {
  return separatedRows(text, VGS_FIELDS.length, 'vgs').map(([name, pv, lv, size, free]) => ({
    name: name!,
    pvCount: Number(pv),
    lvCount: Number(lv),
    sizeBytes: bytes(size!, `vgs ${name} vg_size`),
    freeBytes: bytes(free!, `vgs ${name} vg_free`),
  }));
}

/** Visible LVs only: `lvs` without -a never lists the hidden [..] ones; if asked with -a they are dropped. */
export function parseLvs(text: string): LvRow[] {
  return separatedRows(text, LVS_FIELDS.length, 'lvs')
    .filter(([, name]) => !name!.startsWith('['))
    .map(([vg, name, attr, size]) => ({ vg: vg!, name: name!, attr: attr!, sizeBytes: bytes(size!, `lvs ${vg}/${name} lv_size`) }));
}

export function parsePvs(text: string): PvRow[] {
  return separatedRows(text, PVS_FIELDS.length, 'pvs').map(([name, vg, size]) => ({
    name: name!,
    vg: vg!,
    sizeBytes: bytes(size!, `pvs ${name} pv_size`),
  }));
}

// ---- block devices and mounts ---------------------------------------------------------------------------

export interface BlockDev {
  name: string;
  type: string;
  sizeBytes: number;
  /** The parent device ('' for a disk). */
  parent: string;
}

/** `lsblk -nbpP -o NAME,TYPE,SIZE,PKNAME`: every block device (lvm devices included), full paths. */
export const lsblkCommand = (): ShellCommand => argv('lsblk', '-nbpP', '-o', 'NAME,TYPE,SIZE,PKNAME');

export function parseLsblkPairs(text: string): BlockDev[] {
  const outp: BlockDev[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const kv: Record<string, string> = {};
    for (const m of line.matchAll(/([A-Z:-]+)="([^"]*)"/g)) kv[m[1]!] = m[2]!;
    if (kv['NAME'] === undefined || kv['TYPE'] === undefined)
      throw new Error(`lsblk: no NAME/TYPE in ${JSON.stringify(line.slice(0, 120))}`);
    outp.push({ name: kv['NAME'], type: kv['TYPE'], sizeBytes: Number(kv['SIZE'] ?? '0'), parent: kv['PKNAME'] ?? '' });
  }
  return outp;
}

export interface Mount {
  source: string;
  target: string;
}

/** `findmnt -rn -o SOURCE,TARGET`: every mount (raw: a space in a path is \x20). */
export const findmntCommand = (): ShellCommand => argv('findmnt', '-rn', '-o', 'SOURCE,TARGET');

export function parseFindmnt(text: string): Mount[] {
  const unesc = (s: string) => s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2 && f[0] !== '')
    .map((f) => ({ source: unesc(f[0]!), target: unesc(f[1]!) }));
}

// ---- docker's storage files -----------------------------------------------------------------------------

/** `/etc/sysconfig/docker-storage`: the `--storage-driver X` (or `-s X`) of DOCKER_STORAGE_OPTIONS. */
export function parseDockerStorageSysconfig(text: string): { options?: string; storageDriver?: string } {
  const line = text.split(/\r?\n/).find((l) => /^\s*DOCKER_STORAGE_OPTIONS\s*=/.test(l));
  if (!line) return {};
  const options = line.replace(/^\s*DOCKER_STORAGE_OPTIONS\s*=\s*/, '').replace(/^(['"])(.*)\1\s*$/, '$2');
  const r = /(?:--storage-driver(?:=|\s+)|(?:^|\s)-s\s+)(\S+)/.exec(options);
  return r ? { options, storageDriver: r[1]! } : { options };
}

/** `KEY=value` lines of a sysconfig file (docker-storage-setup), quotes removed; the last one wins. */
export function parseSysconfig(text: string): Record<string, string> {
  const outp: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2]!.trim();
    const q = /^(["'])(.*)\1$/.exec(v);
    if (q) v = q[2]!;
    else v = v.replace(/\s+#.*$/, '');
    outp[m[1]!] = v;
  }
  return outp;
}

/** DOCKER_STORAGE_OPTIONS of /etc/sysconfig/docker-storage: the driver and the thin pool device, if any. */
export function parseDockerStorage(text: string): { driver?: string; thinPool?: string } {
  const p = parseDockerStorageSysconfig(text);
  const r: { driver?: string; thinPool?: string } = {};
  const pool = /(?:^|\s)dm\.thinpooldev=(\S+)/.exec(p.options ?? '');
  if (pool) r.thinPool = pool[1]!;
  if (p.storageDriver) r.driver = p.storageDriver;
  else if (pool) r.driver = 'devicemapper';
  return r;
}

/**
 * The /etc/sysconfig/docker-storage-setup of the guide's 7.1.3 for overlay2: the same disks (DEVS, the
 * whole disks, quoted when several) and the same volume group, a `dockerlv` of all the free space
 * mounted on /var/lib/docker. Refuses names that are not plain device paths / LVM names (the file is
 * sourced by a shell).
 */
export function overlay2SetupFile(o: { devs: string[]; vg: string }): string {
  if (o.devs.length === 0) throw new Error('no disk for DEVS');
  const devs = o.devs.map((d) => devicePath(d, 'disk'));
  const vg = lvmName(o.vg, 'volume group');
  return [
    `DEVS=${devs.length === 1 ? devs[0] : `"${devs.join(' ')}"`}`,
    `VG=${vg}`,
    'DATA_SIZE=95%VG',
    'STORAGE_DRIVER=overlay2',
    `CONTAINER_ROOT_LV_NAME=${ROOT_LV}`,
    `CONTAINER_ROOT_LV_MOUNT_PATH=${DOCKER_ROOT}`,
    'CONTAINER_ROOT_LV_SIZE=100%FREE',
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** The DEVS= line for these disks (quoted when several, as the guide writes `DEVS="/dev/xvdb /dev/xvdd"`). */
export function devsLine(devs: string[]): string {
  const d = devs.map((x) => devicePath(x, 'disk'));
  return `DEVS=${d.length === 1 ? d[0] : `"${d.join(' ')}"`}`;
}

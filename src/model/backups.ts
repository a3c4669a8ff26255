// The etcd backups found on a host, for the parameters that name one (etcd-restore's `backup` directory,
// etcd-snapshot-restore's `snapshot` file): one read-only `find` under /backup and pure parsers that turn
// its listing into choices, newest first, with date and size. No React, no Runner (see discovery.ts).
import type { CommandOutput } from '../checks/types.js';
import type { DiscoveredChoice, ParameterDiscovery } from '../engine/types.js';
import { type ShellCommand, sh } from '../transport/shell.js';

/** Where the guide's backups go (`/backup/etcd-$(date +%Y%m%d)`). */
export const BACKUP_ROOT = '/backup';

/** One file of the listing. */
export interface ListedFile {
  /** Modification time, seconds since the epoch. */
  mtime: number;
  size: number;
  path: string;
}

/**
 * Every `db` and `*.wal` file up to 4 levels below the root (`<root>/etcd-X/member/wal/N.wal` is 4 deep),
 * one `<mtime> <size> <path>` line each; `no-dir: <root>` when the root does not exist.
 */
export function backupListCommand(root: string = BACKUP_ROOT): ShellCommand {
  const find = sh`find ${root} -maxdepth 4 -type f \\( -name db -o -name '*.wal' \\) -printf '%T@ %s %p\\n'`;
  return sh`if test -d ${root}; then ${find}; else echo ${`no-dir: ${root}`}; fi`;
}

/** The listing's lines; anything else (find's complaints, a path broken by a line break) is left out. */
export function parseBackupListing(stdout: string): ListedFile[] {
  const out: ListedFile[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\d+(?:\.\d+)?) (\d+) (\/.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    out.push({ mtime: Number(m[1]), size: Number(m[2]), path: m[3]! });
  }
  return out;
}

/** A `db` that lies in a data directory's `snap/` (e.g. `member/snap/db`): no integrity hash, restored only with --skip-hash-check. */
export function isDataDirCopy(path: string): boolean {
  return /(^|\/)snap\/db$/.test(path);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM`, local time of this machine. */
export function formatDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 512 B, 3.4 KiB, 12.0 MiB, 1.5 GiB. */
export function formatSize(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} B`;
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const dirOf = (p: string) => p.replace(/\/[^/]*$/, '') || '/';

/** The backup directory a db belongs to: `D` for `D/db`, `D` for `D/member/snap/db` (or `D/member.old-*\/snap/db`). */
function backupDirOf(path: string): string {
  return isDataDirCopy(path) ? dirOf(dirOf(dirOf(path))) : dirOf(path);
}

function notEmpty(f: ListedFile): boolean {
  return f.size > 0;
}

/**
 * etcd-restore's choices: directories laid out as etcd-backup writes them — `db` (the v3 snapshot),
 * `member/snap/db` and at least one `member/wal/*.wal` (the v2 backup) — newest snapshot first.
 */
export function etcdBackupDirs(files: readonly ListedFile[]): DiscoveredChoice[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const found: { dir: string; db: ListedFile }[] = [];
  for (const f of files) {
    if (!f.path.endsWith('/db') || isDataDirCopy(f.path) || !notEmpty(f)) continue;
    const dir = dirOf(f.path);
    const v2db = byPath.get(`${dir}/member/snap/db`);
    const wal = files.some((w) => w.path.startsWith(`${dir}/member/wal/`) && w.path.endsWith('.wal'));
    if (v2db && notEmpty(v2db) && wal) found.push({ dir, db: f });
  }
  found.sort((a, b) => b.db.mtime - a.db.mtime || a.dir.localeCompare(b.dir));
  return found.map(({ dir, db }) => ({
    value: dir,
    label: `${dir}  ${formatDate(db.mtime)}  ${formatSize(db.size)}  v3 snapshot + v2 backup`,
  }));
}

/**
 * etcd-snapshot-restore's choices: every non-empty `db` file — a snapshot (`etcdctl snapshot save`, hash
 * checked on restore) or a copy of a data directory's `snap/db` (--skip-hash-check) — grouped by backup
 * directory, newest first, the snapshot before the copy within one directory.
 */
export function etcdSnapshotFiles(files: readonly ListedFile[]): DiscoveredChoice[] {
  // In a backup directory with a snapshot (<dir>/db), <dir>/member*/snap/db is the v2 backup's: etcdctl
  // backup (without --with-v3) writes it with no v3 data, so restoring it would bring back an empty keyspace.
  const withSnapshot = new Set(files.filter((f) => f.path.endsWith('/db') && !isDataDirCopy(f.path)).map((f) => dirOf(f.path)));
  const dbs = files.filter(
    (f) => f.path.endsWith('/db') && notEmpty(f) && !(isDataDirCopy(f.path) && withSnapshot.has(backupDirOf(f.path))),
  );
  const newest = new Map<string, number>();
  for (const f of dbs) newest.set(backupDirOf(f.path), Math.max(newest.get(backupDirOf(f.path)) ?? 0, f.mtime));
  const sorted = [...dbs].sort((a, b) => {
    const da = backupDirOf(a.path);
    const db = backupDirOf(b.path);
    if (da !== db) return newest.get(db)! - newest.get(da)! || da.localeCompare(db);
    const ka = isDataDirCopy(a.path) ? 1 : 0;
    const kb = isDataDirCopy(b.path) ? 1 : 0;
    return ka - kb || a.path.localeCompare(b.path);
  });
  return sorted.map((f) => ({
    value: f.path,
    label:
      `${f.path}  ${formatDate(f.mtime)}  ${formatSize(f.size)}  ` +
      `${isDataDirCopy(f.path) ? 'copy of a data dir (--skip-hash-check)' : 'snapshot'}`,
  }));
}

/** The listing's problems worth a sentence: no such root. */
function rootMissing(out: CommandOutput): string | undefined {
  const m = /^no-dir: (.*)$/m.exec(out.stdout);
  return m ? m[1] : undefined;
}

function listingOrThrow(out: CommandOutput): ListedFile[] {
  const files = parseBackupListing(out.stdout);
  if (rootMissing(out) !== undefined) return [];
  if (files.length === 0 && out.exitCode !== 0) {
    const why = `${out.stderr}\n${out.stdout}`.trim().split('\n').slice(-1)[0] ?? '';
    throw new Error(`listing ${BACKUP_ROOT} failed (exit ${out.exitCode ?? 'none'})${why ? `: ${why.slice(0, 200)}` : ''}`);
  }
  return files;
}

/** etcd-restore `backup`: the complete etcd backup directories under /backup on the chosen member. */
export const etcdBackupDiscovery: ParameterDiscovery = {
  describe: `etcd backups (db + member/snap/db + member/wal) under ${BACKUP_ROOT}`,
  where: { param: 'host' },
  command: () => backupListCommand(),
  parse: (out) => etcdBackupDirs(listingOrThrow(out)),
};

/** etcd-snapshot-restore `snapshot`: the v3 snapshot files (and data dir copies) under /backup on the chosen member. */
export const etcdSnapshotDiscovery: ParameterDiscovery = {
  describe: `etcd v3 snapshots (db files) under ${BACKUP_ROOT}`,
  where: { param: 'host' },
  command: () => backupListCommand(),
  parse: (out) => etcdSnapshotFiles(listingOrThrow(out)),
};

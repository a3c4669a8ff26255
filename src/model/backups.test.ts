import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Host } from '../inventory/types.js';
import {
  backupListCommand,
  etcdBackupDirs,
  etcdBackupDiscovery,
  etcdSnapshotDiscovery,
  etcdSnapshotFiles,
  formatDate,
  formatSize,
  isDataDirCopy,
  parseBackupListing,
} from './backups.js';

const H: Host = {
  name: 'master-0.example.com',
  address: '10.0.0.1',
  port: 22,
  become: false,
  roles: ['etcd'],
  groups: ['etcd'],
  vars: {},
  file: 't',
  line: 1,
};
const T1 = 1714557600; // 2024-05-01 10:00 UTC
const T2 = T1 + 86400;

/** A /backup-like tree: two complete etcd-backup dirs, one without its v2 part, a data dir copy, noise. */
function tree(root: string): void {
  const file = (rel: string, bytes: number, mtime: number) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, Buffer.alloc(bytes, 1));
    utimesSync(p, mtime, mtime);
  };
  file('etcd-20240501/db', 2_500_000, T1);
  file('etcd-20240501/member/snap/db', 2_400_000, T1 + 5);
  file('etcd-20240501/member/wal/0000000000000000-0000000000000000.wal', 64_000_000, T1 + 5);
  file('etcd-20240502/db', 3_000_000, T2);
  file('etcd-20240502/member/snap/db', 2_900_000, T2 + 5);
  file('etcd-20240502/member/wal/0000000000000000-0000000000000000.wal', 64_000_000, T2 + 5);
  file('etcd-only-v3/db', 1000, T2 + 100);
  file('datadir copy/member/snap/db', 4096, T1 - 1000);
  file('etcd-empty/db', 0, T2 + 200);
  file('master-0/20240501/etc/origin/master/master-config.yaml', 10, T1);
}

test('the listing command runs under sh and prints mtime, size and path of every db and wal; a missing root says so', () => {
  const root = mkdtempSync(join(tmpdir(), 'day2-backups-'));
  try {
    tree(root);
    const out = execFileSync('sh', ['-c', backupListCommand(root).script], { encoding: 'utf8' });
    const files = parseBackupListing(out);
    assert.equal(files.length, 9, out);
    const db = files.find((f) => f.path === join(root, 'etcd-20240502/db'));
    assert.deepEqual(db && { mtime: Math.floor(db.mtime), size: db.size }, { mtime: T2, size: 3_000_000 });
    assert.ok(
      files.some((f) => f.path === join(root, 'datadir copy/member/snap/db')),
      'a path with a space',
    );
    assert.ok(!files.some((f) => f.path.endsWith('.yaml')));
    // choices from the real listing
    const dirs = etcdBackupDirs(files).map((c) => c.value);
    assert.deepEqual(dirs, [join(root, 'etcd-20240502'), join(root, 'etcd-20240501')]);
    const missing = execFileSync('sh', ['-c', backupListCommand(join(root, 'nope')).script], { encoding: 'utf8' });
    assert.equal(missing.trim(), `no-dir: ${join(root, 'nope')}`);
    assert.deepEqual(etcdBackupDiscovery.parse({ exitCode: 0, stdout: missing, stderr: '' }, H), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const LISTING = [
  `${T1}.0000000000 2500000 /backup/etcd-20240501/db`,
  `${T1 + 5}.1 2400000 /backup/etcd-20240501/member/snap/db`,
  `${T1 + 5}.1 64000000 /backup/etcd-20240501/member/wal/0000000000000000-0000000000000000.wal`,
  `${T2}.5 3000000 /backup/etcd-20240502/db`,
  `${T2 + 5}.5 2900000 /backup/etcd-20240502/member/snap/db`,
  `${T2 + 5}.5 64000000 /backup/etcd-20240502/member/wal/0000000000000000-0000000000000000.wal`,
  `${T2 + 100} 1000 /backup/etcd-only-v3/db`,
  `${T1 - 1000} 4096 /backup/copy/member/snap/db`,
  `${T2 + 200} 0 /backup/etcd-empty/db`,
  'find: ‘/backup/lost+found’: Permission denied',
  '',
].join('\n');

test('parseBackupListing keeps only well-formed lines', () => {
  const f = parseBackupListing(LISTING);
  assert.equal(f.length, 9);
  assert.deepEqual(f[0], { mtime: T1, size: 2_500_000, path: '/backup/etcd-20240501/db' });
  assert.deepEqual(parseBackupListing('garbage\n12 x /a\n1 2 relative/db\n'), []);
});

test('etcd-restore choices: complete backup directories only (db + member/snap/db + a wal), newest first, with date and size', () => {
  const c = etcdBackupDirs(parseBackupListing(LISTING));
  assert.deepEqual(
    c.map((x) => x.value),
    ['/backup/etcd-20240502', '/backup/etcd-20240501'],
  );
  assert.equal(c[0]!.label, `/backup/etcd-20240502  ${formatDate(T2 + 0.5)}  2.9 MiB  v3 snapshot + v2 backup`);
});

test(
  'etcd-snapshot-restore choices: every non-empty db, newest backup dir first; a v2 backup’s ' +
    'member/snap/db (no v3 data) is not offered',
  () => {
    const c = etcdSnapshotFiles(parseBackupListing(LISTING));
    // /backup/etcd-2024050x/member/snap/db lie beside a snapshot (<dir>/db): etcdctl2 backup wrote them without
    // v3 data (revision 0), so they are left out; a data dir copy on its own is offered, with --skip-hash-check
    assert.deepEqual(
      c.map((x) => x.value),
      ['/backup/etcd-only-v3/db', '/backup/etcd-20240502/db', '/backup/etcd-20240501/db', '/backup/copy/member/snap/db'],
    );
    assert.match(c[1]!.label, /^\/backup\/etcd-20240502\/db {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}2\.9 MiB {2}snapshot$/);
    assert.match(c[3]!.label, /copy of a data dir \(--skip-hash-check\)$/);
    assert.deepEqual(etcdSnapshotDiscovery.parse({ exitCode: 0, stdout: LISTING, stderr: '' }, H).length, 4);
  },
);

test('a failed listing with nothing in it is an error sentence; a partial one (find complained) still lists', () => {
  assert.throws(
    () => etcdSnapshotDiscovery.parse({ exitCode: 1, stdout: '', stderr: 'sudo: a password is required' }, H),
    /listing \/backup failed \(exit 1\): sudo: a password is required/,
  );
  assert.equal(etcdSnapshotDiscovery.parse({ exitCode: 1, stdout: LISTING, stderr: 'find: permission denied' }, H).length, 4);
});

test('helpers: data dir copies, sizes, dates', () => {
  assert.equal(isDataDirCopy('/backup/etcd-1/member/snap/db'), true);
  assert.equal(isDataDirCopy('/var/lib/etcd.old-1/member/snap/db'), true);
  assert.equal(isDataDirCopy('/backup/etcd-1/db'), false);
  assert.equal(isDataDirCopy('/backup/snapdb'), false);
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatSize(2048), '2.0 KiB');
  assert.equal(formatSize(3_000_000), '2.9 MiB');
  assert.equal(formatSize(5 * 1024 ** 3), '5.0 GiB');
  const d = new Date(2024, 4, 1, 9, 5);
  assert.equal(formatDate(d.getTime() / 1000), '2024-05-01 09:05');
});

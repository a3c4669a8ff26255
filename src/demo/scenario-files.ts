// The file changes of the DEMO scenarios (scenarios.ts): one function per change, made on a host's
// directory just after host-files.ts seeded it (runner.ts rootOf).
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoCluster, DemoHost } from './cluster.js';
import { ENTROPY_AVAIL, LOW_ENTROPY } from './entropy.js';
import { demoEtcd, snapshotText } from './etcd.js';
import { etcdConf } from './host-files.js';
import { writeUnder } from './host-roots.js';
import type { DemoScenario } from './scenarios.js';

/** Makes the scenario's changes to a host's files, just after host-files.ts seeded them. */
export function applyScenarioFiles(s: DemoScenario, c: DemoCluster, h: DemoHost | undefined, root: string, now = new Date()): void {
  if (!h) return;
  for (const change of s.changes) {
    if (!('host' in change) || change.host !== h.short) continue;
    if (change.kind === 'etcd-data-gone') etcdDataGone(root);
    if (change.kind === 'etcd-backup-last-night') lastNightBackup(c, h, root, now);
    if (change.kind === 'low-entropy') writeUnder(root, ENTROPY_AVAIL, `${LOW_ENTROPY}\n`);
  }
}

/** The member's /var/lib/etcd/member is gone (the directory itself stays): etcd exits at start, "not an added member". */
export function etcdDataGone(root: string): void {
  rmSync(join(root, '/var/lib/etcd/member'), { recursive: true, force: true });
}

/**
 * What etcd-backup left on the member the night before (23:30 yesterday): /backup/etcd-config-<date>/etcd/
 * and /backup/etcd-<date>/ with the v3 snapshot (db) and the v2 backup (member/snap/db, member/wal/*.wal).
 */
export function lastNightBackup(c: DemoCluster, h: DemoHost, root: string, now = new Date()): void {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 23, 30, 0);
  const p = (n: number) => String(n).padStart(2, '0');
  // the <YYYYMMDD> of etcd-backup's directories (procedures/backup-common.ts dateStamp: local time)
  const day = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}`;
  const snapshot = snapshotText(demoEtcd(c));
  const data = `/backup/etcd-${day}`;
  const files = [
    written(root, `/backup/etcd-config-${day}/etcd/etcd.conf`, etcdConf(c, h)),
    written(root, `${data}/db`, snapshot, 0o600),
    written(root, `${data}/member/snap/db`, snapshot, 0o600),
    written(root, `${data}/member/wal/0000000000000000-0000000000000000.wal`, `demo etcd WAL of ${h.name}\n`, 0o600),
  ];
  const dirs = [
    `/backup/etcd-config-${day}/etcd`,
    `/backup/etcd-config-${day}`,
    `${data}/member/snap`,
    `${data}/member/wal`,
    `${data}/member`,
    data,
  ];
  for (const dir of dirs) files.push(join(root, dir));
  for (const f of files) utimesSync(f, at, at);
}

function written(root: string, path: string, text: string, mode = 0o644): string {
  writeUnder(root, path, text, mode);
  return join(root, path);
}

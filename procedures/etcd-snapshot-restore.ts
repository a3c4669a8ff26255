// 5.4.2.2 Restoring an etcd v3 snapshot (on one member; the others are added back afterwards):
//   systemctl stop etcd.service                                      (every member)
//   rm -Rf /var/lib/etcd
//   etcdctl3 snapshot restore /backup/etcd-xxxxxx/backup.db --data-dir /var/lib/etcd --name <n>
//     --initial-cluster "<n>=https://<ip>:2380" --initial-cluster-token "etcd-cluster-1"
//     --initial-advertise-peer-urls https://<ip>:2380 [--skip-hash-check=true]   (values from etcd.conf)
//   chown -R etcd.etcd /var/lib/etcd/; restorecon -Rv /var/lib/etcd; systemctl start etcd; master-logs etcd etcd
// then "the remaining nodes can be added to the cluster": as in 5.4.2.1, one at a time (member add on the
// restored member, ETCD_INITIAL_CLUSTER + ETCD_INITIAL_CLUSTER_STATE=existing, start, wait until healthy).
// Beyond the guide's text: the snapshot is checked (snapshot status, its size against the database it
// describes) and restored — which checks its integrity hash — into a new directory beside the data dir
// (`/var/lib/etcd.restored-<timestamp>`) before any service stops, because `snapshot restore` refuses a
// --data-dir that exists at all, and /var/lib/etcd may be a mount point that cannot be removed (LAB-FACTS);
// --skip-hash-check=true is used only for a db copied from a data dir (a path ending in snap/db), which
// has no hash; the name, peer URL and token come from the member's etcd.conf at run time; every member's
// etcd.conf must agree with the inventory before anything stops; data dirs are moved aside
// (/var/lib/etcd.old-<timestamp>), never deleted, and the restored member/ is moved into the empty data
// dir; each member is stopped, started and its log read the way it runs etcd (static pod or unit,
// src/ocp/control-plane.ts), a stop confirmed by nothing listening on its 2379/2380.
// A v3 snapshot holds no v2 keys: what was written through the v2 API is not in it (the plan and the
// gates say so); etcd-restore (5.4.2.1) restores a v2+v3 backup.
import type { CommandOutput } from '../src/checks/types.js';
import type { Placement, Procedure, StepContext } from '../src/engine/types.js';
import { etcdSnapshotDiscovery, isDataDirCopy } from '../src/model/backups.js';
import { controlPlaneProbe, runningCommand, startCommand } from '../src/ocp/control-plane.js';
import { etcdClientUrl, etcdctl, etcdHosts, etcdPeerUrl } from '../src/ocp/etcd.js';
import { type ShellCommand, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import {
  confValue,
  DATA_DIR,
  dataDirVerdict,
  ETCD_CONF,
  etcdLogStep,
  etcdRuntime,
  followEtcdLog,
  healthyV2,
  onParamHost,
  paramMember,
  peerUrlFixSteps,
  restartMastersStep,
  snapshotFileCheckCommand,
  stopEveryMemberStep,
  text,
  untilEtcdHealthy,
} from './etcd-common.js';
import {
  MAX_MEMBERS,
  missingVerdict,
  moveDataAsideStep,
  movedAsideDir,
  quorumStep,
  rejoinSteps,
  snapshotVerdict,
  verifyMembershipStep,
} from './etcd-restore.js';

/** etcd's own default when ETCD_INITIAL_CLUSTER_TOKEN is not set (the value the cluster was then created with). */
export const ETCD_DEFAULT_TOKEN = 'etcd-cluster';

export const NO_V2_KEYS =
  'A v3 snapshot holds no v2 keys: whatever was written through the v2 API (etcdctl2 set, flannel’s v2 network config) ' +
  'is not restored; use etcd-restore with a v2+v3 backup for those.';

const everyMember: Placement = { on: 'role', role: 'etcd', mode: 'serial' };
const restored = (ctx: StepContext): string[] => [etcdClientUrl(paramMember(ctx))];

export function snapshotParam(ctx: StepContext): string {
  return ctx.params['snapshot'] ?? '';
}

/** The new directory the snapshot is restored into before anything stops: beside the data dir. */
export function restoredDir(ctx: StepContext): string {
  return `${DATA_DIR}.restored-${timeStamp(ctx.startedAt)}`;
}

/** The snapshot parameter: an absolute path to a file, outside the data dir. */
export function validateSnapshotPath(value: string): string | undefined {
  if (!value.startsWith('/')) return `${JSON.stringify(value)} is not an absolute path; e.g. /backup/etcd-20261125/db`;
  if (/[\0\n\r]/.test(value)) return 'the path contains a control character';
  if (value.split('/').includes('..')) return `${JSON.stringify(value)} contains "..": give a plain absolute path`;
  if (value.endsWith('/')) return `${JSON.stringify(value)} ends with /: give the snapshot file (e.g. <backup dir>/db), not a directory`;
  if (value === DATA_DIR || value.startsWith(`${DATA_DIR}/`))
    return `the snapshot cannot be inside ${DATA_DIR}, which this procedure moves aside; copy it out first (e.g. to /backup)`;
  return undefined;
}

// ---- pure parts (tested) ---------------------------------------------------------------------------

/** How the snapshot's integrity is checked, in one sentence (log and plan). */
export function hashCheckSentence(file: string): string {
  return isDataDirCopy(file)
    ? `${file} is a copy of a data dir's snap/db: it has no integrity hash, so it is restored with --skip-hash-check=true`
    : `${file} is taken as an etcdctl snapshot save file: its integrity hash is checked by the restore (a copy of a data ` +
        `dir's db must be given by its snap/db path)`;
}

/** Prints "missing: …" when the snapshot file is not there or empty. */
export function snapshotPresentCommand(file: string): ShellCommand {
  return sh`test -f ${file} || echo ${`missing: ${file} (no such file)`};
    test -f ${file} && ! test -s ${file} && echo ${`missing: ${file} (empty file)`}; true`;
}

export interface RestoreValues {
  name: string;
  peerUrl: string;
  token: string;
}

/** The guide's `etcdctl3 snapshot restore …` with the member's values, into `dataDir`. */
export function snapshotRestoreCommand(file: string, dataDir: string, v: RestoreValues): ShellCommand {
  const args = [
    'snapshot',
    'restore',
    file,
    '--data-dir',
    dataDir,
    '--name',
    v.name,
    '--initial-cluster',
    `${v.name}=${v.peerUrl}`,
    '--initial-cluster-token',
    v.token,
    '--initial-advertise-peer-urls',
    v.peerUrl,
    ...(isDataDirCopy(file) ? ['--skip-hash-check=true'] : []),
  ];
  return sh`ETCDCTL_API=3 etcdctl ${args}`;
}

/** An earlier attempt of this run left the new directory behind: keep it under another name, never delete it. */
export function clearRestoreTargetCommand(dir: string): ShellCommand {
  return sh`if test -e ${dir}; then t=${dir}.incomplete-$(date +%s);
    echo ${`${dir} exists (an earlier attempt of this run): moving it to`} "$t"; mv ${dir} "$t" || exit 1; fi`;
}

/** The values of etcd.conf the restore needs, checked against the inventory's member. */
export function restoreValues(conf: string, member: { name: string; peerUrl: string }): RestoreValues {
  const name = confValue(conf, 'ETCD_NAME');
  const peerUrl = confValue(conf, 'ETCD_INITIAL_ADVERTISE_PEER_URLS');
  if (!name) throw new Error(`${ETCD_CONF} of ${member.name} has no ETCD_NAME`);
  if (!peerUrl) throw new Error(`${ETCD_CONF} of ${member.name} has no ETCD_INITIAL_ADVERTISE_PEER_URLS`);
  if (name !== member.name)
    throw new Error(`ETCD_NAME is ${JSON.stringify(name)}, the inventory says ${member.name}: fix one of them first`);
  if (peerUrl !== member.peerUrl)
    throw new Error(`ETCD_INITIAL_ADVERTISE_PEER_URLS is ${peerUrl}, the inventory says ${member.peerUrl}: fix one of them first`);
  if (peerUrl.includes(','))
    throw new Error(`ETCD_INITIAL_ADVERTISE_PEER_URLS lists several URLs (${peerUrl}): this procedure restores a member with one`);
  return { name, peerUrl, token: confValue(conf, 'ETCD_INITIAL_CLUSTER_TOKEN') || ETCD_DEFAULT_TOKEN };
}

/** A member's etcd.conf agrees with the inventory and uses /var/lib/etcd. */
export function memberConfVerdict(conf: string, member: { name: string; peerUrl: string }): true | string {
  const name = confValue(conf, 'ETCD_NAME');
  const url = confValue(conf, 'ETCD_INITIAL_ADVERTISE_PEER_URLS');
  const dataDir = confValue(conf, 'ETCD_DATA_DIR');
  if (name !== member.name)
    return (
      `ETCD_NAME is ${JSON.stringify(name)}, the inventory says ${member.name}: the member would come back under ` +
      `another name; fix one of them first`
    );
  if (url !== member.peerUrl) return `ETCD_INITIAL_ADVERTISE_PEER_URLS is ${JSON.stringify(url)}, the inventory says ${member.peerUrl}`;
  return dataDirVerdict(dataDir);
}

/**
 * Before the restored data goes in: etcd stopped, and either the data dir empty with the restored member/
 * waiting, or (an earlier attempt of this step) only member/ in the data dir and nothing left to move.
 */
export function restoreDataPrecondition(stdout: string, restored: string): true | string {
  if (/^running$/m.test(stdout)) return 'etcd is running on this member';
  const entries = /^entries: (\d+)$/m.exec(stdout)?.[1];
  const waiting = /^restored-present$/m.test(stdout);
  const moved = /^member-present$/m.test(stdout);
  if (entries === '0') return waiting || `${restored}/member is missing: the restore step did not run`;
  if (entries === '1' && moved && !waiting) return true;
  return `${DATA_DIR} is not empty (${entries ?? '?'} entries): refusing to put the restored data over something`;
}

const CONF_KEYS = sh`grep -E '^(ETCD_NAME|ETCD_INITIAL_ADVERTISE_PEER_URLS|ETCD_INITIAL_CLUSTER_TOKEN|ETCD_DATA_DIR)=' ${ETCD_CONF}`;
const confOf = (o: CommandOutput[]): string => o[0]?.stdout ?? '';
const memberOf = (ctx: StepContext) => {
  const h = ctx.host ?? paramMember(ctx);
  return { name: h.name, peerUrl: etcdPeerUrl(h) };
};

// ---- the procedure ---------------------------------------------------------------------------------

export const etcdSnapshotRestore: Procedure = defineProcedure({
  id: 'etcd-snapshot-restore',
  title: 'Restore etcd from a v3 snapshot',
  section: '5.4.2.2',
  guideLine: 1143,
  risk: 'destructive',
  summary: 'Restores a v3 snapshot into a fresh data directory on one member and starts it as a single-member cluster.',
  parameters: [
    hostParam('host', 'etcd', 'Member to restore the snapshot on'),
    {
      ...textParam('snapshot', 'Snapshot file on that member, e.g. /backup/etcd-<YYYYMMDD>/db'),
      validate: (v) => validateSnapshotPath(v),
      discover: etcdSnapshotDiscovery,
    },
  ],
  // static pod or unit, per member: read from the hosts before the plan and the run
  facts: [controlPlaneProbe],
  steps: [
    {
      id: 'check-snapshot',
      guard: true,
      title: 'Verify the snapshot before anything stops: etcdctl snapshot status <snapshot>, its size against the database it describes',
      section: '5.4.2.2',
      where: onParamHost,
      precondition: {
        describe: 'the snapshot file exists and is not empty',
        command: (ctx) => snapshotPresentCommand(snapshotParam(ctx)),
        ok: missingVerdict('the snapshot'),
      },
      commands: (ctx) => [
        snapshotFileCheckCommand(snapshotParam(ctx)),
        sh`ls -l ${snapshotParam(ctx)}; echo ${hashCheckSentence(snapshotParam(ctx))}`,
      ],
      verify: {
        describe: 'etcdctl snapshot status accepts the file and it is as long as its database',
        command: (ctx) => snapshotFileCheckCommand(snapshotParam(ctx)),
        ok: (out) => snapshotVerdict(out),
      },
    },
    {
      id: 'check-members',
      guard: true,
      title: 'Check every member’s etcd.conf (name, peer URL, data dir) against the inventory',
      section: '5.4.2.2',
      where: everyMember,
      commands: () => [CONF_KEYS],
      verify: {
        describe: 'ETCD_NAME is the inventory name, ETCD_INITIAL_ADVERTISE_PEER_URLS the inventory address, the data dir /var/lib/etcd',
        command: () => CONF_KEYS,
        ok: (out, ctx) => {
          if (etcdHosts(ctx.inventory).length > MAX_MEMBERS) return `the inventory has more than ${MAX_MEMBERS} etcd members`;
          return memberConfVerdict(out.stdout, memberOf(ctx));
        },
      },
    },
    {
      id: 'read-conf',
      title:
        'Read the restored member’s values from /etc/etcd/etcd.conf: ETCD_NAME, ETCD_INITIAL_ADVERTISE_PEER_URLS, ' +
        'ETCD_INITIAL_CLUSTER_TOKEN',
      section: '5.4.2.2',
      where: onParamHost,
      commands: () => [
        CONF_KEYS,
        sh`grep -q '^ETCD_INITIAL_CLUSTER_TOKEN=' ${ETCD_CONF} ||
          echo ${`ETCD_INITIAL_CLUSTER_TOKEN is not set in ${ETCD_CONF}: etcd's default ${ETCD_DEFAULT_TOKEN} applies`}`,
      ],
      capture: {
        'conf-name': (o, ctx) => restoreValues(confOf(o), memberOf(ctx)).name,
        'conf-peer-url': (o, ctx) => restoreValues(confOf(o), memberOf(ctx)).peerUrl,
        'conf-token': (o, ctx) => restoreValues(confOf(o), memberOf(ctx)).token,
      },
    },
    quorumStep('5.4.2.2', {
      title: 'Show the quorum arithmetic, what a v3 snapshot does not hold, and the current member list',
      data: 'the snapshot',
      note: NO_V2_KEYS,
    }),
    {
      id: 'restore-snapshot',
      title:
        'Restore the snapshot into a new directory beside the data dir, before anything stops (etcdctl3 snapshot restore ' +
        '<snapshot> --data-dir /var/lib/etcd.restored-<timestamp> …, values from etcd.conf)',
      section: '5.4.2.2',
      where: onParamHost,
      commands: (ctx) => {
        const dir = restoredDir(ctx);
        const v = {
          name: ctx.captured.get('conf-name'),
          peerUrl: ctx.captured.get('conf-peer-url'),
          token: ctx.captured.get('conf-token'),
        };
        return [
          clearRestoreTargetCommand(dir),
          sh`echo ${hashCheckSentence(snapshotParam(ctx))}`,
          snapshotRestoreCommand(snapshotParam(ctx), dir, v),
          sh`ls -la ${`${dir}/member`} ${`${dir}/member/snap`}`,
        ];
      },
      timeoutMs: 15 * 60_000,
      verify: {
        describe: 'the new directory holds member/snap/db and a WAL',
        command: (ctx) => sh`test -s ${`${restoredDir(ctx)}/member/snap/db`} && ls ${restoredDir(ctx)}/member/wal/*.wal`,
        ok: (out) => out.exitCode === 0 || `the restore left no member/snap/db and WAL: ${text(out).trim().slice(-200)}`,
      },
    },
    stopEveryMemberStep('5.4.2.2', {
      kind: 'confirm',
      what: (ctx) =>
        `etcd stops on every member (${etcdHosts(ctx.inventory)
          .map((h) => h.name)
          .join(
            ', ',
          )}): the cluster and the API are down until ${paramMember(ctx).name} runs alone with the snapshot's data. ${NO_V2_KEYS}`,
      protectedBy: (ctx) =>
        `the snapshot ${snapshotParam(ctx)} on ${paramMember(ctx).name}, verified and already restored into ${restoredDir(ctx)}`,
    }),
    moveDataAsideStep('5.4.2.2', {
      title:
        'Move every member’s data dir aside to /var/lib/etcd.old-<timestamp> (the guide removes it; nothing is deleted ' +
        'here); chown etcd, restorecon',
      note: NO_V2_KEYS,
      protectedBy: (ctx) =>
        `nothing is deleted: ${movedAsideDir(ctx)} on each member keeps the old data (v2 keys included); the snapshot ` +
        `${snapshotParam(ctx)} on ${paramMember(ctx).name}`,
    }),
    {
      id: 'restore-data',
      title: 'Move the restored member/ into /var/lib/etcd; chown -R etcd:etcd; restorecon -Rv',
      section: '5.4.2.2',
      where: onParamHost,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `${paramMember(ctx).name} gets the data restored from ${snapshotParam(ctx)} and will start as a new one-member ` +
          `cluster; the other members rejoin it empty. ${NO_V2_KEYS}`,
        protectedBy: (ctx) => `the old data of every member in ${movedAsideDir(ctx)}; the snapshot ${snapshotParam(ctx)}`,
      },
      precondition: {
        describe: `etcd is stopped, ${DATA_DIR} is empty and the restored member/ is there (or was moved in by an earlier attempt)`,
        command: (ctx) =>
          sh`${runningCommand(etcdRuntime(ctx))}; echo "entries: $(ls -A ${DATA_DIR} | wc -l)";
            test -d ${`${restoredDir(ctx)}/member`} && echo restored-present;
            test -d ${`${DATA_DIR}/member`} && echo member-present; true`,
        ok: (out, ctx) => restoreDataPrecondition(out.stdout, restoredDir(ctx)),
      },
      commands: (ctx) => {
        const from = `${restoredDir(ctx)}/member`;
        return [
          sh`if test -d ${from}; then mv ${from} ${`${DATA_DIR}/member`};
            else echo ${`${from} is gone: moved in by an earlier attempt`}; fi`,
          sh`if test -d ${restoredDir(ctx)};
            then rmdir ${restoredDir(ctx)} || echo ${`${restoredDir(ctx)} is not empty: left as it is`}; fi`,
          sh`chown -R etcd:etcd ${DATA_DIR}/`,
          sh`restorecon -Rv ${DATA_DIR}`,
        ];
      },
      verify: {
        describe: 'member/snap/db and the WAL are in the data dir, owned by etcd',
        command: () => sh`test -s ${DATA_DIR}/member/snap/db && ls ${DATA_DIR}/member/wal/*.wal && stat -c %U ${DATA_DIR}/member`,
        ok: (out) =>
          (out.exitCode === 0 && /^etcd$/m.test(out.stdout)) ||
          `the data dir does not hold the restored data owned by etcd: ${text(out).trim().slice(-200)}`,
      },
    },
    {
      id: 'start',
      title: 'Start etcd, a single-member cluster with the snapshot’s data (systemctl start, or the static pod’s manifest moved back)',
      section: '5.4.2.2',
      where: onParamHost,
      follow: followEtcdLog,
      commands: (ctx) => [startCommand(etcdRuntime(ctx)), untilEtcdHealthy(ctx)],
      timeoutMs: 8 * 60_000,
      verify: healthyV2(restored, 'the single-member cluster is healthy (etcdctl2 cluster-health)'),
    },
    etcdLogStep('5.4.2.2'),
    {
      id: 'health-single',
      title: 'Check the health and the member list (etcdctl2 cluster-health, member list)',
      section: '5.4.2.2',
      where: onParamHost,
      commands: (ctx) => [etcdctl.clusterHealth(restored(ctx)), etcdctl.memberListV2(restored(ctx))],
      verify: healthyV2(restored),
    },
    ...peerUrlFixSteps(onParamHost),
    ...Array.from({ length: MAX_MEMBERS - 1 }, (_, i) => rejoinSteps(i + 1)).flat(),
    verifyMembershipStep('5.4.2.2'),
    restartMastersStep('5.4.2.2', { why: 'so that no API serves the old state from its cache' }),
  ],
});

export default etcdSnapshotRestore;

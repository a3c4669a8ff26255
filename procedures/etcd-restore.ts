// 5.4.2.1 Restoring etcd v2 and v3 data (with 5.4.2.1.1, the peerURL fix):
//   systemctl stop etcd.service                                      (every member)
//   mv /var/lib/etcd /var/lib/etcd.old; mkdir /var/lib/etcd; chown -R etcd.etcd /var/lib/etcd/; restorecon -Rv /var/lib/etcd/
//   cp -R /backup/etcd-xxx/* /var/lib/etcd/; mv /var/lib/etcd/db /var/lib/etcd/member/snap/db
//   chcon -R --reference /backup/etcd-xxx/* /var/lib/etcd/; chown -R etcd:etcd /var/lib/etcd/R
//   mkdir -p /etc/systemd/system/etcd.service.d/; echo "[Service]" > …/temp.conf; echo "ExecStart=" >> …/temp.conf
//   sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' /usr/lib/systemd/system/etcd.service >> …/temp.conf
//   systemctl daemon-reload; master-restart etcd; journalctl -fu etcd.service; etcdctl2 cluster-health
//   rm -f …/temp.conf; systemctl daemon-reload; master-restart etcd; etcdctl2 cluster-health; etcdctl2 member list
//   5.4.2.1.1: etcdctl2 member update <id> https://<ip>:2380
//   then the other members, one at a time: etcdctl2 member add <name> https://<ip>:2380 (on the restored
//   member), ETCD_INITIAL_CLUSTER=<printed> + ETCD_INITIAL_CLUSTER_STATE=existing in its etcd.conf, start.
// Read the second way (PROCEDURES.md): the backup goes onto `host` only, the others rejoin empty.
// Beyond the guide's text: the backup is verified before anything stops (snapshot status, the v2 part,
// the snapshot's size); every member's etcd.conf must agree with the inventory (name, peer URL) before
// anything stops; data dirs are moved aside to /var/lib/etcd.old-<timestamp>, never deleted — where
// /var/lib/etcd is a mount point its contents are moved (LAB-FACTS); only `db` and `member/` are copied
// from the backup (a same-day rerun of etcd-backup leaves member.old-* there, not data to restore);
// `restorecon -Rv` instead of the guide's `chcon --reference` glob; L1114's `/var/lib/etcd/R` read as
// `/var/lib/etcd/`; the drop-in is checked to really carry --force-new-cluster before etcd starts;
// `member add` is retried on "unhealthy cluster" / "not enough started members" (LAB-FACTS); each
// member's etcd.conf is kept as etcd.conf.bak-<timestamp> before the sed edit. Each member is stopped,
// started and restarted the way it runs etcd (src/ocp/control-plane.ts, read before the run): a static
// pod by moving its manifest to pods-stopped/ and back, with ETCD_FORCE_NEW_CLUSTER=true in etcd.conf
// (openshift-ansible's own form: a drop-in does nothing to a pod); a unit with systemctl and the drop-in.
// Every stop is confirmed by nothing listening on the member's 2379/2380 before its data is moved.

import type { CommandOutput } from '../src/checks/types.js';
import type { CommandCheck, Placement, Procedure, Step, StepContext } from '../src/engine/types.js';
import { type RepeatedCommand, retryOn, until } from '../src/engine/wait.js';
import type { Host } from '../src/inventory/types.js';
import { etcdBackupDiscovery } from '../src/model/backups.js';
import {
  controlPlaneProbe,
  forceNewClusterConfOff,
  forceNewClusterConfOn,
  type Runtime,
  restartCommand,
  runningCommand,
  runningEtcdModeCommand,
  startCommand,
} from '../src/ocp/control-plane.js';
import {
  type EtcdMember,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdHosts,
  etcdPeerUrl,
  parseV2MemberList,
  parseV3MemberList,
} from '../src/ocp/etcd.js';
import { argv, type ShellCommand, sedReplacement, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import { parseSnapshotStatus } from './etcd-backup.js';
import {
  allInOneCommand,
  backupParam,
  confValue,
  DATA_DIR,
  DROP_IN,
  DROP_IN_DIR,
  dataDirVerdict,
  ETCD_CONF,
  etcdGone,
  etcdLogStep,
  etcdRuntime,
  followEtcdLog,
  healthyV2,
  lastOf,
  membershipVerdict,
  onParamHost,
  otherMembers,
  ownHealth,
  paramMember,
  peerUrlFixSteps,
  quorumOf,
  restartMastersStep,
  stopEveryMemberStep,
  text,
  UNIT_FILE,
  untilEtcdHealthy,
  validateRemoteDir,
} from './etcd-common.js';
import { etcdMemberNow } from './etcd-member-now.js';
import { etcdPanel } from './etcd-panel.js';
import { restoreWhereItStands } from './etcd-restore-standing.js';

/** Members this procedure can bring back (the restored one + up to 6 others). */
export const MAX_MEMBERS = 7;

export function movedAsideDir(ctx: StepContext): string {
  return `${DATA_DIR}.old-${timeStamp(ctx.startedAt)}`;
}

const everyMember: Placement = { on: 'role', role: 'etcd', mode: 'serial' };
const restored = (ctx: StepContext): string[] => [etcdClientUrl(paramMember(ctx))];
const allEndpoints = (ctx: StepContext): string[] => etcdHosts(ctx.inventory).map(etcdClientUrl);

// ---- pure parts (tested) ---------------------------------------------------------------------------

/** Prints "missing: …" for every part of the backup that is not there. */
export function backupCheckCommand(dir: string): ShellCommand {
  return sh`test -d ${dir} || echo ${`missing: ${dir} (no such directory)`};
    test -s ${dir}/db || echo ${`missing: ${dir}/db (v3 snapshot)`};
    test -s ${dir}/member/snap/db || echo ${`missing: ${dir}/member/snap/db`};
    ls ${dir}/member/wal/*.wal > /dev/null 2>&1 || echo ${`missing: ${dir}/member/wal/*.wal`}`;
}

/** `snapshot status -w json` and the file's size (`stat -c %s`), on separate lines. */
export function snapshotCheckCommand(dir: string): ShellCommand {
  return sh`ETCDCTL_API=3 etcdctl snapshot status ${`${dir}/db`} -w json && echo "size: $(stat -c %s ${`${dir}/db`})"`;
}

/** The snapshot is readable and not shorter than the database it describes. */
export function snapshotVerdict(out: CommandOutput): true | string {
  if (out.exitCode !== 0)
    return (
      `etcdctl snapshot status refuses the snapshot (exit ${out.exitCode}): ` +
      `${text(out).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`
    );
  let s: ReturnType<typeof parseSnapshotStatus>;
  try {
    s = parseSnapshotStatus(out.stdout);
  } catch (e) {
    return (e as Error).message;
  }
  const size = /^size: (\d+)$/m.exec(out.stdout);
  if (!size) return 'could not read the snapshot file size';
  if (Number(size[1]) < s.totalSize)
    return `the snapshot file is ${size[1]} bytes, shorter than the ${s.totalSize} bytes of its database: truncated`;
  if (s.totalKey === 0) return 'the snapshot holds no keys';
  // etcdctl2 backup without --with-v3 writes a member/snap/db of revision 0: no v3 data at all
  if (s.revision === 0)
    return (
      'the file holds no v3 data (revision 0): it is the member/snap/db of a v2 backup (etcdctl backup without ' +
      '--with-v3), not a v3 snapshot; use the backup’s db file (snapshot save)'
    );
  return true;
}

export function missingVerdict(what: string) {
  return (out: CommandOutput): true | string => {
    const missing = out.stdout
      .split('\n')
      .filter((l) => l.startsWith('missing: '))
      .map((l) => l.slice(9));
    return missing.length === 0 ? true : `${what} is incomplete: ${missing.join(', ')}`;
  };
}

/** Move the data dir aside (never delete); where it is a mount point, move its contents. */
export function moveAsideCommand(aside: string): ShellCommand {
  const d = DATA_DIR;
  return sh`if mountpoint -q ${d}; then echo ${`${d} is a mount point: moving its contents to ${aside}`};
      mkdir -p ${aside} && for f in ${d}/* ${d}/.[!.]* ${d}/..?*; do
        if test -e "$f" || test -L "$f"; then mv "$f" ${aside}/ || exit 1; fi;
      done;
    elif test -e ${aside}; then echo ${`${aside} exists already (moved aside by this run)`}; mkdir -p ${d};
    elif test -e ${d}; then mv ${d} ${aside} && mkdir ${d};
    else echo ${`${d} does not exist: nothing to move aside`}; mkdir -p ${aside} ${d}; fi`;
}

/** The guide's drop-in recipe, made from the real unit, then checked. */
export function dropInCommands(): ShellCommand[] {
  return [
    sh`mkdir -p ${DROP_IN_DIR}/`,
    sh`echo "[Service]" > ${DROP_IN}`,
    sh`echo "ExecStart=" >> ${DROP_IN}`,
    // the guide's recipe, verbatim: the unit's ExecStart line with --force-new-cluster before its closing quote
    sh`sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' ${UNIT_FILE} >> ${DROP_IN}`,
    sh`cat ${DROP_IN}; if ! grep -q '^ExecStart=..*--force-new-cluster' ${DROP_IN};
      then
      echo ${
        `the drop-in has no ExecStart line with --force-new-cluster (the ExecStart of ${UNIT_FILE} does not end in ` +
        `a double quote): removing it, etcd is not started`
      }; rm -f ${DROP_IN}; exit 1; fi`,
  ];
}

/** Checks the drop-in text: `[Service]`, a bare `ExecStart=`, then an ExecStart carrying --force-new-cluster. */
export function dropInVerdict(content: string): true | string {
  const lines = content
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0] !== '[Service]') return 'the drop-in does not start with [Service]';
  if (lines[1] !== 'ExecStart=') return 'the drop-in does not reset ExecStart= first';
  const exec = lines.slice(2).filter((l) => l.startsWith('ExecStart='));
  if (exec.length !== 1) return `the drop-in has ${exec.length} ExecStart lines after the reset, not 1`;
  return (
    /^ExecStart=.+ --force-new-cluster"?$/.test(exec[0]!) || `the drop-in's ExecStart does not end with --force-new-cluster: ${exec[0]}`
  );
}

/**
 * The v3 member list, which a member answers from its own view: after `member add` on a one-member
 * cluster there is no leader until the new member starts, and the v2 list (it asks for the leader)
 * fails with "has no leader" all that time (LAB-FACTS).
 */
export function memberListNoLeader(endpoints: string[]): ShellCommand {
  return etcdctl.memberListV3(endpoints, 'json');
}

/** `member add`, asked again while etcd refuses it right after the previous member joined; done if an earlier try added it. */
export function memberAddCommand(endpoints: string[], name: string, peerUrl: string): RepeatedCommand {
  const add = etcdctl.memberAddV2(endpoints, name, peerUrl);
  const list = memberListNoLeader(endpoints);
  const already = `${peerUrl} is already in the member list (added by an earlier attempt)`;
  return retryOn(sh`if ${list} | grep -qF -e ${`"${peerUrl}"`}; then echo ${already}; exit 0; fi; ${add}`, ETCD_NOT_READY_FOR_ADD, {
    withinMs: 60_000,
    what: 'member add still refused',
  });
}

/** What etcd answers a member add while the previous member is still joining. */
const ETCD_NOT_READY_FOR_ADD = /unhealthy cluster|not enough started members|has no leader/;

/** A v2 or v3 (any format) member list. */
function anyMemberList(listOut: string): EtcdMember[] {
  const v2 = parseV2MemberList(listOut);
  return v2.length > 0 ? v2 : parseV3MemberList(listOut);
}

/** The added member is in the (v3, leaderless-safe) member list. */
export function addedVerdict(listOut: CommandOutput, peerUrl: string): true | string {
  if (anyMemberList(text(listOut)).some((m) => m.peerURLs.includes(peerUrl))) return true;
  return `${peerUrl} is not in the member list${listOut.exitCode === 0 ? '' : `: ${text(listOut).trim().slice(-200)}`}`;
}

/**
 * ETCD_INITIAL_CLUSTER for a joining member: what `member add` printed, else (added by an earlier
 * attempt) the member list's started members plus the new one.
 */
export function initialCluster(addOut: string, listOut: string, name: string, peerUrl: string): string {
  const printed = confValue(addOut, 'ETCD_INITIAL_CLUSTER');
  if (printed) return printed;
  const ms = anyMemberList(listOut);
  if (!ms.some((m) => m.peerURLs.includes(peerUrl)))
    throw new Error(`member add printed no ETCD_INITIAL_CLUSTER and ${peerUrl} is not in the member list`);
  const parts = ms.flatMap((m) =>
    m.peerURLs.includes(peerUrl) ? [`${name}=${peerUrl}`] : m.name ? m.peerURLs.map((u) => `${m.name}=${u}`) : [],
  );
  return parts.join(',');
}

/** sed edit of the joining member's etcd.conf (a .bak copy first; lines appended when missing). */
export function joinConfCommands(initial: string, bak: string): ShellCommand[] {
  const ic = sedReplacement(initial);
  return [
    sh`test -e ${bak} || cp -p ${ETCD_CONF} ${bak}`,
    // the value (sed-escaped) is a quoted word of its own, joined to our literal sed text
    sh`sed -i -e 's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER='${ic}'|' -e
      's|^ETCD_INITIAL_CLUSTER_STATE=.*|ETCD_INITIAL_CLUSTER_STATE=existing|' ${ETCD_CONF}`,
    sh`grep -q '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF} || echo ${`ETCD_INITIAL_CLUSTER=${initial}`} >> ${ETCD_CONF};
      grep -q '^ETCD_INITIAL_CLUSTER_STATE=' ${ETCD_CONF} || echo 'ETCD_INITIAL_CLUSTER_STATE=existing' >> ${ETCD_CONF}`,
    sh`grep -E '^ETCD_INITIAL_CLUSTER(_STATE)?=' ${ETCD_CONF}`,
  ];
}

/** A precondition: etcd is not running on the step's host (as its runtime says) and the data dir is empty. */
export function emptyAndStopped(why: string): CommandCheck {
  return {
    describe: `${DATA_DIR} is empty (moved aside earlier) and etcd is stopped on this member`,
    command: (ctx) => sh`${runningCommand(etcdRuntime(ctx))}; echo "entries: $(ls -A ${DATA_DIR} | wc -l)"`,
    ok: (out) => {
      if (/^running$/m.test(out.stdout)) return 'etcd is running on this member';
      const n = /^entries: (\d+)$/m.exec(out.stdout);
      return n?.[1] === '0' || `${DATA_DIR} is not empty (${n?.[1] ?? '?'} entries): ${why}`;
    },
  };
}

/**
 * restore-data's precondition: etcd stopped, and the data dir empty or holding only what an earlier attempt of
 * this step copied from this backup (db, member/ — whose snap/db is the v2 backup's copy until the backup's db
 * is moved over it — each file identical to the backup's). A connection lost after the copy ran must not leave
 * a run that cannot be resumed; anything else in the data dir (a partial file, data of a member that started)
 * is refused.
 */
export function emptyOrOnlyTheBackup(backup: (ctx: StepContext) => string): CommandCheck {
  return {
    describe: `${DATA_DIR} is empty, or holds only an earlier copy of this backup, and etcd is stopped on this member`,
    command: (ctx) => {
      const b = backup(ctx);
      const entries = sh`find . -mindepth 1 -maxdepth 1 -printf 'entry: %P\\n'`;
      const same = sh`cd ${DATA_DIR} && { ${entries}; find member -type f 2>/dev/null; }
        | while IFS= read -r f; do case "$f" in 'entry: '*) echo "$f";;
        member/snap/db) { cmp -s ${`${b}/db`} "$f" || cmp -s ${`${b}/member/snap/db`} "$f"; } || echo "differs: $f";;
        *) cmp -s ${b}/"$f" "$f" || echo "differs: $f";; esac; done;
        if test -e ${`${DATA_DIR}/db`}; then cmp -s ${`${b}/db`} ${`${DATA_DIR}/db`} || echo 'differs: db'; fi`;
      return sh`${runningCommand(etcdRuntime(ctx))}; ${same}`;
    },
    ok: (out) => onlyTheBackupVerdict(out.stdout),
  };
}

/** emptyOrOnlyTheBackup's verdict on its command's output. */
export function onlyTheBackupVerdict(stdout: string): true | string {
  if (/^running$/m.test(stdout)) return 'etcd is running on this member';
  const entries = [...stdout.matchAll(/^entry: (.*)$/gm)].map((m) => m[1]!);
  const differs = [...stdout.matchAll(/^differs: (.*)$/gm)].map((m) => m[1]!);
  const foreign = entries.filter((e) => e !== 'db' && e !== 'member');
  if (foreign.length === 0 && differs.length === 0) return true;
  const what = [
    ...foreign.map((e) => `${e} (not from the backup)`),
    ...differs.slice(0, 3).map((d) => `${d} (differs from the backup)`),
  ].join(', ');
  return `${DATA_DIR} is not empty: ${what}; refusing to copy the backup over something: move its contents aside by hand, then resume`;
}

/** --force-new-cluster off: the drop-in removed and the unit reloaded, or the etcd.conf line removed. */
export function forceNewClusterOff(r: Runtime): ShellCommand[] {
  return r.kind === 'systemd' ? [argv('rm', '-f', DROP_IN), argv('systemctl', 'daemon-reload')] : forceNewClusterConfOff();
}

/** The k-th member other than `host` (1-based), if the inventory has one. */
function kth(ctx: StepContext, k: number): Host | undefined {
  return otherMembers(ctx)[k - 1];
}

/** The quorum arithmetic and the current member list, shown before anything stops (both restores). */
export function quorumStep(section: string, o: { title: string; data: string; note?: string }): Step {
  return {
    id: 'quorum',
    guard: true,
    title: o.title,
    section,
    where: onParamHost,
    allowFailure: true,
    commands: (ctx) => {
      const q = quorumOf(etcdHosts(ctx.inventory).length);
      const lines = [
        `members: ${q.members} ([etcd] of the inventory); quorum: ${q.quorum}; failures tolerated: ${q.tolerated}`,
        `the restore stops all ${q.members}: etcd, and with it the API, is down until ${paramMember(ctx).name} runs ` +
          `alone with ${o.data}; the other ${q.members - 1} rejoin one at a time (quorum is back when ${q.quorum} run)`,
        ...(o.note ? [o.note] : []),
      ];
      return [sh`printf '%s\\n' ${lines}`, etcdctl.memberListV2(allEndpoints(ctx))];
    },
    verify: {
      describe: `the inventory has 1 to ${MAX_MEMBERS} etcd members`,
      command: (ctx) => sh`echo ${etcdHosts(ctx.inventory).length}`,
      ok: (out) => {
        const n = Number(out.stdout.trim());
        return (n >= 1 && n <= MAX_MEMBERS) || `${n} etcd members: this procedure brings back at most ${MAX_MEMBERS}`;
      },
    },
  };
}

/** Every member's data dir moved aside, never deleted (both restores); refused while etcd still runs there. */
export function moveDataAsideStep(section: string, o: { title: string; note?: string; protectedBy: (ctx: StepContext) => string }): Step {
  return {
    id: 'move-data-aside',
    title: o.title,
    section,
    where: everyMember,
    destructive: true,
    gate: {
      kind: 'type-host',
      what: (ctx) =>
        `the etcd data in ${DATA_DIR} on every member is moved to ${movedAsideDir(ctx)} (its contents, where ${DATA_DIR} ` +
        `is a mount point), leaving ${DATA_DIR} empty.${o.note ? ` ${o.note}` : ''}`,
      protectedBy: o.protectedBy,
    },
    // never move the data of a live member aside (a static pod that `systemctl stop` did not stop)
    precondition: etcdGone,
    commands: (ctx) => [
      moveAsideCommand(movedAsideDir(ctx)),
      sh`chown -R etcd:etcd ${DATA_DIR}/`,
      sh`restorecon -Rv ${DATA_DIR}/`,
      sh`ls -la ${movedAsideDir(ctx)} | head -5`,
    ],
    verify: {
      describe: `${DATA_DIR} is empty and the moved-aside directory exists`,
      command: (ctx) => sh`test -d ${movedAsideDir(ctx)} && test -d ${DATA_DIR} && echo "entries: $(ls -A ${DATA_DIR} | wc -l)"`,
      ok: (out) =>
        (out.exitCode === 0 && /^entries: 0$/m.test(out.stdout)) || `${DATA_DIR} is not empty or the moved-aside directory is missing`,
    },
  };
}

/** The end of both restores: every inventory member back, started, healthy, with its name and https peer URL. */
export function verifyMembershipStep(section: string): Step {
  return {
    id: 'verify-membership',
    title: 'Check the health and the member list: the original members, names and https peer URLs',
    section,
    where: onParamHost,
    commands: (ctx) => [
      etcdctl.clusterHealth(allEndpoints(ctx)),
      etcdctl.memberListV2(allEndpoints(ctx)),
      etcdctl.endpointHealth(allEndpoints(ctx)),
    ],
    verify: {
      describe: 'every inventory member is started, healthy, with its name and https peer URL',
      command: (ctx) => sh`${etcdctl.memberListV2(allEndpoints(ctx))} && ${etcdctl.clusterHealth(allEndpoints(ctx))}`,
      ok: (out, ctx) => membershipVerdict(out, etcdHosts(ctx.inventory)),
    },
  };
}

export function rejoinSteps(k: number): Step[] {
  const skipIf = (ctx: StepContext) =>
    kth(ctx, k) ? undefined : `the inventory has no ${k + 1}${k === 1 ? 'nd' : k === 2 ? 'rd' : 'th'} etcd member`;
  const joining = (ctx: StepContext): Host => {
    const h = kth(ctx, k);
    if (!h) throw new Error(`no etcd member number ${k + 1}`);
    return h;
  };
  const icName = `initial-cluster-${k}`;
  return [
    {
      id: `member-add-${k}`,
      title: `Add member ${k + 1} back: etcdctl2 member add <name> https://<ip>:2380 (on the restored member)`,
      section: '5.4.2.1',
      where: onParamHost,
      skipIf,
      commands: (ctx) => {
        const h = joining(ctx);
        return [memberAddCommand(restored(ctx), h.name, etcdPeerUrl(h)), memberListNoLeader(restored(ctx))];
      },
      capture: {
        [icName]: (o, ctx) => {
          const h = joining(ctx);
          return initialCluster(o[0]?.stdout ?? '', text(lastOf(o)), h.name, etcdPeerUrl(h));
        },
      },
      // the v3 list: with one member started and one added, the cluster has no leader until the join
      verify: {
        describe: 'the member list has the new member’s peer URL (v3 list: no leader is expected until it starts)',
        command: (ctx) => memberListNoLeader(restored(ctx)),
        ok: (out, ctx) => addedVerdict(out, etcdPeerUrl(joining(ctx))),
      },
    },
    {
      id: `join-${k}`,
      title:
        `On member ${k + 1}: ETCD_INITIAL_CLUSTER=<printed>, ETCD_INITIAL_CLUSTER_STATE=existing in etcd.conf, ` +
        `start etcd, wait until healthy`,
      section: '5.4.2.1',
      where: {
        on: 'hosts',
        describe: `etcd member ${k + 1} (inventory order, the restored member counted first)`,
        mode: 'serial',
        hosts: (ctx) => [joining(ctx)],
      },
      skipIf,
      follow: followEtcdLog,
      precondition: emptyAndStopped('a joining member starts empty'),
      commands: (ctx) => {
        const h = joining(ctx);
        return [
          ...joinConfCommands(ctx.captured.get(icName), `${ETCD_CONF}.bak-${timeStamp(ctx.startedAt)}`),
          startCommand(etcdRuntime(ctx)),
          untilEtcdHealthy(ctx, h),
          // the next member add is refused until the cluster is healthy again (LAB-FACTS)
          until(sh`${etcdctl.clusterHealth(restored(ctx))} | grep -q '^cluster is healthy'`, {
            withinMs: 60_000,
            what: 'the cluster did not report healthy',
          }),
          etcdctl.clusterHealth(restored(ctx)),
        ];
      },
      timeoutMs: 8 * 60_000,
      verify: {
        describe: 'the member is started in the member list with its name and https peer URL, and healthy',
        command: (ctx) => sh`${etcdctl.memberListV2(restored(ctx))} && ${ownHealth(joining(ctx))}`,
        ok: (out, ctx) => {
          const h = joining(ctx);
          const m = parseV2MemberList(text(out)).find((x) => x.peerURLs.includes(etcdPeerUrl(h)));
          if (!m) return `${etcdPeerUrl(h)} is not in the member list`;
          if (!m.started || m.name !== h.name) return `member ${m.id} is ${m.started ? `named ${m.name}` : 'not started'}`;
          return out.exitCode === 0 || `${h.name} is not healthy`;
        },
      },
    },
  ];
}

// ---- the procedure ---------------------------------------------------------------------------------

export const etcdRestore: Procedure = defineProcedure({
  id: 'etcd-restore',
  title: 'Restore etcd from backup (v2 + v3)',
  section: '5.4.2.1',
  guideLine: 1100,
  risk: 'destructive',
  summary:
    'Restores the data backup on one member, starts it as a new single-member cluster, then brings the other members back one at a time.',
  parameters: [
    hostParam('host', 'etcd', 'Member that gets the backup data; the others rejoin empty'),
    {
      ...textParam('backup', 'Backup directory on that member, e.g. /backup/etcd-<YYYYMMDD>'),
      validate: (v) => validateRemoteDir(v),
      discover: etcdBackupDiscovery,
    },
  ],
  // the members and quorum beside the steps; after a run that did not finish, where the cluster stands
  panel: etcdPanel(paramMember),
  // static pod or unit, per member: read from the hosts before the plan and the run
  facts: [controlPlaneProbe],
  whereItStands: (ctx, stoppedAt) => restoreWhereItStands(ctx, stoppedAt, new Map(etcdRestore.steps.map((s) => [s.id, s.title]))),
  // …read with each member as it is when the run stopped: a command cut off half-way left what the journal cannot say
  look: [etcdMemberNow],
  steps: [
    {
      id: 'check-backup',
      guard: true,
      title: 'Verify the backup before anything stops: the directory, snapshot status of <backup>/db, the v2 member/wal and member/snap/db',
      section: '5.4.2.1',
      where: onParamHost,
      precondition: {
        describe: 'the backup has db, member/snap/db and member/wal/*.wal',
        command: (ctx) => backupCheckCommand(backupParam(ctx)),
        ok: missingVerdict('the backup'),
      },
      commands: (ctx) => [snapshotCheckCommand(backupParam(ctx)), sh`ls -l ${backupParam(ctx)} ${`${backupParam(ctx)}/member/wal`}`],
      verify: {
        describe: 'etcdctl snapshot status accepts <backup>/db and the file is as long as its database',
        command: (ctx) => snapshotCheckCommand(backupParam(ctx)),
        ok: (out) => snapshotVerdict(out),
      },
    },
    {
      id: 'check-members',
      guard: true,
      title: 'Check every member’s etcd.conf (name, peer URL) against the inventory',
      section: '5.4.2.1',
      where: everyMember,
      commands: () => [sh`grep -E '^(ETCD_NAME|ETCD_INITIAL_ADVERTISE_PEER_URLS|ETCD_INITIAL_CLUSTER_STATE|ETCD_DATA_DIR)=' ${ETCD_CONF}`],
      verify: {
        describe:
          'ETCD_NAME is the inventory name, ETCD_INITIAL_ADVERTISE_PEER_URLS the inventory address, the data in ' +
          '/var/lib/etcd (not an all-in-one master)',
        command: () => sh`grep -E '^(ETCD_NAME|ETCD_INITIAL_ADVERTISE_PEER_URLS|ETCD_DATA_DIR)=' ${ETCD_CONF}; ${allInOneCommand()}`,
        ok: (out, ctx) => {
          const h = ctx.host!;
          if (etcdHosts(ctx.inventory).length > MAX_MEMBERS) return `the inventory has more than ${MAX_MEMBERS} etcd members`;
          const allInOne = /^all-in-one: (.*)$/m.exec(out.stdout);
          if (allInOne) return allInOne[1]!;
          const name = confValue(out.stdout, 'ETCD_NAME');
          const url = confValue(out.stdout, 'ETCD_INITIAL_ADVERTISE_PEER_URLS');
          if (name !== h.name)
            return (
              `ETCD_NAME is ${JSON.stringify(name)}, the inventory says ${h.name}: the member would come back under ` +
              `another name; fix one of them first`
            );
          if (url !== etcdPeerUrl(h))
            return `ETCD_INITIAL_ADVERTISE_PEER_URLS is ${JSON.stringify(url)}, the inventory says ${etcdPeerUrl(h)}`;
          return dataDirVerdict(confValue(out.stdout, 'ETCD_DATA_DIR'));
        },
      },
    },
    quorumStep('5.4.2.1', { title: 'Show the quorum arithmetic and the current member list', data: 'the backup' }),
    stopEveryMemberStep('5.4.2.1', {
      kind: 'confirm',
      what: (ctx) =>
        `etcd stops on every member (${etcdHosts(ctx.inventory)
          .map((h) => h.name)
          .join(', ')}): the cluster and the API are down until the restore has run.`,
      protectedBy: (ctx) => `the backup ${backupParam(ctx)} on ${paramMember(ctx).name}, just verified`,
    }),
    moveDataAsideStep('5.4.2.1', {
      title: 'Move every member’s data dir aside to /var/lib/etcd.old-<timestamp> (never deleted); chown etcd, restorecon',
      protectedBy: (ctx) =>
        `nothing is deleted: ${movedAsideDir(ctx)} on each member; the backup ${backupParam(ctx)} on ${paramMember(ctx).name}`,
    }),
    {
      id: 'restore-data',
      title: 'Copy the backup in: cp -R <backup>/* /var/lib/etcd/; mv db member/snap/db; chown -R etcd:etcd; restorecon -Rv',
      section: '5.4.2.1',
      where: onParamHost,
      destructive: true,
      precondition: emptyOrOnlyTheBackup(backupParam),
      commands: (ctx) => {
        const b = backupParam(ctx);
        return [
          sh`cp -R ${`${b}/db`} ${`${b}/member`} ${DATA_DIR}/`,
          sh`mv ${`${DATA_DIR}/db`} ${`${DATA_DIR}/member/snap/db`}`,
          sh`chown -R etcd:etcd ${DATA_DIR}/`,
          sh`restorecon -Rv ${DATA_DIR}`,
        ];
      },
      verify: {
        describe: 'member/snap/db is the snapshot of the backup and the WAL is there',
        command: (ctx) => sh`cmp ${`${backupParam(ctx)}/db`} ${`${DATA_DIR}/member/snap/db`} && ls ${DATA_DIR}/member/wal/*.wal`,
        ok: (out) => out.exitCode === 0 || `the data dir does not hold the backup: ${text(out).trim().slice(-200)}`,
      },
    },
    {
      id: 'force-new-cluster-on',
      title:
        'Set --force-new-cluster: unit: the drop-in /etc/systemd/system/etcd.service.d/temp.conf from the unit’s ' +
        'ExecStart; static pod: ETCD_FORCE_NEW_CLUSTER=true in etcd.conf',
      section: '5.4.2.1',
      where: onParamHost,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `etcd on ${paramMember(ctx).name} will start with --force-new-cluster: a new one-member cluster from the ` +
          `backup, with a new member id.`,
        protectedBy: (ctx) => `the backup ${backupParam(ctx)}; the old data of every member in ${movedAsideDir(ctx)}`,
      },
      commands: (ctx) => (etcdRuntime(ctx).kind === 'systemd' ? dropInCommands() : forceNewClusterConfOn()),
      verify: {
        describe:
          'the drop-in resets ExecStart and sets it again with --force-new-cluster (static pod: etcd.conf has ETCD_FORCE_NEW_CLUSTER=true)',
        command: (ctx) => (etcdRuntime(ctx).kind === 'systemd' ? argv('cat', DROP_IN) : argv('cat', ETCD_CONF)),
        ok: (out, ctx) => {
          if (etcdRuntime(ctx).kind !== 'systemd')
            return /^ETCD_FORCE_NEW_CLUSTER=true$/m.test(out.stdout) || `${ETCD_CONF} has no ETCD_FORCE_NEW_CLUSTER=true line`;
          return out.exitCode === 0 ? dropInVerdict(out.stdout) : `${DROP_IN} is missing`;
        },
      },
    },
    {
      id: 'start-force-new-cluster',
      title: 'Start etcd, a new single-member cluster (systemctl daemon-reload and restart, or the static pod’s manifest moved back)',
      section: '5.4.2.1',
      where: onParamHost,
      follow: followEtcdLog,
      commands: (ctx) => {
        const r = etcdRuntime(ctx);
        const start = r.kind === 'systemd' ? [argv('systemctl', 'daemon-reload'), restartCommand(r)] : [startCommand(r)];
        return [...start, untilEtcdHealthy(ctx)];
      },
      timeoutMs: 8 * 60_000,
      verify: healthyV2(restored, 'the single-member cluster is healthy (etcdctl2 cluster-health)'),
    },
    etcdLogStep('5.4.2.1'),
    {
      id: 'health-single',
      title: 'Check the health (etcdctl2 cluster-health)',
      section: '5.4.2.1',
      where: onParamHost,
      commands: (ctx) => [etcdctl.clusterHealth(restored(ctx))],
      verify: healthyV2(restored),
    },
    {
      id: 'force-new-cluster-off',
      title:
        'Restart etcd in cluster mode: unit: rm -f the drop-in, systemctl daemon-reload, restart; static pod: the ' +
        'ETCD_FORCE_NEW_CLUSTER line removed, master-restart etcd',
      section: '5.4.2.1',
      where: onParamHost,
      follow: followEtcdLog,
      commands: (ctx) => [
        ...forceNewClusterOff(etcdRuntime(ctx)),
        restartCommand(etcdRuntime(ctx)),
        untilEtcdHealthy(ctx, paramMember(ctx), 'did not become healthy after the restart'),
        etcdctl.clusterHealth(restored(ctx)),
        etcdctl.memberListV2(restored(ctx)),
      ],
      timeoutMs: 8 * 60_000,
      verify: {
        describe:
          'no --force-new-cluster is left (drop-in or etcd.conf line), the running etcd was restarted without it, and ' +
          'the member is healthy',
        // a connection lost after the drop-in went but before the restart leaves the files right and etcd as it was started
        command: (ctx) =>
          sh`${runningEtcdModeCommand(etcdAddress(paramMember(ctx)))};
            test ! -e ${DROP_IN} && ! grep -q '^ETCD_FORCE_NEW_CLUSTER=' ${ETCD_CONF} && ${etcdctl.clusterHealth(restored(ctx))}`,
        ok: (out, ctx) => {
          if (/^etcd: force-new-cluster$/m.test(out.stdout))
            return (
              `etcd on ${paramMember(ctx).name} still runs as it was started, with --force-new-cluster: it has to ` +
              `be restarted in cluster mode`
            );
          return out.exitCode === 0
            ? healthyV2(restored).ok(out, ctx)
            : `--force-new-cluster is still set (${DROP_IN} or ${ETCD_CONF}) or the member is not healthy`;
        },
      },
    },
    ...peerUrlFixSteps(onParamHost),
    ...Array.from({ length: MAX_MEMBERS - 1 }, (_, i) => rejoinSteps(i + 1)).flat(),
    verifyMembershipStep('5.4.2.1'),
    restartMastersStep('5.4.2.1', { why: 'so that no API serves the old state from its cache' }),
  ],
});

export default etcdRestore;

// 4.6 Backing up etcd (and 5.4.1) — configuration on every member, data (v3 snapshot + v2 backup) on one:
//   4.6.1.1  mkdir -p /backup/etcd-config-$(date +%Y%m%d)/; cp -R /etc/etcd/ /backup/etcd-config-$(date +%Y%m%d)/
//   4.6.1.2  prerequisites: etcdctl present, port 2379/tcp reachable, certificates; health with the v2 API
//            (cluster-health) and the v3 API (endpoint health), every endpoint; member list
//            mkdir -p /backup/etcd-$(date +%Y%m%d); etcdctl3 snapshot save /backup/etcd-$(date +%Y%m%d)/db
//            systemctl stop etcd.service; etcdctl2 backup --data-dir /var/lib/etcd --backup-dir /backup/etcd-…
//            systemctl start etcd.service
// Beyond the guide's text: etcd is stopped only when the other members keep quorum; if the v2 backup
// fails, etcd is started again at once; after the start the tool waits until the member is healthy; the
// backup is verified (`snapshot status`, member/wal/*.wal, member/snap/db); an existing v2 backup of the
// same day is moved aside, not overwritten; optional copy to the bastion (tar.gz in /backup on each
// member, fetched over SFTP on the verified connection). etcdctl is always called with every flag (the
// installer's aliases are not expanded over ssh). etcd is stopped and started the way the member runs it
// (src/ocp/control-plane.ts): a static pod by moving its manifest aside and back, a unit with systemctl;
// the v2 backup waits until nothing listens on the member's ports (on a 3.10 master `systemctl stop
// etcd` stops nothing while the static pod serves, and etcdctl backup would read a live data dir).
import type { CommandOutput } from '../src/checks/types.js';
import type { Placement, Procedure, StepContext } from '../src/engine/types.js';
import type { Host } from '../src/inventory/types.js';
import { controlPlaneProbe, startCommand } from '../src/ocp/control-plane.js';
import {
  ETCD_CLIENT_PORT,
  ETCD_PEER_CERTS,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdctl3,
  etcdEndpoints,
  etcdHosts,
  parseJsonLossless,
  parseV2ClusterHealth,
  parseV3EndpointHealth,
  parseV3MemberList,
} from '../src/ocp/etcd.js';
import { type ShellCommand, sh } from '../src/transport/shell.js';
import { dateStamp, sftpCopyStep, timeStamp, validateBastionDir } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import { allInOneCommand, etcdRuntime, followEtcdLog, stopEtcdCommands, untilEtcdHealthy } from './etcd-common.js';

export const DEFAULT_DATA_BACKUP_DIR = '/backup/etcd-<YYYYMMDD>';
export const ETCD_DATA_DIR = '/var/lib/etcd';

/** The member whose data is backed up: `host`, else the first etcd member of the inventory. */
export function member(ctx: StepContext): Host {
  const hosts = etcdHosts(ctx.inventory);
  const chosen = ctx.params['host'];
  const h = chosen ? hosts.find((x) => x.name === chosen) : hosts[0];
  if (!h) throw new Error(chosen ? `${chosen} is not an etcd member of the inventory` : 'the inventory has no [etcd] hosts');
  return h;
}

/** Every etcd member but the one backed up. */
export function otherMembers(ctx: StepContext): Host[] {
  const m = member(ctx);
  return etcdHosts(ctx.inventory).filter((h) => h.name !== m.name);
}

/** /backup/etcd-<YYYYMMDD> (the run's date: a resumed run writes the same directory). */
export function dataBackupDir(ctx: StepContext): string {
  return (ctx.params['backup-dir'] || DEFAULT_DATA_BACKUP_DIR).replace(/<YYYYMMDD>/g, dateStamp(ctx.startedAt)).replace(/\/+$/, '');
}

/** /backup/etcd-config-<YYYYMMDD> on every member (4.6.1.1). */
export function configBackupDir(ctx: StepContext): string {
  return `/backup/etcd-config-${dateStamp(ctx.startedAt)}`;
}

function validateDataDir(value: string): string | undefined {
  if (!value.startsWith('/')) return `backup directory ${JSON.stringify(value)} is not an absolute path; e.g. /backup/etcd-<YYYYMMDD>`;
  if (/[\0\n\r]/.test(value)) return 'backup directory contains a control character';
  if (value.split('/').includes('..')) return `backup directory ${JSON.stringify(value)} contains "..": give a plain absolute path`;
  if (/[<>]/.test(value.replace(/<YYYYMMDD>/g, ''))) return `backup directory ${JSON.stringify(value)}: the only placeholder is <YYYYMMDD>`;
  const v = value.replace(/\/+$/, '');
  if (v === '' || v === ETCD_DATA_DIR || v.startsWith(`${ETCD_DATA_DIR}/`))
    return `the backup directory cannot be / or inside ${ETCD_DATA_DIR}`;
  return undefined;
}

const onMember: Placement = {
  on: 'hosts',
  describe: 'the etcd member named by host (default: the first etcd member)',
  mode: 'serial',
  hosts: (ctx) => [member(ctx)],
};
const everyMember: Placement = { on: 'role', role: 'etcd', mode: 'serial' };

const all = (ctx: StepContext) => etcdEndpoints(ctx.inventory);
const text = (o: CommandOutput) => `${o.stdout}\n${o.stderr}`;
const last = (outputs: CommandOutput[]): CommandOutput => outputs[outputs.length - 1] ?? { exitCode: null, stdout: '', stderr: '' };

// ---- pure parts (tested) ---------------------------------------------------------------------------

/** Lines the preflight script prints for each problem it finds. */
export function preflightCommand(h: Host): ShellCommand {
  const c = ETCD_PEER_CERTS;
  const reach = sh`timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${etcdAddress(h)} ${ETCD_CLIENT_PORT} 2>/dev/null
    || echo ${`unreachable: ${etcdAddress(h)}:${ETCD_CLIENT_PORT}/tcp does not accept connections`}`;
  return sh`command -v etcdctl > /dev/null 2>&1 || echo 'missing: etcdctl is not installed (or not on PATH)';
    for f in ${[c.cert, c.key, c.ca]}; do test -r "$f" || echo "unreadable: $f"; done; ${reach}; ${allInOneCommand()}`;
}

export function preflightVerdict(out: CommandOutput): true | string {
  const problems = out.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(missing|unreadable|unreachable|all-in-one): /.test(l));
  return problems.length === 0 ? true : `etcd cannot be backed up from this host: ${problems.join('; ')}`;
}

/** Quorum after stopping one member: the healthy others must be a majority of the whole cluster. */
export function quorumVerdict(members: number, healthyOthers: number, unhealthy: string[], host: string): true | string {
  if (members <= 1) return true; // a one-member cluster: the gate says the API pauses
  const quorum = Math.floor(members / 2) + 1;
  if (healthyOthers >= quorum) return true;
  return (
    `stopping etcd on ${host} would lose quorum: ${healthyOthers} of the other ${members - 1} member(s) are healthy, ` +
    `${quorum} of ${members} are needed` +
    (unhealthy.length ? ` (not healthy: ${unhealthy.join(', ')})` : '') +
    '; bring them back first (etcd-health check), then run the backup again'
  );
}

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** `etcdctl snapshot status FILE -w json`: {"hash":…,"revision":…,"totalKey":…,"totalSize":…}. */
export function parseSnapshotStatus(stdout: string): SnapshotStatus {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('{') && !l.startsWith('{"level"'));
  if (!line) throw new Error(`snapshot status printed no JSON: ${stdout.trim().slice(0, 200)}`);
  const doc = parseJsonLossless(line) as Record<string, unknown>;
  const num = (k: string): number => {
    const v = doc[k];
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`snapshot status: no ${k} in ${line.slice(0, 200)}`);
    return n;
  };
  return { hash: num('hash'), revision: num('revision'), totalKey: num('totalKey'), totalSize: num('totalSize') };
}

/** The v2 backup is complete: member/snap/db and at least one member/wal/*.wal (script prints problems). */
export function v2BackupCheckCommand(dir: string): ShellCommand {
  return sh`test -s ${dir}/member/snap/db || echo ${`missing: ${dir}/member/snap/db`};
    ls ${dir}/member/wal/*.wal > /dev/null 2>&1 || echo ${`missing: ${dir}/member/wal/*.wal`}; test -s ${dir}/db
    || echo ${`missing: ${dir}/db (v3 snapshot)`}`;
}

function missingVerdict(what: string) {
  return (out: CommandOutput): true | string => {
    const missing = out.stdout
      .split('\n')
      .filter((l) => l.startsWith('missing: '))
      .map((l) => l.slice(9));
    return missing.length === 0 ? true : `${what} is incomplete: ${missing.join(', ')} not found`;
  };
}

// ---- the procedure ---------------------------------------------------------------------------------

export const etcdBackup: Procedure = defineProcedure({
  id: 'etcd-backup',
  title: 'Back up etcd',
  section: '4.6, 5.4.1',
  guideLine: 438,
  risk: 'medium',
  summary:
    'Saves the etcd configuration and data (v3 snapshot and v2 backup) of each member, restarting etcd afterwards, and ' +
    'copies it off the cluster.',
  // static pod or unit, per member: read from the hosts before the plan and the run
  facts: [controlPlaneProbe],
  parameters: [
    hostParam('host', 'etcd', 'Member to back up; default: every etcd member', false),
    {
      ...textParam('backup-dir', 'Data backup directory on the member', false, '/backup/etcd-<YYYYMMDD>'),
      validate: (v) => validateDataDir(v),
    },
    {
      ...textParam('copy-to', 'Directory on the bastion for an off-cluster copy; default: none', false),
      validate: (v) => validateBastionDir(v),
    },
  ],
  steps: [
    {
      id: 'preflight',
      guard: true,
      title: 'Check the prerequisites: etcdctl, port 2379/tcp, certificates',
      section: '4.6.1.2',
      where: onMember,
      precondition: {
        describe: 'etcdctl is installed, the peer certificates are readable and port 2379/tcp accepts connections',
        command: (ctx) => preflightCommand(ctx.host ?? member(ctx)),
        ok: (out) => preflightVerdict(out),
      },
      commands: () => [sh`ETCDCTL_API=3 etcdctl version`],
    },
    {
      id: 'config-backup',
      title: 'Back up the etcd configuration (/etc/etcd) of every member',
      section: '4.6.1.1',
      where: everyMember,
      commands: (ctx) => [sh`mkdir -p ${configBackupDir(ctx)}/`, sh`cp -R /etc/etcd/ ${configBackupDir(ctx)}/`],
      verify: {
        describe: 'etcd.conf is in the configuration backup',
        command: (ctx) => sh`test -s ${configBackupDir(ctx)}/etcd/etcd.conf`,
        ok: (out) => out.exitCode === 0 || 'etcd/etcd.conf is missing from the configuration backup',
      },
    },
    {
      id: 'health-v2',
      title: 'Check cluster health with the v2 API (cluster-health, every endpoint)',
      section: '4.6.1.2',
      where: onMember,
      commands: (ctx) => [etcdctl.clusterHealth(all(ctx))],
      verify: {
        describe: 'cluster is healthy (v2)',
        command: (ctx) => etcdctl.clusterHealth(all(ctx)),
        ok: (out) => {
          const h = parseV2ClusterHealth(text(out));
          if (h.cluster === 'healthy') return true;
          const bad = h.members.filter((m) => m.health !== 'healthy').map((m) => `${m.id} ${m.health}`);
          return (
            `etcd (v2 API) reports the cluster ` +
            `${h.cluster}${bad.length ? `: ${bad.join(', ')}` : ''}${h.errors.length ? ` (${h.errors[0]})` : ''}`
          );
        },
      },
    },
    {
      id: 'health-v3',
      title: 'Check endpoint health with the v3 API (endpoint health, every endpoint)',
      section: '4.6.1.2',
      where: onMember,
      commands: (ctx) => [etcdctl.endpointHealth(all(ctx))],
      verify: {
        describe: 'every endpoint is healthy (v3)',
        command: (ctx) => etcdctl.endpointHealth(all(ctx)),
        ok: (out, ctx) => {
          const eps = all(ctx);
          const r = parseV3EndpointHealth(text(out));
          const bad = eps.filter((e) => !r.some((x) => x.endpoint === e && x.healthy));
          return bad.length === 0 || `not healthy (v3 API): ${bad.join(', ')}`;
        },
      },
    },
    {
      id: 'member-list',
      title: 'List the members (v2 and v3 API)',
      section: '4.6.1.2',
      where: onMember,
      commands: (ctx) => [etcdctl.memberListV2(all(ctx)), etcdctl.memberListV3(all(ctx), 'json')],
      capture: {
        'member-count': (outputs) => String(parseV3MemberList(last(outputs).stdout).length),
        'member-ids': (outputs) =>
          parseV3MemberList(last(outputs).stdout)
            .map((m) => `${m.id}=${m.name || '(unstarted)'}`)
            .join(','),
      },
    },
    {
      id: 'snapshot-save',
      title: 'Save a v3 snapshot (etcdctl3 snapshot save <dir>/db)',
      section: '4.6.1.2',
      where: onMember,
      commands: (ctx) => {
        const d = dataBackupDir(ctx);
        return [sh`mkdir -p ${d}`, etcdctl.snapshotSave(etcdClientUrl(ctx.host ?? member(ctx)), `${d}/db`)];
      },
      verify: {
        describe: 'the snapshot passes etcdctl snapshot status',
        command: (ctx) => sh`ETCDCTL_API=3 etcdctl snapshot status ${`${dataBackupDir(ctx)}/db`} -w json`,
        ok: (out) => {
          if (out.exitCode !== 0) return `etcdctl snapshot status failed: ${out.stderr.trim().slice(-200)}`;
          try {
            parseSnapshotStatus(out.stdout);
            return true;
          } catch (e) {
            return (e as Error).message;
          }
        },
      },
    },
    {
      id: 'v2-backup',
      title: 'Stop etcd on the member and take the v2 backup (etcdctl2 backup)',
      section: '4.6.1.2',
      where: onMember,
      precondition: {
        describe: 'the other members keep quorum while this one is stopped',
        command: (ctx) => {
          const others = otherMembers(ctx);
          return others.length
            ? etcdctl3(others.map(etcdClientUrl), ['endpoint', 'health'])
            : sh`echo 'single-member cluster: no other members'`;
        },
        ok: (out, ctx) => {
          const others = otherMembers(ctx);
          const counted = Number(ctx.captured.has('member-count') ? ctx.captured.get('member-count') : NaN);
          const n = Math.max(others.length + 1, Number.isFinite(counted) ? counted : 0);
          const r = parseV3EndpointHealth(text(out));
          const healthy = others.filter((h) => r.some((x) => x.endpoint === etcdClientUrl(h) && x.healthy));
          const unhealthy = others.filter((h) => !healthy.includes(h)).map((h) => h.name);
          return quorumVerdict(n, healthy.length, unhealthy, (ctx.host ?? member(ctx)).name);
        },
      },
      gate: {
        kind: 'confirm',
        what: (ctx) => {
          const m = member(ctx).name;
          const others = otherMembers(ctx).map((h) => h.name);
          return others.length
            ? `etcd on ${m} stops for the v2 backup; quorum is kept by the other members (${others.join(', ')}). It is ` +
                `started again right after.`
            : `etcd on ${m} stops for the v2 backup: it is the only member, so the API is unavailable until it is ` +
                `started again right after.`;
        },
        protectedBy: (ctx) => `the v3 snapshot just saved at ${dataBackupDir(ctx)}/db on ${member(ctx).name}`,
      },
      commands: (ctx) => {
        const d = dataBackupDir(ctx);
        const start = startCommand(etcdRuntime(ctx));
        return [
          // a static pod: its manifest moved to pods-stopped/ (systemctl stop would stop nothing); then
          // until nothing listens on the member's ports: etcdctl backup must not read a live data dir
          ...stopEtcdCommands(ctx),
          // a v2 backup of an earlier run the same day is moved aside (etcdctl backup will not write over a WAL)
          sh`if test -e ${d}/member;
            then mv ${`${d}/member`} ${`${d}/member.old-${timeStamp(ctx.startedAt)}`} &&
            echo ${`moved the earlier v2 backup aside to ${d}/member.old-${timeStamp(ctx.startedAt)}`}; fi`,
          sh`ETCDCTL_API=2 etcdctl backup --data-dir ${ETCD_DATA_DIR} --backup-dir ${d} || { rc=$?;
            echo 'the v2 backup failed: starting etcd again'; ${start}; exit $rc; }`,
        ];
      },
      timeoutMs: 8 * 60_000,
      verify: {
        describe: 'the v2 backup has member/wal/*.wal and member/snap/db',
        command: (ctx) => v2BackupCheckCommand(dataBackupDir(ctx)),
        ok: missingVerdict('the v2 backup'),
      },
    },
    {
      id: 'start-etcd',
      title: 'Start etcd again (systemctl start, or the static pod’s manifest moved back) and wait until the member is healthy',
      section: '4.6.1.2',
      where: onMember,
      follow: followEtcdLog,
      commands: (ctx) => {
        return [startCommand(etcdRuntime(ctx)), untilEtcdHealthy(ctx, ctx.host ?? member(ctx))];
      },
      timeoutMs: 8 * 60_000,
      verify: {
        describe: 'every endpoint is healthy again (v3)',
        command: (ctx) => etcdctl.endpointHealth(all(ctx)),
        ok: (out, ctx) => {
          const r = parseV3EndpointHealth(text(out));
          const bad = all(ctx).filter((e) => !r.some((x) => x.endpoint === e && x.healthy));
          return bad.length === 0 || `not healthy after the restart: ${bad.join(', ')}`;
        },
      },
    },
    {
      id: 'verify-backup',
      title: 'Verify the backup: snapshot status of <dir>/db, the v2 member/wal and member/snap/db',
      section: '4.6.1.2',
      where: onMember,
      commands: (ctx) => {
        const d = dataBackupDir(ctx);
        return [
          sh`ETCDCTL_API=3 etcdctl snapshot status ${`${d}/db`} -w json`,
          sh`ls -l ${`${d}/db`} ${`${d}/member/snap/db`} ${`${d}/member/wal`}`,
          sh`du -sh ${d}`,
        ];
      },
      capture: {
        'snapshot-hash': (outputs) => String(parseSnapshotStatus(outputs[0]?.stdout ?? '').hash),
        'snapshot-revision': (outputs) => String(parseSnapshotStatus(outputs[0]?.stdout ?? '').revision),
        'snapshot-keys': (outputs) => String(parseSnapshotStatus(outputs[0]?.stdout ?? '').totalKey),
        'snapshot-size': (outputs) => String(parseSnapshotStatus(outputs[0]?.stdout ?? '').totalSize),
      },
      verify: {
        describe: 'the v3 snapshot and the v2 backup are complete',
        command: (ctx) => v2BackupCheckCommand(dataBackupDir(ctx)),
        ok: missingVerdict('the etcd backup'),
      },
    },
    sftpCopyStep({
      id: 'copy-to-bastion',
      title: 'Copy the backup off the cluster, to the bastion (tar on the host, SFTP to <copy-to>/<host>/)',
      section: '4.6',
      param: 'copy-to',
      describeHosts: 'every etcd member',
      hosts: (ctx) => etcdHosts(ctx.inventory),
      dirs: (ctx, h) => {
        const stamp = dateStamp(ctx.startedAt);
        const cfg = `etcd-config-${stamp}`;
        const out = [{ tarArgs: sh`-C /backup ${cfg}`, name: `${cfg}.tar.gz` }];
        if (h.name === member(ctx).name) {
          const d = dataBackupDir(ctx);
          const slash = d.lastIndexOf('/');
          const parent = slash <= 0 ? '/' : d.slice(0, slash);
          const base = d.slice(slash + 1);
          out.push({ tarArgs: sh`-C ${parent} ${base}`, name: `etcd-data-${stamp}.tar.gz` });
        }
        return out;
      },
    }),
  ],
});

export default etcdBackup;

// Pieces shared by the etcd restore procedures (5.4.2 etcd-config-restore, 5.4.2.1 etcd-restore,
// 5.4.2.1.1 etcd-peerurl-fix). Not a procedure itself. etcdctl is always called with every flag (the
// installer's etcdctl2/etcdctl3 aliases are not expanded over ssh); stops, starts and restarts go through
// src/ocp/control-plane.ts (static pod or unit).

import type { CommandOutput } from '../src/checks/types.js';
import type { CommandCheck, Gate, Placement, Step, StepContext } from '../src/engine/types.js';
import { until } from '../src/engine/wait.js';
import type { Host } from '../src/inventory/types.js';
import {
  apiHealthyPredicate,
  apiHealthzUrl,
  ETCD_CONF,
  etcdGone,
  etcdGonePredicate,
  followLogCommand,
  type Runtime,
  recentLogCommand,
  restartCommand,
  runningCommand,
  runningPredicate,
  runtimeOf,
  ssListens,
  startWithinSeconds,
  stopCommand,
} from '../src/ocp/control-plane.js';
import {
  ETCD_PEER_PORT,
  type EtcdMember,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdctl3,
  etcdHosts,
  etcdPeerUrl,
  parseV2ClusterHealth,
  parseV2MemberList,
  parseV3EndpointHealth,
} from '../src/ocp/etcd.js';
import { type ShellCommand, sh } from '../src/transport/shell.js';

// one home for these (src/ocp/control-plane.ts); the procedures import them from here
export { ETCD_CONF, etcdGone, ssListens };

export const ETCD_UNIT = 'etcd.service';
export const DATA_DIR = '/var/lib/etcd';
export const DROP_IN_DIR = '/etc/systemd/system/etcd.service.d';
export const DROP_IN = `${DROP_IN_DIR}/temp.conf`;
export const UNIT_FILE = '/usr/lib/systemd/system/etcd.service';
/** Where an all-in-one master keeps etcd's data (the guide, 4.6.1 and 5.4.2.1); the procedures work on DATA_DIR only. */
export const ALL_IN_ONE_DATA_DIR = '/var/lib/origin/openshift.local.etcd';

const allInOneSentence =
  `etcd's data on this host is in ${ALL_IN_ONE_DATA_DIR} (an all-in-one master): this procedure ` +
  `works on ${DATA_DIR} only; follow the guide with ${ALL_IN_ONE_DATA_DIR} in place of ${DATA_DIR}`;

/** Prints `all-in-one: …` when the host's etcd data is the all-in-one directory (and DATA_DIR holds no member). */
export function allInOneCommand(): ShellCommand {
  return sh`if test -d ${ALL_IN_ONE_DATA_DIR} && ! test -d ${`${DATA_DIR}/member`}; then echo ${`all-in-one: ${allInOneSentence}`}; fi`;
}

/** ETCD_DATA_DIR of etcd.conf (absent: etcd's default, which the RPM sets to DATA_DIR) is the one the procedures work on. */
export function dataDirVerdict(dataDir: string | undefined): true | string {
  if (dataDir === undefined || dataDir.replace(/\/+$/, '') === DATA_DIR) return true;
  if (dataDir.replace(/\/+$/, '') === ALL_IN_ONE_DATA_DIR) return allInOneSentence;
  return `ETCD_DATA_DIR is ${dataDir}: this procedure works on ${DATA_DIR} only`;
}

export const text = (o: CommandOutput): string => `${o.stdout}\n${o.stderr}`;
export const lastOf = (outputs: CommandOutput[]): CommandOutput =>
  outputs[outputs.length - 1] ?? { exitCode: null, stdout: '', stderr: '' };

/** The etcd member named by the `host` parameter. */
export function paramMember(ctx: StepContext): Host {
  const name = ctx.params['host'];
  const h = etcdHosts(ctx.inventory).find((x) => x.name === name);
  if (!h) throw new Error(`${JSON.stringify(name ?? '')} is not an etcd member of the inventory`);
  return h;
}

/** Every etcd member but the one named by `host`, in inventory order. */
export function otherMembers(ctx: StepContext): Host[] {
  const m = paramMember(ctx);
  return etcdHosts(ctx.inventory).filter((h) => h.name !== m.name);
}

export const onParamHost: Placement = { on: 'param', param: 'host' };

/** Members, quorum and failures tolerated of an n-member cluster. */
export function quorumOf(n: number): { members: number; quorum: number; tolerated: number } {
  const quorum = Math.floor(n / 2) + 1;
  return { members: n, quorum, tolerated: Math.max(0, n - quorum) };
}

/** The member's own endpoint is healthy (v3 endpoint health). */
export function ownHealth(h: Host): ShellCommand {
  return etcdctl3([etcdClientUrl(h)], ['endpoint', 'health']);
}

/** How the step's host (or `h`) runs etcd: static pod or systemd unit (ctx.facts, read before the run). */
export function etcdRuntime(ctx: StepContext, h?: Host): Runtime {
  const host = h ?? ctx.host;
  if (!host) throw new Error('etcdRuntime: no host (a step on the bastion does not run etcd)');
  return runtimeOf(ctx, host, 'etcd');
}

/** etcd's log on the step's host, followed while the step's commands run (a start-up): master-logs or journalctl. */
export function followEtcdLog(ctx: StepContext): ShellCommand {
  return followLogCommand(etcdRuntime(ctx));
}

/** Stop etcd on the step's host the way it runs, and wait until it is really gone (nothing listens on its 2379/2380). */
export function stopEtcdCommands(ctx: StepContext): ShellCommand[] {
  const r = etcdRuntime(ctx);
  return [
    stopCommand(r),
    until(etcdGonePredicate(r, etcdAddress(ctx.host!)), { withinMs: 90_000, what: `etcd on ${ctx.host!.name} did not stop` }),
  ];
}

/** Until the member `h` (default: the step's host) answers endpoint health, as long as its runtime's start may take. */
export function untilEtcdHealthy(ctx: StepContext, h: Host = ctx.host ?? paramMember(ctx), what = 'did not become healthy'): ShellCommand {
  const r = etcdRuntime(ctx, h);
  const note = r.kind === 'static-pod' ? ' (a static pod: read master-logs etcd etcd, and the node log for a kubelet back-off)' : '';
  return until(ownHealth(h), { withinMs: startWithinSeconds(r) * 1000, what: `${h.name} ${what}${note}` });
}

/**
 * Restart the API and the controllers on the step's master the way it runs them; after the API, wait until its
 * own /healthz says ok, so that on a serial step the next master restarts only once this one serves again.
 */
export function restartMasterCommands(ctx: StepContext): ShellCommand[] {
  const h = ctx.host!;
  const api = runtimeOf(ctx, h, 'api');
  const controllers = runtimeOf(ctx, h, 'controllers');
  const url = apiHealthzUrl(ctx.inventory, h);
  return [
    restartCommand(api),
    until(apiHealthyPredicate(url), { withinMs: startWithinSeconds(api) * 1000, what: `${h.name}: ${url} did not say ok` }),
    restartCommand(controllers),
    until(runningPredicate(controllers), {
      withinMs: startWithinSeconds(controllers) * 1000,
      what: `${h.name}: the controllers did not run again`,
    }),
  ];
}

/**
 * Restart the API and the controllers on `hosts` (default: every master), one master at a time, the next
 * only once this one's /healthz says ok. After a restore, so that no API serves the old state from its cache.
 */
export function restartMastersStep(
  section: string,
  o: { id?: string; describe?: string; hosts?: (ctx: StepContext) => Host[]; why?: string } = {},
): Step {
  return {
    id: o.id ?? 'restart-masters',
    title:
      `Restart the master API and controllers on ${o.describe ?? 'every master'}, one at a time (master-restart ` +
      `api; master-restart controllers), the next only once this one’s /healthz says ok${o.why ? ` (${o.why})` : ''}`,
    section,
    where: o.hosts
      ? { on: 'hosts', describe: o.describe ?? 'the masters', mode: 'serial', hosts: o.hosts }
      : { on: 'role', role: 'master', mode: 'serial' },
    commands: (ctx) => restartMasterCommands(ctx),
    // a static pod's start may wait out the kubelet's back-off (startWithinSeconds)
    timeoutMs: 8 * 60_000,
    verify: apiHealthy,
  };
}

/** The step's master answers ok on its own /healthz. */
export const apiHealthy: CommandCheck = {
  describe: 'the master’s API says ok on its own /healthz',
  command: (ctx) => sh`curl -sk --max-time 10 ${apiHealthzUrl(ctx.inventory, ctx.host!)}`,
  ok: (out, ctx) => {
    const said = out.stdout.trim();
    return (
      said === 'ok' ||
      `${apiHealthzUrl(ctx.inventory, ctx.host!)} ` +
        `${out.exitCode === 0 ? `says ${JSON.stringify(said.slice(0, 100))}` : `does not answer (curl exit ${out.exitCode})`}`
    );
  },
};

// ---- steps shared by the restores (5.4.2.1, 5.4.2.2) ----------------------------------------------------

const everyMember: Placement = { on: 'role', role: 'etcd', mode: 'serial' };

/** Stop etcd on every member, the way each runs it, and wait until it is really gone (the restores' step 4). */
export function stopEveryMemberStep(section: string, gate: Gate): Step {
  return {
    id: 'stop-etcd',
    // etcd really gone is what the data moves rely on
    guard: true,
    title:
      'Stop etcd on every member and wait until it is gone (systemctl stop, or a static pod’s manifest moved to ' +
      '/etc/origin/node/pods-stopped/)',
    section,
    where: everyMember,
    gate,
    commands: (ctx) => stopEtcdCommands(ctx),
    timeoutMs: 8 * 60_000,
    verify: etcdGone,
  };
}

/** Read etcd's recent log on the restored member and check that it runs. */
export function etcdLogStep(section: string): Step {
  return {
    id: 'journal',
    title: 'Check for error messages (journalctl -u etcd.service -n 50; static pod: master-logs etcd etcd --tail 50)',
    section,
    where: onParamHost,
    commands: (ctx) => [recentLogCommand(etcdRuntime(ctx))],
    verify: {
      describe: 'etcd runs (the unit is active, or the static pod has a running container)',
      command: (ctx) => runningCommand(etcdRuntime(ctx)),
      ok: (out) => out.stdout.trim() === 'running' || 'etcd is not running: read its log above',
    },
  };
}

/** v2 cluster-health through the given endpoints says "cluster is healthy". */
export function healthyV2(endpoints: (ctx: StepContext) => string[], describe = 'cluster is healthy (v2 cluster-health)'): CommandCheck {
  return {
    describe,
    command: (ctx) => etcdctl.clusterHealth(endpoints(ctx)),
    ok: (out) => {
      const h = parseV2ClusterHealth(text(out));
      if (h.cluster === 'healthy') return true;
      const bad = h.members.filter((m) => m.health !== 'healthy').map((m) => `${m.id} ${m.health}`);
      return `etcd reports the cluster ${h.cluster}${bad.length ? `: ${bad.join(', ')}` : ''}${h.errors.length ? ` (${h.errors[0]})` : ''}`;
    },
  };
}

/** Every given endpoint answers v3 endpoint health. */
export function healthyV3(endpoints: (ctx: StepContext) => string[], describe = 'every endpoint is healthy (v3)'): CommandCheck {
  return {
    describe,
    command: (ctx) => etcdctl.endpointHealth(endpoints(ctx)),
    ok: (out, ctx) => {
      const r = parseV3EndpointHealth(text(out));
      const bad = endpoints(ctx).filter((e) => !r.some((x) => x.endpoint === e && x.healthy));
      return bad.length === 0 || `not healthy: ${bad.join(', ')}`;
    },
  };
}

// ---- 5.4.2.1.1 the peerURL fix --------------------------------------------------------------------------

/** `KEY=value` (quotes dropped) from etcd.conf lines. */
export function confValue(conf: string, key: string): string | undefined {
  for (const l of conf.split('\n')) {
    const m = new RegExp(`^\\s*${key}=(.*)$`).exec(l);
    if (m) return m[1]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** The member in a v2 member list that is this host: by client URL, else by name, else the only one. */
export function findSelf(members: EtcdMember[], h: Host, name?: string): EtcdMember {
  const byUrl = members.filter((m) => m.clientURLs.includes(etcdClientUrl(h)));
  if (byUrl.length === 1) return byUrl[0]!;
  const byName = members.filter((m) => m.name === (name ?? h.name));
  if (byName.length === 1) return byName[0]!;
  if (members.length === 1) return members[0]!;
  throw new Error(
    `cannot tell which member of the list is ${h.name} (${members.length} members, none with client URL ${etcdClientUrl(h)})`,
  );
}

/**
 * The https peer URL this member should advertise: the inventory's address, which must agree with
 * ETCD_INITIAL_ADVERTISE_PEER_URLS in its etcd.conf and be listening (`ss -l4n | grep 2380`; on the lab
 * every host's sockets are listed, so the host's own IP is matched).
 */
export function expectedPeerUrl(h: Host, conf: string, ss: string): string {
  const want = etcdPeerUrl(h);
  const adv = confValue(conf, 'ETCD_INITIAL_ADVERTISE_PEER_URLS');
  if (adv !== undefined && adv !== want) {
    throw new Error(
      `${h.name}: etcd.conf advertises ${adv}, the inventory says ${want}; fix the inventory (openshift_ip) or etcd.conf first`,
    );
  }
  if (!ssListens(ss, etcdAddress(h), ETCD_PEER_PORT)) {
    throw new Error(
      `${h.name}: nothing listens on ${etcdAddress(h)}:${ETCD_PEER_PORT} (ss -l4n); etcd must listen for peers there ` +
        `before the peer URL is changed`,
    );
  }
  return want;
}

/** Steps of 5.4.2.1.1 on `where` (one host): read id and address, member update, verify. */
export function peerUrlFixSteps(where: Placement, prefix = ''): Step[] {
  const self = (ctx: StepContext): Host => ctx.host ?? paramMember(ctx);
  return [
    {
      id: `${prefix}peerurl-read`,
      title: 'Get the member id (member list) and the IP etcd listens on for peers (ss -l4n | grep 2380)',
      section: '5.4.2.1.1',
      where,
      commands: (ctx) => [
        sh`grep -E '^(ETCD_NAME|ETCD_INITIAL_ADVERTISE_PEER_URLS)=' ${ETCD_CONF}`,
        sh`ss -l4n 2>/dev/null | grep ':2380' || true`,
        etcdctl.memberListV2([etcdClientUrl(self(ctx))]),
      ],
      capture: {
        'member-id': (o, ctx) => findSelf(parseV2MemberList(text(lastOf(o))), self(ctx), confValue(o[0]?.stdout ?? '', 'ETCD_NAME')).id,
        'current-peer-urls': (o, ctx) =>
          findSelf(parseV2MemberList(text(lastOf(o))), self(ctx), confValue(o[0]?.stdout ?? '', 'ETCD_NAME')).peerURLs.join(','),
        'peer-url': (o, ctx) => expectedPeerUrl(self(ctx), o[0]?.stdout ?? '', o[1]?.stdout ?? ''),
      },
      verify: {
        describe: 'the member list answers and names this member',
        command: (ctx) => etcdctl.memberListV2([etcdClientUrl(self(ctx))]),
        ok: (out, ctx) => {
          if (out.exitCode !== 0) return `member list failed: ${text(out).trim().slice(-200)}`;
          findSelf(parseV2MemberList(text(out)), self(ctx));
          return true;
        },
      },
    },
    {
      id: `${prefix}peerurl-update`,
      title: 'Update the member with its IP: etcdctl2 member update <id> https://<ip>:2380',
      section: '5.4.2.1.1',
      where,
      skipIf: (ctx) =>
        ctx.captured.get('current-peer-urls') === ctx.captured.get('peer-url')
          ? `the member already advertises ${ctx.captured.get('peer-url')}`
          : undefined,
      commands: (ctx) => [etcdctl.memberUpdateV2([etcdClientUrl(self(ctx))], ctx.captured.get('member-id'), ctx.captured.get('peer-url'))],
      verify: {
        describe: 'the member list shows the IP as the member’s peer URL',
        command: (ctx) => etcdctl.memberListV2([etcdClientUrl(self(ctx))]),
        ok: (out, ctx) => {
          const id = ctx.captured.get('member-id');
          const m = parseV2MemberList(text(out)).find((x) => x.id === id);
          if (!m) return `member ${id} is not in the member list`;
          const want = ctx.captured.get('peer-url');
          return (
            (m.peerURLs.length === 1 && m.peerURLs[0] === want) ||
            `member ${id} advertises ${m.peerURLs.join(',') || '(nothing)'}, not ${want}`
          );
        },
      },
    },
    {
      id: `${prefix}peerurl-verify`,
      title: 'Check that the IP is in the member list (etcdctl2 member list)',
      section: '5.4.2.1.1',
      where,
      commands: (ctx) => [etcdctl.memberListV2([etcdClientUrl(self(ctx))])],
      verify: {
        describe: 'no member advertises a localhost peer URL and this one advertises its https address',
        command: (ctx) => etcdctl.memberListV2([etcdClientUrl(self(ctx))]),
        ok: (out, ctx) => {
          const ms = parseV2MemberList(text(out));
          const local = ms.filter((m) => m.peerURLs.some((u) => /localhost|127\.0\.0\.1/.test(u)));
          if (local.length) return `still advertising localhost: ${local.map((m) => `${m.id} ${m.peerURLs.join(',')}`).join('; ')}`;
          const want = etcdPeerUrl(self(ctx));
          return ms.some((m) => m.peerURLs.includes(want)) || `no member advertises ${want}`;
        },
      },
    },
  ];
}

/** Validator for a backup directory parameter on a host. */
export function validateRemoteDir(value: string): string | undefined {
  if (!value.startsWith('/')) return `${JSON.stringify(value)} is not an absolute path; e.g. /backup/etcd-20261125`;
  if (/[\0\n\r]/.test(value)) return 'the directory contains a control character';
  if (value.split('/').includes('..')) return `${JSON.stringify(value)} contains "..": give a plain absolute path`;
  const v = value.replace(/\/+$/, '');
  if (v === '' || v === DATA_DIR || v.startsWith(`${DATA_DIR}/`)) return `the backup directory cannot be / or inside ${DATA_DIR}`;
  return undefined;
}

export function backupParam(ctx: StepContext): string {
  return (ctx.params['backup'] ?? '').replace(/\/+$/, '');
}

// ---- shared by etcd-restore (5.4.2.1) and etcd-snapshot-restore (5.4.2.2) ------------------------------

/**
 * `snapshot status -w json` of a snapshot file and the file's size (`stat -c %s`) on a line `size: N`
 * (read by etcd-restore's snapshotVerdict).
 */
export function snapshotFileCheckCommand(file: string): ShellCommand {
  return sh`ETCDCTL_API=3 etcdctl snapshot status ${file} -w json && echo "size: $(stat -c %s ${file})"`;
}

/** A v2 member list (and cluster-health) has every inventory member, started, with its name and https peer URL. */
export function membershipVerdict(out: CommandOutput, members: Host[]): true | string {
  const ms = parseV2MemberList(text(out));
  const problems: string[] = [];
  if (ms.length !== members.length) problems.push(`${ms.length} members, the inventory has ${members.length}`);
  for (const h of members) {
    const m = ms.find((x) => x.name === h.name);
    if (!m) problems.push(`${h.name} missing`);
    else if (m.peerURLs.join(',') !== etcdPeerUrl(h)) problems.push(`${h.name} advertises ${m.peerURLs.join(',')}`);
    else if (!m.started) problems.push(`${h.name} is not started`);
  }
  if (problems.length) return problems.join('; ');
  return out.exitCode === 0 || 'the cluster is not healthy';
}

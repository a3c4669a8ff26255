// 5.2.1 Deprecating a master host:
//   5.2.1.1 / 5.2.1.2  back up the master (and etcd) first
//   warning (L733): ca.serial.txt exists only on the inventory's first master: when that one goes, copy
//     /etc/origin/master/ca.serial.txt to the remaining masters before anything else
//   5.2.1.3  /etc/haproxy/haproxy.cfg: drop the master from `backend mgmt8443`; systemctl restart haproxy
//            systemctl disable --now atomic-openshift-master-api; … atomic-openshift-master-controllers
//            (3.10's static pods: their manifests moved out of /etc/origin/node/pods/ instead)
//            then the node steps of 5.3.1 (a master is a node); the inventory's [masters] and [nodes]
//            oc describe svc kubernetes -n default: the master's IP is no longer an endpoint
//   5.2.1.4  its colocated etcd member goes too (etcd-remove-member's steps); masters and etcd members
//            stay odd, at least 3 for high availability
// Decisions beyond the guide's text:
// - Everything that can refuse is checked before anything changes: the master count, the etcd quorum
//   (3 → 2 is refused without allow-even=yes, as in etcd-remove-member) and the drain (bare pods).
// - The backup is taken by this run (master-backup's steps, on the master that goes), not asked for as a
//   precondition: it is a copy of /etc/origin and a few files that takes seconds, it is exactly what
//   master-restore reads, and a backup of the day is what the guide asks for; copy-to fetches it to the
//   bastion, because the host is about to be retired.
// - ca.serial.txt is copied byte for byte (base64), with its mode, a .bak of any file it replaces.
// - The master's API and controllers are stopped for good the way it runs them (units disabled, or static
//   pods' manifests moved to pods-stopped/, kept) after it left the load balancer and before its etcd
//   member is removed; the other masters' etcdClientInfo.urls and flanneld drop the member, then their API
//   and controllers restart one master at a time (the etcd steps).
// - The kubernetes service is checked (for up to 90 s) to no longer list the master's address.
// - The Ansible inventory is not edited: the last step says what to change.

import { hostAliases } from '../src/checks/common.js';
import { reuseStep } from '../src/engine/reuse.js';
import type { Placement, Procedure, Step, StepContext } from '../src/engine/types.js';
import { until } from '../src/engine/wait.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import type { Host } from '../src/inventory/types.js';
import {
  controlPlaneProbe,
  disableCommand,
  disabledVerdict,
  type Runtime,
  runtimeOf,
  stateCommand,
  stoppedPredicate,
} from '../src/ocp/control-plane.js';
import { etcdHosts } from '../src/ocp/etcd.js';
import { HAPROXY_CFG } from '../src/ocp/haproxy.js';
import { CA_SERIAL } from '../src/ocp/master-config.js';
import { argv, type ShellCommand, sh } from '../src/transport/shell.js';
import { backupDir, backupDirParam, dateStamp, hostnameOf, sftpCopyStep, timeStamp, validateBastionDir } from './backup-common.js';
import { defineProcedure, hostParam, oneOf, textParam, yesNo } from './define.js';
import { etcdRemoveMember, remainingWork } from './etcd-remove-member.js';
import { masterBackup } from './master-backup.js';
import {
  cordonStep,
  deleteNodeStep,
  drainSteps,
  haproxySteps,
  listPodsStep,
  names,
  nodeFactsStep,
  nodeHost,
  nodeIp,
  oc,
  podsSteps,
  watchReplacementsSteps,
} from './node-common.js';

const SECTION = '5.2.1';

const onNode: Placement = { on: 'param', param: 'node' };
const allowEven = (ctx: { params: Readonly<Record<string, string>> }): boolean => ctx.params['allow-even'] === 'yes';

// ---- pure parts (tested) ---------------------------------------------------------------------------

/** The inventory's masters, in inventory order. */
export const masters = (ctx: { inventory: StepContext['inventory'] }): Host[] => hostsOfRole(ctx.inventory, 'master');
/** The masters that stay. */
export const remainingMasters = (ctx: { params: Readonly<Record<string, string>>; inventory: StepContext['inventory'] }): Host[] =>
  masters(ctx).filter((h) => h.name !== ctx.params['node']);
/** Is the master the inventory's first (the only one with ca.serial.txt)? */
export const isFirstMaster = (ctx: { params: Readonly<Record<string, string>>; inventory: StepContext['inventory'] }): boolean =>
  masters(ctx)[0]?.name === ctx.params['node'];
/** Is the master an etcd member of the inventory? */
export const isEtcdMember = (ctx: { params: Readonly<Record<string, string>>; inventory: StepContext['inventory'] }): boolean =>
  etcdHosts(ctx.inventory).some((h) => h.name === ctx.params['node']);

/** May one of `before` masters go? true, a warning, or the refusal. Masters stay odd, 3 for high availability. */
export function masterCountVerdict(before: number, allow: boolean): true | { warn: string } | string {
  const after = before - 1;
  if (after < 1) return 'it is the only master of the inventory: decommissioning it leaves no control plane';
  if (after % 2 === 0 && after < 3 && !allow) {
    return (
      `it leaves ${after} masters: masters (and their etcd members) are kept odd, at least 3 for high availability ` +
      `(the guide, 5.2.1). Add a master first, or run again with allow-even=yes`
    );
  }
  if (after < 3) return { warn: `warning: ${after} master(s) left: the control plane is no longer highly available` };
  if (after % 2 === 0) return { warn: `warning: ${after} masters is an even count: keep masters odd` };
  return true;
}

/** The addresses the master may be listed under in the kubernetes service's endpoints. */
/** grep's `-e` before each pattern. */
function eachE(patterns: string[]): string[] {
  return patterns.flatMap((a) => ['-e', a]);
}

export function masterAddresses(ctx: StepContext): string[] {
  const ips = hostAliases(nodeHost(ctx)).filter((a) => /^[0-9.]+$|:/.test(a));
  const ip = nodeIp.maybe(ctx) ?? '';
  return [...new Set([...ips, ...(ip ? [ip] : [])])];
}

/** The IPs of `oc get endpoints kubernetes -n default -o jsonpath=…` (one per line). */
export function parseEndpointIps(out: string): string[] {
  return out
    .split(/\s+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** ca.serial.txt's content (base64 of it) is a serial number: hex digits, white space. */
export function checkSerialB64(b64: string): string {
  const v = b64.trim();
  if (!/^[A-Za-z0-9+/]+=*$/.test(v)) throw new Error(`base64 of ${CA_SERIAL} is ${JSON.stringify(v.slice(0, 40))}: not base64`);
  const content = Buffer.from(v, 'base64').toString('latin1');
  if (!/^[0-9A-Fa-f]+\s*$/.test(content))
    throw new Error(`${CA_SERIAL} does not hold a serial number (${JSON.stringify(content.slice(0, 40))}): check the file by hand`);
  return v;
}

/**
 * A step of another procedure that reads its host from the `member` parameter, made to read it from
 * `node` (the master being decommissioned); its id prefixed. `skip` adds a reason to skip it.
 */
export function asMasterStep(step: Step, prefix: string, skip?: (ctx: StepContext) => string | undefined): Step {
  return reuseStep(step, {
    idPrefix: prefix,
    context: (ctx) => ({ params: { ...ctx.params, member: ctx.params['node'] ?? '' } }),
    hostParams: { member: 'node' },
    ...(skip ? { skip } : {}),
  });
}

const etcdStep = (id: string): Step => {
  const s = etcdRemoveMember.steps.find((x) => x.id === id);
  if (!s) throw new Error(`etcd-remove-member has no step ${id}`);
  return asMasterStep(s, 'etcd-', (ctx) =>
    isEtcdMember(ctx) ? undefined : `${ctx.params['node']} is not an etcd member of the inventory: no etcd member to remove`,
  );
};

/** How the master being decommissioned runs its API and its controllers. */
const apiAndControllers = (ctx: StepContext): Runtime[] => [
  runtimeOf(ctx, nodeHost(ctx), 'api'),
  runtimeOf(ctx, nodeHost(ctx), 'controllers'),
];

/** How they start again, for the gate: the manifests moved back, or the units enabled. */
function startAgain(ctx: StepContext): string {
  const how = apiAndControllers(ctx).map((r) =>
    r.kind === 'static-pod' ? `mv ${r.stopped} ${r.manifest}` : `systemctl enable --now ${r.unit}`,
  );
  return `nothing is deleted: ${how.join('; ')} on ${ctx.params['node']} starts them again`;
}

/** stateCommand's output for the API, a `---` line, then the controllers': both stopped for good. */
function bothDisabledVerdict(out: string, ctx: StepContext): true | string {
  const parts = out.split(/^---$/m);
  const bad = apiAndControllers(ctx)
    .map((r, i) => disabledVerdict({ exitCode: 0, stdout: parts[i] ?? '', stderr: '' }, r))
    .filter((v): v is string => v !== true);
  return bad.length === 0 || bad.join('; ');
}

const backupStep = (id: string): Step => {
  const s = masterBackup.steps.find((x) => x.id === id);
  if (!s) throw new Error(`master-backup has no step ${id}`);
  return { ...s, id: `backup-${s.id}`, where: onNode };
};

function endpointsCommand(): ShellCommand {
  return oc('get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}');
}

export function remainingWorkLines(ctx: StepContext): string[] {
  const h = nodeHost(ctx);
  const groups = ['[masters]', '[nodes]', ...(isEtcdMember(ctx) ? ['[etcd]'] : [])];
  const lines = [
    `${h.name} is no longer a master of the cluster. Still to do by hand:`,
    `- the Ansible inventory: remove ${h.name} from ${groups.join(', ')}, so that a playbook run does not add it back`,
  ];
  if (isEtcdMember(ctx)) {
    const etcd = remainingWork({ ...ctx, params: { ...ctx.params, member: h.name } })
      .slice(1)
      .filter((l) => !l.includes('the Ansible inventory'));
    lines.push(
      `- (done by this run: its etcd member is removed; the masters' etcdClientInfo.urls and FLANNEL_ETCD_ENDPOINTS no ` +
        `longer name it, previous files kept as .bak-${timeStamp(ctx.startedAt)})`,
      ...etcd,
    );
  }
  if (isFirstMaster(ctx)) {
    lines.push(
      `- ${h.name} was the inventory's first master: ${remainingMasters(ctx)[0]?.name ?? 'the next master'} is first ` +
        `now, and has ca.serial.txt (copied by this run)`,
    );
  }
  const copyTo = ctx.params['copy-to'];
  const copied = copyTo ? ` and under ${copyTo}/${h.name}/ on the bastion` : ': copy it off before the host is retired';
  // a plan names the parameter: the directory is made of the hostname the run reads on the host
  lines.push(`- the backup of ${h.name} is in ${ctx.planning ? '<backup-dir>' : backupDir({ ...ctx, host: h })} on it${copied}`);
  const lbs = hostsOfRole(ctx.inventory, 'lb').map((x) => x.name);
  if (lbs.length)
    lines.push(
      `- the load balancer's previous configuration is kept as ${HAPROXY_CFG}.bak-${timeStamp(ctx.startedAt)} on ${lbs.join(', ')}`,
    );
  lines.push(`- the host can be shut down: the kubernetes service no longer lists it`);
  return lines;
}

// ---- the procedure ---------------------------------------------------------------------------------

export const masterDecommission: Procedure = defineProcedure({
  id: 'master-decommission',
  title: 'Decommission a master',
  section: '5.2.1',
  guideLine: 587,
  risk: 'destructive',
  summary:
    'Takes a master out of the load balancer and the cluster, with its etcd member, after a backup and while keeping an odd master count.',
  // the API, the controllers and etcd are stopped and restarted the way each master runs them
  facts: [controlPlaneProbe],
  parameters: [
    hostParam('node', 'master', 'Master to decommission'),
    yesNo('allow-even', 'Go ahead even when it leaves an even count below 3 of masters / etcd members (3 → 2)'),
    backupDirParam('Where its backup is written on the master'),
    {
      ...textParam(
        'copy-to',
        'Directory on the bastion to copy the backup to (recommended: the host is being retired); default: none',
        false,
      ),
      validate: (v) => validateBastionDir(v),
    },
    oneOf(
      'delete-local-data',
      'Drain pods with emptyDir volumes (their emptyDir data is lost); auto: only when the node has such a pod',
      ['auto', 'yes', 'no'],
      'auto',
    ),
    yesNo('force', 'Drain with --force: pods without a controller are deleted for good (data loss; the node name must be typed)'),
  ],
  steps: [
    {
      id: 'master-count',
      title: 'Check the masters left: odd, at least 3 for high availability (refused for 3 → 2 without allow-even=yes)',
      section: SECTION,
      where: { on: 'bastion' },
      precondition: {
        describe: 'the master count left is allowed',
        command: () => argv('true'),
        ok: (_out, ctx) => {
          const v = masterCountVerdict(masters(ctx).length, allowEven(ctx));
          return v === true || typeof v === 'object' ? true : `${ctx.params['node']}: ${v}`;
        },
      },
      commands: (ctx) => {
        const v = masterCountVerdict(masters(ctx).length, allowEven(ctx));
        return [
          sh`printf '%s\\n' ${[
            `masters before: ${masters(ctx).length} (${names(masters(ctx).map((h) => h.name))}); after: ` +
              `${remainingMasters(ctx).length} (${names(remainingMasters(ctx).map((h) => h.name))})`,
            isEtcdMember(ctx)
              ? `${ctx.params['node']} is also an etcd member: its member is removed too (5.2.1.4)`
              : `${ctx.params['node']} is not an etcd member of the inventory`,
            isFirstMaster(ctx)
              ? `${ctx.params['node']} is the inventory's first master: ca.serial.txt is copied to the other masters first`
              : `the inventory's first master is ${masters(ctx)[0]?.name}: it keeps ca.serial.txt`,
            ...(typeof v === 'object' ? [v.warn] : []),
          ]}`,
        ];
      },
    },
    etcdStep('health-and-list'),
    etcdStep('quorum'),
    nodeFactsStep(SECTION),
    ...podsSteps(SECTION),
    {
      id: 'ca-serial-read',
      title: 'Read /etc/origin/master/ca.serial.txt on the first master (it exists only there)',
      section: SECTION,
      where: onNode,
      skipIf: (ctx) =>
        isFirstMaster(ctx)
          ? undefined
          : `${ctx.params['node']} is not the inventory's first master (${masters(ctx)[0]?.name}): ca.serial.txt stays where it is`,
      precondition: {
        describe: `${CA_SERIAL} exists on the first master`,
        command: () => sh`test -f ${CA_SERIAL}`,
        ok: (out) =>
          out.exitCode === 0 ||
          `${CA_SERIAL} is missing on the inventory's first master: find the master that has it (ls ${CA_SERIAL} on ` +
            `each) and copy it to the others by hand before going on`,
      },
      commands: () => [sh`stat -c %a ${CA_SERIAL}`, sh`base64 -w0 < ${CA_SERIAL}; echo`],
      capture: {
        'ca-serial-mode': (o) => {
          const m = (o[0]?.stdout ?? '').trim();
          if (!/^[0-7]{3,4}$/.test(m)) throw new Error(`stat printed ${JSON.stringify(m.slice(0, 20))} for the mode of ${CA_SERIAL}`);
          return m;
        },
        'ca-serial': (o) => checkSerialB64(o[1]?.stdout ?? ''),
      },
    },
    {
      id: 'ca-serial-copy',
      title: 'Copy ca.serial.txt to the remaining masters, before anything else changes (a .bak of a file it replaces)',
      section: SECTION,
      where: { on: 'hosts', describe: 'every remaining master', mode: 'serial', hosts: remainingMasters },
      skipIf: (ctx) => (isFirstMaster(ctx) ? undefined : `${ctx.params['node']} is not the inventory's first master`),
      commands: (ctx) => {
        const tmp = `${CA_SERIAL}.tmp-${timeStamp(ctx.startedAt)}`;
        return [
          sh`if test -e ${CA_SERIAL}; then cp -p ${CA_SERIAL} ${`${CA_SERIAL}.bak-${timeStamp(ctx.startedAt)}`}; fi`,
          sh`umask 077
            && printf '%s' ${ctx.captured.get('ca-serial')} | base64 -d > ${tmp} &&
            chmod ${ctx.captured.get('ca-serial-mode')} ${tmp} && mv -f ${tmp} ${CA_SERIAL}`,
        ];
      },
      verify: {
        describe: 'the copy is byte for byte the first master’s ca.serial.txt',
        command: () => sh`base64 -w0 < ${CA_SERIAL}; echo`,
        ok: (out, ctx) => out.stdout.trim() === ctx.captured.get('ca-serial') || `${CA_SERIAL} differs from the first master's`,
      },
    },
    ...['hostname', 'config', 'other-files', 'packages', 'check-backup'].map(backupStep),
    sftpCopyStep({
      id: 'backup-copy',
      title: 'Copy the master backup off the host, to the bastion (tar on the host, SFTP to <copy-to>/<host>/)',
      section: '5.2.1.1',
      param: 'copy-to',
      describeHosts: 'the master being decommissioned',
      hosts: (ctx) => [nodeHost(ctx)],
      dirs: (ctx) => {
        const d = backupDir(ctx);
        const slash = d.lastIndexOf('/');
        return [
          {
            tarArgs: sh`-C ${slash <= 0 ? '/' : d.slice(0, slash)} ${d.slice(slash + 1)}`,
            name: `master-backup-${hostnameOf(ctx)}-${dateStamp(ctx.startedAt)}.tar.gz`,
          },
        ];
      },
    }),
    ...haproxySteps({
      prefix: 'api-lb-',
      section: '5.2.1.3',
      backends: ['mgmt8443'],
      what: 'New API connections stop going to the master',
    }),
    {
      id: 'disable-api',
      title:
        'Stop the master API and controllers for good (systemctl disable --now atomic-openshift-master-api / ' +
        '-controllers; static pods: their manifests moved to /etc/origin/node/pods-stopped/)',
      section: '5.2.1.3',
      where: onNode,
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `The master API and controllers on ${ctx.params['node']} are stopped and do not start again. The other masters ` +
          `(${names(remainingMasters(ctx).map((h) => h.name))}) serve the API (active/active) and one of them takes ` +
          `the controllers over (active/passive, through etcd).`,
        protectedBy: (ctx) => startAgain(ctx),
      },
      commands: (ctx) => {
        const rs = apiAndControllers(ctx);
        return [
          ...rs.map(disableCommand),
          ...rs.map((r) => until(stoppedPredicate(r), { withinMs: 90_000, what: `${ctx.params['node']}: ${r.component} did not stop` })),
        ];
      },
      timeoutMs: 3 * 60_000,
      verify: {
        describe: 'neither runs, and neither starts again (units disabled, or no manifest in pods/)',
        command: (ctx) => {
          const [api, controllers] = apiAndControllers(ctx);
          return sh`${stateCommand(api!)}; echo ---; ${stateCommand(controllers!)}`;
        },
        ok: (out, ctx) => bothDisabledVerdict(out.stdout, ctx),
      },
    },
    ...[
      'member-remove',
      'stop-removed',
      'read-initial-cluster',
      'edit-initial-cluster',
      'master-config',
      'flanneld',
      'restart-masters',
      'verify',
    ].map(etcdStep),
    cordonStep(SECTION),
    ...drainSteps(SECTION),
    ...watchReplacementsSteps(SECTION, 60),
    listPodsStep(SECTION),
    deleteNodeStep(
      SECTION,
      'the master is out of the load balancer, its API and controllers are stopped and it has no pods left but daemon set pods',
    ),
    {
      id: 'kubernetes-endpoints',
      title: 'Check that the kubernetes service no longer lists the master (oc describe svc kubernetes -n default)',
      section: '5.2.1.3',
      where: { on: 'bastion' },
      commands: (ctx) => [
        oc('describe', 'svc', 'kubernetes', '-n', 'default'),
        until(sh`out=$(${endpointsCommand()}) && test -n "$out" && ! printf '%s\\n' "$out" | grep -qxF ${eachE(masterAddresses(ctx))}`, {
          withinMs: 90_000,
          what: `the kubernetes service still lists ${names(masterAddresses(ctx))} (does its API still run there?)`,
        }),
      ],
      timeoutMs: 150_000,
      verify: {
        describe: 'the kubernetes service has endpoints, none of them the master',
        command: () => endpointsCommand(),
        ok: (out, ctx) => {
          if (out.exitCode !== 0) return `oc get endpoints kubernetes failed: ${out.stderr.trim().split('\n')[0]}`;
          const ips = parseEndpointIps(out.stdout);
          if (ips.length === 0) return 'the kubernetes service has no endpoints at all: no master API is serving';
          const still = ips.filter((ip) => masterAddresses(ctx).includes(ip));
          return still.length === 0 || `the kubernetes service still lists ${still.join(', ')}`;
        },
      },
    },
    {
      id: 'remaining-work',
      title: 'What the operator still does: the inventory, etcd client URLs, flanneld, the host itself',
      section: SECTION,
      where: { on: 'bastion' },
      commands: (ctx) => [sh`printf '%s\\n' ${remainingWorkLines(ctx)}`],
    },
  ],
});

export default masterDecommission;

// 5.4.2 Restoring etcd (the configuration file): when /etc/etcd/etcd.conf is lost or damaged,
//   cp /backup/yesterday/master-0-files/etcd.conf /etc/etcd/etcd.conf
//   restorecon -Rv /etc/etcd/etcd.conf
//   systemctl restart etcd.service                (a static pod: master-restart etcd)
// Beyond the guide's text: the backup file is looked for as <backup>/etcd.conf (the guide's layout) or
// <backup>/etcd/etcd.conf (what etcd-backup writes: cp -R /etc/etcd/ /backup/etcd-config-<date>/) and must
// hold ETCD_NAME; the current etcd.conf, if any, is kept as etcd.conf.old-<timestamp>; the restart
// happens only when the other members keep quorum; the tool waits until the member is healthy and
// checks every endpoint afterwards. When the backup is etcd-backup's copy of the whole /etc/etcd and the
// host lost more than etcd.conf (its certificates, the CA directory), what it lost is put back from the
// backup too, behind a gate that lists it, never replacing a file that is there (cp -n).

import { capture, captures } from '../src/engine/capture.js';
import type { Procedure, StepContext } from '../src/engine/types.js';
import { controlPlaneProbe, restartCommand } from '../src/ocp/control-plane.js';
import { etcdClientUrl, etcdctl3, etcdEndpoints, etcdHosts, parseV3EndpointHealth } from '../src/ocp/etcd.js';
import { sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import { quorumVerdict } from './etcd-backup.js';
import {
  backupParam,
  ETCD_CONF,
  etcdRuntime,
  followEtcdLog,
  healthyV3,
  onParamHost,
  otherMembers,
  paramMember,
  text,
  untilEtcdHealthy,
  validateRemoteDir,
} from './etcd-common.js';
import { etcdPanel } from './etcd-panel.js';

/** The backed-up etcd.conf, as remote shell text choosing between the two layouts. */
export function sourceConfCommand(dir: string) {
  return sh`if test -s ${`${dir}/etcd.conf`}; then echo ${`${dir}/etcd.conf`}; elif test -s ${`${dir}/etcd/etcd.conf`};
    then echo ${`${dir}/etcd/etcd.conf`}; else echo ${`missing: neither ${dir}/etcd.conf nor ${dir}/etcd/etcd.conf`}; exit 1; fi`;
}

/** What is in etcd-backup's copy of /etc/etcd but missing from the host's: one relative path per line. */
export function missingFromEtcCommand(dir: string) {
  return sh`if test -s ${`${dir}/etcd.conf`}; then (cd ${dir} && find . -mindepth 1 | sed 's|^\./||' | sort)
    | while IFS= read -r f; do test -e "/etc/etcd/$f" || echo "$f"; done; fi`;
}

/** The missing paths, each plain (they go back into commands): a name that is not is refused, naming it. */
export function parseMissing(out: string): string[] {
  const names = out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const odd = names.find((n) => !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(n) || n.split('/').includes('..'));
  if (odd !== undefined)
    throw new Error(
      `the backup holds a file whose name is not plain (${JSON.stringify(odd.slice(0, 80))}): copy what /etc/etcd lacks by hand`,
    );
  return names;
}

const source = (ctx: StepContext): string => ctx.captured.get('source');
const etcCopy = (ctx: StepContext): string => `${backupParam(ctx)}/etcd`;
/** What the backup's copy of /etc/etcd has and the host's lacks (a plan: one stand-in name). */
const missing = capture(
  'missing',
  (o) => parseMissing(o[1]?.stdout ?? ''),
  () => ['<the files the backup has and the host does not>'],
);
const oldCopy = (ctx: StepContext): string => `${ETCD_CONF}.old-${timeStamp(ctx.startedAt)}`;

export const etcdConfigRestore: Procedure = defineProcedure({
  id: 'etcd-config-restore',
  title: 'Restore etcd configuration',
  section: '5.4.2',
  guideLine: 1093,
  risk: 'high',
  summary: "Copies a member's backed-up etcd configuration back, fixes its SELinux labels and restarts etcd.",
  // static pod or unit: read from the hosts before the plan and the run (the restart differs)
  facts: [controlPlaneProbe],
  parameters: [
    hostParam('host', 'etcd', 'etcd member to restore'),
    {
      ...textParam(
        'backup',
        'Configuration backup directory on that member holding etcd.conf (or etcd/etcd.conf), e.g. /backup/etcd-config-<YYYYMMDD>',
      ),
      validate: (v) => validateRemoteDir(v),
    },
  ],
  panel: etcdPanel(paramMember),
  steps: [
    {
      id: 'find-backup',
      title: 'Find the backed-up etcd.conf (<backup>/etcd.conf or <backup>/etcd/etcd.conf)',
      section: '5.4.2',
      where: onParamHost,
      commands: (ctx) => [sourceConfCommand(backupParam(ctx)), missingFromEtcCommand(etcCopy(ctx))],
      capture: {
        source: (o) => {
          const l = (o[0]?.stdout ?? '').trim().split('\n').pop() ?? '';
          if (!l.startsWith('/')) throw new Error(l || 'no etcd.conf in the backup');
          return l;
        },
        ...captures(missing),
      },
      verify: {
        describe: 'the backed-up etcd.conf names the member (ETCD_NAME=)',
        command: (ctx) => sh`grep -E '^ETCD_NAME=' ${source(ctx)}`,
        ok: (out) => out.exitCode === 0 || 'the backed-up file has no ETCD_NAME= line: not an etcd.conf',
      },
    },
    {
      id: 'copy-missing',
      title:
        'Put back what the host lost of /etc/etcd (certificates included) from the backup’s copy of it, never replacing ' +
        'a file that is there (cp -a -n)',
      section: '5.4.2',
      where: onParamHost,
      skipIf: (ctx) =>
        (missing.maybe(ctx) ?? []).length > 0
          ? undefined
          : `nothing of ${etcCopy(ctx)} is missing from /etc/etcd (or the backup holds etcd.conf only)`,
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `${paramMember(ctx).name} lacks ${missing.of(ctx).join(', ')} in /etc/etcd: they are copied from ` +
          `${etcCopy(ctx)} and given to etcd:etcd.`,
        protectedBy: () => 'nothing that exists in /etc/etcd is replaced (cp -n)',
      },
      commands: (ctx) => {
        const copied = (missing.maybe(ctx) ?? []).map((f) => `/etc/etcd/${f}`);
        return [
          sh`cp -a -n ${`${etcCopy(ctx)}/.`} /etc/etcd/`,
          ...(copied.length ? [sh`chown etcd:etcd ${copied}`] : []),
          sh`restorecon -Rv /etc/etcd`,
        ];
      },
      verify: {
        describe: 'every file that was missing is there now',
        command: (ctx) => missingFromEtcCommand(etcCopy(ctx)),
        ok: (out) => out.stdout.trim() === '' || `still missing from /etc/etcd: ${out.stdout.trim().split('\n').join(', ')}`,
      },
    },
    {
      id: 'copy-back',
      title: 'Copy etcd.conf back (the current one kept as etcd.conf.old-<timestamp>)',
      section: '5.4.2',
      where: onParamHost,
      gate: {
        kind: 'confirm',
        what: (ctx) => `${ETCD_CONF} on ${paramMember(ctx).name} is replaced by ${source(ctx)}.`,
        protectedBy: (ctx) => `the current file, if any, is kept as ${oldCopy(ctx)}`,
      },
      commands: (ctx) => [
        sh`if test -e ${ETCD_CONF} && ! test -e ${oldCopy(ctx)}; then cp -p ${ETCD_CONF} ${oldCopy(ctx)}; fi`,
        sh`cp ${source(ctx)} ${ETCD_CONF}`,
        sh`restorecon -Rv ${ETCD_CONF}`,
      ],
      verify: {
        describe: 'etcd.conf is the backed-up file',
        command: (ctx) => sh`cmp ${source(ctx)} ${ETCD_CONF}`,
        ok: (out) => out.exitCode === 0 || 'etcd.conf differs from the backed-up file',
      },
    },
    {
      id: 'restart',
      title: 'Restart etcd (systemctl restart etcd.service, or master-restart etcd for a static pod) and wait until the member is healthy',
      section: '5.4.2',
      where: onParamHost,
      follow: followEtcdLog,
      precondition: {
        describe: 'the other members keep quorum while this one restarts',
        command: (ctx) => {
          const others = otherMembers(ctx);
          return others.length ? etcdctl3(others.map(etcdClientUrl), ['endpoint', 'health']) : sh`echo 'single-member cluster'`;
        },
        ok: (out, ctx) => {
          const others = otherMembers(ctx);
          const r = parseV3EndpointHealth(text(out));
          const healthy = others.filter((h) => r.some((x) => x.endpoint === etcdClientUrl(h) && x.healthy));
          return quorumVerdict(
            etcdHosts(ctx.inventory).length,
            healthy.length,
            others.filter((h) => !healthy.includes(h)).map((h) => h.name),
            paramMember(ctx).name,
          );
        },
      },
      commands: (ctx) => [restartCommand(etcdRuntime(ctx)), untilEtcdHealthy(ctx)],
      timeoutMs: 3 * 60_000,
      verify: healthyV3((ctx) => [etcdClientUrl(paramMember(ctx))], 'the member is healthy'),
    },
    {
      id: 'verify-health',
      title: 'Check the health of every member (v3 endpoint health)',
      section: '5.4.2',
      where: onParamHost,
      commands: (ctx) => [etcdctl3(etcdEndpoints(ctx.inventory), ['endpoint', 'health'])],
      verify: healthyV3((ctx) => etcdEndpoints(ctx.inventory)),
    },
  ],
});

export default etcdConfigRestore;

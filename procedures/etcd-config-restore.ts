// 5.4.2 Restoring etcd (the configuration file): when /etc/etcd/etcd.conf is lost or damaged,
//   cp /backup/yesterday/master-0-files/etcd.conf /etc/etcd/etcd.conf
//   restorecon -Rv /etc/etcd/etcd.conf
//   systemctl restart etcd.service                (a static pod: master-restart etcd)
// Beyond the guide's text: the backup file is looked for as <backup>/etcd.conf (the guide's layout) or
// <backup>/etcd/etcd.conf (what etcd-backup writes: cp -R /etc/etcd/ /backup/etcd-config-<date>/) and must
// hold ETCD_NAME; the current etcd.conf, if any, is kept as etcd.conf.old-<timestamp>; the restart
// happens only when the other members keep quorum; the tool waits until the member is healthy and
// checks every endpoint afterwards.
import { etcdClientUrl, etcdctl3, etcdEndpoints, etcdHosts } from '../src/checks/etcdctl.js';
import { controlPlaneProbe, restartCommand } from '../src/ocp/control-plane.js';
import { parseV3EndpointHealth } from '../src/checks/parse/etcd.js';
import type { Procedure, StepContext } from '../src/engine/types.js';
import { sh } from '../src/transport/shell.js';
import { catalogueEntry, timeStamp, validateHostOfRole, withValidators } from './backup-common.js';
import { quorumVerdict } from './etcd-backup.js';
import {
  backupParam, ETCD_CONF, etcdRuntime, followEtcdLog, healthyV3, onParamHost, otherMembers, paramMember, text, untilEtcdHealthy, validateRemoteDir,
} from './etcd-common.js';
import { etcdPanel } from './etcd-panel.js';

const entry = catalogueEntry('etcd-config-restore');

/** The backed-up etcd.conf, as remote shell text choosing between the two layouts. */
export function sourceConfCommand(dir: string) {
  return sh`if test -s ${`${dir}/etcd.conf`}; then echo ${`${dir}/etcd.conf`}; elif test -s ${`${dir}/etcd/etcd.conf`}; then echo ${`${dir}/etcd/etcd.conf`}; else echo ${`missing: neither ${dir}/etcd.conf nor ${dir}/etcd/etcd.conf`}; exit 1; fi`;
}

const source = (ctx: StepContext): string => ctx.captured.get('source');
const oldCopy = (ctx: StepContext): string => `${ETCD_CONF}.old-${timeStamp(ctx.startedAt)}`;

export const etcdConfigRestore: Procedure = {
  entry,
  // static pod or unit: read from the hosts before the plan and the run (the restart differs)
  facts: [controlPlaneProbe],
  parameters: withValidators(entry, { host: validateHostOfRole('etcd'), backup: (v) => validateRemoteDir(v) }),
  panel: etcdPanel(paramMember),
  steps: [
    {
      id: 'find-backup',
      title: 'Find the backed-up etcd.conf (<backup>/etcd.conf or <backup>/etcd/etcd.conf)',
      section: '5.4.2',
      where: onParamHost,
      commands: (ctx) => [sourceConfCommand(backupParam(ctx))],
      capture: {
        source: (o) => {
          const l = (o[o.length - 1]?.stdout ?? '').trim().split('\n').pop() ?? '';
          if (!l.startsWith('/')) throw new Error(l || 'no etcd.conf in the backup');
          return l;
        },
      },
      verify: {
        describe: 'the backed-up etcd.conf names the member (ETCD_NAME=)',
        command: (ctx) => sh`grep -E '^ETCD_NAME=' ${source(ctx)}`,
        ok: (out) => out.exitCode === 0 || 'the backed-up file has no ETCD_NAME= line: not an etcd.conf',
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
          return quorumVerdict(etcdHosts(ctx.inventory).length, healthy.length, others.filter((h) => !healthy.includes(h)).map((h) => h.name), paramMember(ctx).name);
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
};

export default etcdConfigRestore;

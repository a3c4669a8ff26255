// 2.1 NTP: on each host the ntp check flags (or the one named), turn time synchronisation on — timedatectl
// set-ntp true, or chrony installed and chronyd enabled — and let the ntp check itself say it is fixed
// (a clock may take a while to synchronise: asked again every 5 s, for up to 3 minutes).
import { ntpCheck } from '../src/checks/ntp.js';
import { flaggedBy, flaggedHosts, fromCheck } from '../src/engine/from-check.js';
import { sh } from '../src/transport/shell.js';
import { defineProcedure, hostParam, oneOf } from './define.js';

const flagged = flaggedBy(ntpCheck);

export const fixNtp = defineProcedure({
  id: 'fix-ntp',
  title: 'Turn on time synchronisation',
  section: '2.1',
  guideLine: 10,
  risk: 'low',
  summary: 'Enables NTP with timedatectl, or installs and starts chronyd, on hosts whose clock is not synchronised.',
  parameters: [
    hostParam('host', 'any', 'One host of the inventory to fix; default: every host the ntp check flags', false),
    oneOf('method', 'set-ntp: timedatectl set-ntp true; chrony: install chrony and enable chronyd', ['set-ntp', 'chrony'], 'set-ntp'),
  ],
  facts: [flagged],
  steps: [
    {
      id: 'enable-ntp',
      title: 'Turn time synchronisation on',
      section: '2.1',
      skipIf: (ctx) =>
        ctx.params['host'] || flaggedHosts(ctx, flagged).length > 0 ? undefined : 'the ntp check flags no host it could ask',
      where: {
        on: 'hosts',
        describe: 'the host named, else every host the ntp check flags',
        mode: 'serial',
        hosts: (ctx) =>
          ctx.params['host'] ? ctx.inventory.hosts.filter((h) => h.name === ctx.params['host']) : flaggedHosts(ctx, flagged),
      },
      commands: (ctx) =>
        ctx.params['method'] === 'chrony'
          ? [sh`yum install -y chrony`, sh`systemctl enable chronyd --now`]
          : [sh`timedatectl set-ntp true`],
      verify: fromCheck(ntpCheck, { everyMs: 5_000, withinMs: 180_000 }),
    },
  ],
});

// 2.1 NTP: time synchronisation turned on (timedatectl set-ntp true, or chrony installed and chronyd
// enabled) where the ntp check flags a host; the check then says it is fixed (a clock may take a while).
import { ntpCheck } from '../src/checks/ntp.js';
import { sh } from '../src/transport/shell.js';
import { defineCheckFix, oneOf } from './define.js';

const chrony = [sh`yum install -y chrony`, sh`systemctl enable chronyd --now`];

export const fixNtp = defineCheckFix(ntpCheck, {
  id: 'fix-ntp',
  title: 'Turn on time synchronisation',
  section: '2.1',
  guideLine: 10,
  summary: 'Enables NTP with timedatectl, or installs and starts chronyd, on hosts whose clock is not synchronised.',
  parameters: [
    oneOf('method', 'set-ntp: timedatectl set-ntp true; chrony: chrony installed, chronyd enabled', ['set-ntp', 'chrony'], 'set-ntp'),
  ],
  fix: (ctx) => (ctx.params['method'] === 'chrony' ? chrony : [sh`timedatectl set-ntp true`]),
  settles: { everyMs: 5_000, withinMs: 180_000 },
});

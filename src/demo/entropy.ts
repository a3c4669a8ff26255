// The kernel's entropy pool of a DEMO host (guide 2.2): /proc/sys/kernel/random/entropy_avail in the host's
// files (seeded from DemoHost.entropy; the low-entropy scenario makes it low), and rngd, which rng-tools
// installs (packages.ts) and whose start fills the pool again.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoCommand } from './commands.js';
import { writeUnder } from './host-roots.js';
import type { DemoStep } from './runner.js';

export const ENTROPY_AVAIL = '/proc/sys/kernel/random/entropy_avail';
/** What the low-entropy scenario leaves: well below the guide's warning level of 800. */
export const LOW_ENTROPY = 141;
/** What the pool holds once rngd feeds it. */
export const FED_ENTROPY = 3072;
export const RNGD_UNIT_PATH = '/usr/lib/systemd/system/rngd.service';

/** RHEL 7's rng-tools unit. */
export const RNGD_UNIT = `[Unit]
Description=Hardware RNG Entropy Gatherer Daemon

[Service]
ExecStart=/sbin/rngd -f

[Install]
WantedBy=multi-user.target
`;

const ENABLED = 'Created symlink from /etc/systemd/system/multi-user.target.wants/rngd.service to /usr/lib/systemd/system/rngd.service.';

export const ENTROPY_COMMANDS: readonly DemoCommand[] = [
  {
    // rngd starts once rng-tools laid down its unit, and fills the pool
    id: 'systemctl-rngd',
    match: /^systemctl (?:(enable) --now|start|restart) rngd(?:\.service)?$/,
    answer: (c) => {
      const root = c.root;
      if (!root || !existsSync(join(root, RNGD_UNIT_PATH))) return { err: 'Failed to start rngd.service: Unit not found.', code: 5 };
      const fill: DemoStep = { kind: 'effect', run: () => writeUnder(root, ENTROPY_AVAIL, `${FED_ENTROPY}\n`) };
      return { steps: c.match[1] ? [{ kind: 'line', stream: 'stdout', text: ENABLED }, fill] : [fill] };
    },
  },
];

// 2.2 Entropy: where the entropy check finds the kernel's pool short, rng-tools installed (when `rpm -q`
// says it is not) and rngd enabled and started (RHEL 7's unit: rngd.service); the entropy check itself
// then says ok, asked again while rngd fills the pool.
import { entropyCheck } from '../src/checks/entropy.js';
import { sh } from '../src/transport/shell.js';
import { defineCheckFix } from './define.js';

export const fixEntropy = defineCheckFix(entropyCheck, {
  id: 'fix-entropy',
  title: 'Install and start rngd',
  section: '2.2',
  guideLine: 29,
  summary: 'Installs rng-tools and enables rngd on hosts that are short of entropy; the entropy check verifies.',
  fix: () => [sh`rpm -q rng-tools || yum install -y rng-tools`, sh`systemctl enable --now rngd`],
  settles: { everyMs: 5_000, withinMs: 120_000 },
});

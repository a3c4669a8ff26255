// 2.1 NTP: `timedatectl` on every host; "NTP enabled: yes" and "NTP synchronized: yes". Not
// synchronised is a warning, and a failure on an etcd member. How far each clock really is from the
// bastion's is the clock-skew check.
import { literal } from '../transport/shell.js';
import { ALL_HOST_ROLES, firstLine, notRunnable, problem, withProblem, type Problem } from './common.js';
import { parseTimedatectl, type TimeSync } from './parse/host.js';
import type { Check } from './types.js';

export type NtpFacts = TimeSync | Problem;

export const ntpCheck: Check<NtpFacts> = {
  id: 'ntp',
  title: 'NTP synchronisation',
  section: '2.1',
  placement: { on: 'hosts', roles: ALL_HOST_ROLES },
  commands: () => ({ timedatectl: literal('timedatectl') }),
  parse(outputs) {
    const out = outputs['timedatectl'];
    const missing = notRunnable(out, 'timedatectl', 'timedatectl comes with systemd');
    if (missing || !out) return missing!;
    if (out.exitCode !== 0) return problem('error', `timedatectl failed: ${firstLine(out)}`, undefined, { exitCode: out.exitCode });
    const facts = parseTimedatectl(out.stdout);
    if (facts.ntpEnabled === undefined && facts.synchronized === undefined) throw new Error('no "NTP enabled" / "NTP synchronized" line');
    return facts;
  },
  verdict: (facts, host) =>
    withProblem(facts, (f) => {
      const details = { ...f };
      const fix = { procedure: 'fix-ntp', text: 'timedatectl set-ntp true, or: yum install chrony; systemctl enable chronyd --now' };
      if (f.ntpEnabled === false) return { status: 'fail', message: 'NTP is not enabled (timedatectl: NTP enabled: no)', details, fix };
      if (f.synchronized === false) {
        // etcd's raft (leases, elections) and its certificates need agreeing clocks: an etcd member whose
        // clock runs free is a failure, not a warning
        if (host?.roles.includes('etcd'))
          return { status: 'fail', message: 'NTP is enabled but the clock is not synchronised (NTP synchronized: no) on an etcd member: its clock drifts from the others', details, fix };
        return { status: 'warn', message: 'NTP is enabled but the clock is not synchronised yet (check the NTP servers are reachable)', details, fix };
      }
      return { status: 'ok', message: 'NTP enabled and synchronised', details };
    }),
};

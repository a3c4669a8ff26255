// 2.1 NTP: `timedatectl` on every host; "NTP enabled: yes" and "NTP synchronized: yes". Not
// synchronised is a warning, and a failure on an etcd member. And how far the host's clock really is
// from the bastion's (the guide: time must agree on every host of the cluster): each host's
// `date +%s.%N` against the bastion's clock, over 1 s a warning, over 5 s a failure.
//
// The round trip: the bastion's clock is read when a command is sent (receivedAt − durationMs) and when
// its answer comes back (receivedAt); the host's `date` ran in between, so the host's offset is its time
// minus the midpoint, give or take half the round trip. Of three samples the one with the shortest
// round trip counts (in one SSH session the later ones take milliseconds; the first also pays for the
// login). In a batched session "sent" is when the command before it came back, i.e. within one network
// one-way delay of its start. A verdict counts only what is certain: the offset less that half round
// trip must be over a limit to warn or fail, and it is ok only when the offset plus it is within 1 s.
import { sh } from '../transport/shell.js';
import type { Host } from '../inventory/types.js';
import { ALL_HOST_ROLES, firstLine, notRunnable, problem, withProblem, type Problem } from './common.js';
import { parseEpochSeconds, parseTimedatectl, type TimeSync } from './parse/host.js';
import type { Check, CommandOutput, Fix, Verdict } from './types.js';

export const SKEW_WARN_S = 1;
export const SKEW_FAIL_S = 5;
export const CLOCK_SAMPLES = ['clock1', 'clock2', 'clock3'] as const;

export interface ClockOffset {
  /** Host clock − bastion clock, ms (positive: the host is ahead). */
  offsetMs: number;
  /** Half the round trip of the sample used (+ the resolution of the host's time). */
  uncertaintyMs: number;
  /** The host's time of that sample. */
  hostTime: string;
}

export interface NtpFacts {
  sync: TimeSync | Problem;
  clock: ClockOffset | Problem;
}

const FIX: Fix = { procedure: 'fix-ntp', text: 'timedatectl set-ntp true, or: yum install chrony; systemctl enable chronyd --now' };

export const ntpCheck: Check<NtpFacts> = {
  id: 'ntp',
  title: 'NTP synchronisation',
  section: '2.1',
  placement: { on: 'hosts', roles: ALL_HOST_ROLES },
  commands: () => ({ timedatectl: sh`timedatectl`, clock1: sh`date +%s.%N`, clock2: sh`date +%s.%N`, clock3: sh`date +%s.%N` }),
  parse: (outputs) => ({ sync: parseSync(outputs['timedatectl']), clock: measureClock(CLOCK_SAMPLES.map((k) => outputs[k])) }),
  verdict: (facts, host) => {
    const sync = withProblem(facts.sync, (f) => judgeSync(f, host));
    const clock = withProblem(facts.clock, (c) => judgeClock(c, host));
    return combine(sync, clock);
  },
};

function parseSync(out: CommandOutput | undefined): TimeSync | Problem {
  const missing = notRunnable(out, 'timedatectl', 'timedatectl comes with systemd');
  if (missing || !out) return missing!;
  if (out.exitCode !== 0) return problem('error', `timedatectl failed: ${firstLine(out)}`, undefined, { exitCode: out.exitCode });
  const facts = parseTimedatectl(out.stdout);
  if (facts.ntpEnabled === undefined && facts.synchronized === undefined) throw new Error('no "NTP enabled" / "NTP synchronized" line');
  return facts;
}

/** The host's clock against the bastion's, from the quickest of the `date +%s.%N` samples. */
export function measureClock(samples: readonly (CommandOutput | undefined)[]): ClockOffset | Problem {
  let best: ClockOffset | undefined;
  for (const out of samples) {
    const missing = notRunnable(out, 'date');
    if (missing || !out) return missing!;
    if (out.exitCode !== 0) return problem('error', `date +%s.%N failed: ${firstLine(out)}`, undefined, { exitCode: out.exitCode });
    if (out.receivedAt === undefined || out.durationMs === undefined) return problem('error', 'clock offset not measured: the time the answer came back is unknown');
    const host = parseEpochSeconds(out.stdout);
    const sentAt = out.receivedAt - out.durationMs;
    const sample: ClockOffset = {
      offsetMs: host.ms - (sentAt + out.receivedAt) / 2,
      uncertaintyMs: out.durationMs / 2 + host.resolutionMs,
      hostTime: new Date(host.ms).toISOString(),
    };
    if (!best || sample.uncertaintyMs < best.uncertaintyMs) best = sample;
  }
  if (!best) return problem('error', 'clock offset not measured: no sample');
  return best;
}

function judgeSync(f: TimeSync, host: Host | undefined): Verdict {
  const details = { ...f };
  if (f.ntpEnabled === false) return { status: 'fail', message: 'NTP is not enabled (timedatectl: NTP enabled: no)', details, fix: FIX };
  if (f.synchronized === false) {
    // etcd's raft (leases, elections) and its certificates need agreeing clocks: an etcd member whose
    // clock runs free is a failure, not a warning
    if (host?.roles.includes('etcd'))
      return { status: 'fail', message: 'NTP is enabled but the clock is not synchronised (NTP synchronized: no) on an etcd member: its clock drifts from the others', details, fix: FIX };
    return { status: 'warn', message: 'NTP is enabled but the clock is not synchronised yet (check the NTP servers are reachable)', details, fix: FIX };
  }
  return { status: 'ok', message: 'NTP enabled and synchronised', details };
}

const seconds = (ms: number, digits = 3): string => `${(ms / 1000).toFixed(digits)} s`;

function judgeClock(c: ClockOffset, host: Host | undefined): Verdict {
  const who = host?.name ?? 'this host';
  const off = Math.abs(c.offsetMs);
  const surely = off - c.uncertaintyMs; // the least the offset can be
  const way = c.offsetMs >= 0 ? 'ahead of' : 'behind';
  const pm = `± ${seconds(c.uncertaintyMs)}`;
  const details = { clock: { offsetSeconds: c.offsetMs / 1000, uncertaintySeconds: c.uncertaintyMs / 1000, hostTime: c.hostTime } };
  const fix: Fix = {
    procedure: 'fix-ntp',
    text: `Synchronise ${who} with the cluster's NTP servers (chronyc sources -v; chronyc makestep). If every host shows about the same offset, it is this machine's (the bastion's) clock that is wrong.`,
  };
  if (surely > SKEW_FAIL_S * 1000)
    return { status: 'fail', message: `${who}'s clock is ${seconds(off, 1)} ${way} the bastion's (${pm}): over ${SKEW_FAIL_S} s`, details, fix };
  if (surely > SKEW_WARN_S * 1000)
    return { status: 'warn', message: `${who}'s clock is ${seconds(off, 1)} ${way} the bastion's (${pm}): over ${SKEW_WARN_S} s`, details, fix };
  if (off + c.uncertaintyMs > SKEW_WARN_S * 1000)
    return {
      status: 'warn',
      message: `clock offset not measured within ${SKEW_WARN_S} s: about ${seconds(off)} ${way} the bastion's, ${pm} (the quickest answer took ${seconds(2 * c.uncertaintyMs, 1)})`,
      details,
    };
  return { status: 'ok', message: `clock ${seconds(off)} ${way} the bastion's (${pm})`, details };
}

const RANK: Record<Verdict['status'], number> = { fail: 4, error: 3, warn: 2, ok: 1, skipped: 0 };

/** Both parts in one cell: the worse one decides status and fix, and speaks first. */
function combine(sync: Verdict, clock: Verdict): Verdict {
  const [first, second] = RANK[clock.status] > RANK[sync.status] ? [clock, sync] : [sync, clock];
  const v: Verdict = { status: first.status, message: `${first.message}; ${second.message}`, details: { ...(sync.details ?? {}), ...(clock.details ?? {}) } };
  const fix = first.fix ?? (second.status !== 'ok' ? second.fix : undefined);
  if (fix) v.fix = fix;
  return v;
}

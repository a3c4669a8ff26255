// 2.1 NTP: `timedatectl` on every host; "NTP enabled: yes" and "NTP synchronized: yes". Not
// synchronised is a warning, and a failure on an etcd member. And how far the host's clock really is
// from the bastion's (the guide: time must agree on every host of the cluster): each host's
// `date +%s.%N` against the bastion's clock, over 1 s a warning, over 5 s a failure.
//
// The round trip: the bastion's clock is read when the command is sent (sentAt: when the SSH runner asked
// for its session, else when the run handed it over) and when its answer comes back (receivedAt); the
// host's `date` ran in between. The session's own start is
// taken off the front: the host says how long its process group leader (the shell sshd started for this
// command, which cannot have started before sentAt) had been running — so connecting, the login shell and
// the commands before it in a batch do not count. The offset is the host's time minus the middle of what
// is left, give or take half of it; of three samples the narrowest counts. Only what is certain counts:
// the offset less that half must be over a limit to warn or fail, and it is ok only when the offset plus
// it is within 1 s; a bracket too wide to tell (a busy bastion) is measured again a second later, twice
// at most (Verdict.again), before "not measured" is the answer. (The bastion being slow to read an answer
// only widens the bracket; a bracket taken from the previous command's answer instead would shrink it and
// lie.)

import type { Host } from '../inventory/types.js';
import { sh } from '../transport/shell.js';
import { ALL_HOST_ROLES, firstLine, notRunnable, type Problem, problem, withProblem } from './common.js';
import { parseClockSample, parseTimedatectl, type TimeSync } from './parse/host.js';
import type { Check, CommandOutput, Fix, Verdict } from './types.js';

export const SKEW_WARN_S = 1;
export const SKEW_FAIL_S = 5;
export const CLOCK_SAMPLES = ['clock1', 'clock2', 'clock3'] as const;
/**
 * Read only: uptime first (so the session's age is never later than the date), the date, the process
 * group leader's start time (awk's own /proc/self/stat gives the group; comm may hold spaces, so fields
 * are counted after its closing parenthesis) and the tick rate. See parseClockSample.
 */
export const CLOCK_SAMPLE = sh`cut -d' ' -f1 /proc/uptime; date +%s.%N; awk 'NR == 1 { sub(/^.*\\) /, "");
  f = "/proc/" $3 "/stat"; if ((getline l < f) == 1) { sub(/^.*\\) /, "", l); split(l, a, " ");
  print a[20] } }' /proc/self/stat; getconf CLK_TCK`;

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
  // the clock samples are bracketed from the moment they are handed over: not while connecting
  warmConnection: true,
  commands: () => ({ timedatectl: sh`timedatectl`, clock1: CLOCK_SAMPLE, clock2: CLOCK_SAMPLE, clock3: CLOCK_SAMPLE }),
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

/** The host's clock against the bastion's, from the narrowest of the samples. */
export function measureClock(samples: readonly (CommandOutput | undefined)[]): ClockOffset | Problem {
  let best: ClockOffset | undefined;
  for (const out of samples) {
    if (!out) return problem('error', 'clock sample: no output (the command did not run)');
    if (out.exitCode === null) return problem('error', 'clock sample did not finish (timed out or killed)');
    if (out.sentAt === undefined || out.receivedAt === undefined)
      return problem('error', 'clock offset not measured: when the command was sent and answered is unknown');
    // the date line is what counts; the age lines may be missing (then the bracket is the whole round trip)
    const sample = parseClockSample(out.stdout);
    // the bastion's time when the date ran lies in [from, to]
    const aged = out.sentAt + sample.sessionAgeMs;
    const from = aged <= out.receivedAt ? aged : out.sentAt; // an age that overshoots is not trusted
    const to = out.receivedAt;
    const s: ClockOffset = {
      offsetMs: sample.hostMs - (from + to) / 2,
      uncertaintyMs: (to - from) / 2 + sample.resolutionMs,
      hostTime: new Date(sample.hostMs).toISOString(),
    };
    if (!best || s.uncertaintyMs < best.uncertaintyMs) best = s;
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
      return {
        status: 'fail',
        message:
          'NTP is enabled but the clock is not synchronised (NTP synchronized: no) on an etcd member: its clock drifts from the others',
        details,
        fix: FIX,
      };
    return {
      status: 'warn',
      message: 'NTP is enabled but the clock is not synchronised yet (check the NTP servers are reachable)',
      details,
      fix: FIX,
    };
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
    text:
      `Synchronise ${who} with the cluster's NTP servers (chronyc sources -v; chronyc makestep). If every host ` +
      `shows about the same offset, it is this machine's (the bastion's) clock that is wrong.`,
  };
  if (surely > SKEW_FAIL_S * 1000)
    return {
      status: 'fail',
      message: `${who}'s clock is ${seconds(off, 1)} ${way} the bastion's (${pm}): over ${SKEW_FAIL_S} s`,
      details,
      fix,
    };
  if (surely > SKEW_WARN_S * 1000)
    return {
      status: 'warn',
      message: `${who}'s clock is ${seconds(off, 1)} ${way} the bastion's (${pm}): over ${SKEW_WARN_S} s`,
      details,
      fix,
    };
  if (off + c.uncertaintyMs > SKEW_WARN_S * 1000)
    return {
      status: 'warn',
      message:
        `clock offset not measured within ${SKEW_WARN_S} s: about ${seconds(off)} ${way} the bastion's, ` +
        `${pm} (the bastion took ${seconds(2 * c.uncertaintyMs, 1)} to time the quickest answer: busy? run the check again)`,
      details,
      // the bracket says nothing either way: the run measures again a little later before settling on this
      again: true,
    };
  return { status: 'ok', message: `clock ${seconds(off)} ${way} the bastion's (${pm})`, details };
}

const RANK: Record<Verdict['status'], number> = { fail: 4, error: 3, warn: 2, ok: 1, skipped: 0 };

/** Both parts in one cell: the worse one decides status and fix, and speaks first. */
function combine(sync: Verdict, clock: Verdict): Verdict {
  const [first, second] = RANK[clock.status] > RANK[sync.status] ? [clock, sync] : [sync, clock];
  const v: Verdict = {
    status: first.status,
    message: `${first.message}; ${second.message}`,
    details: { ...(sync.details ?? {}), ...(clock.details ?? {}) },
  };
  const fix = first.fix ?? (second.status !== 'ok' ? second.fix : undefined);
  if (fix) v.fix = fix;
  if (clock.again) v.again = true;
  return v;
}

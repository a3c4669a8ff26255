// 2.2 Entropy: `cat /proc/sys/kernel/random/entropy_avail` on every host.
// The guide: ideally above 1000; warn below 800. Between 800 and 1000 we say 'ok' (it is not the
// warning level) and name the ideal in the message, with the fix attached for who wants it.
// Linux ≥ 5.18 reports a constant 256 (the pool no longer blocks): that is not a shortage.
import { sh } from '../transport/shell.js';
import { ALL_HOST_ROLES, firstLine, notRunnable, type Problem, problem, withProblem } from './common.js';
import type { Check, Fix } from './types.js';

export const ENTROPY_IDEAL = 1000;
export const ENTROPY_WARN_BELOW = 800;

export interface EntropyFacts {
  available: number;
  kernel?: string;
}

const FIX: Fix = { procedure: 'fix-entropy', hostParam: 'host', text: 'yum install rng-tools; systemctl enable --now rngd' };

function kernelAtLeast(release: string | undefined, major: number, minor: number): boolean {
  const r = /^(\d+)\.(\d+)/.exec(release ?? '');
  if (!r) return false;
  const [ma, mi] = [Number(r[1]), Number(r[2])];
  return ma > major || (ma === major && mi >= minor);
}

export const entropyCheck: Check<EntropyFacts | Problem> = {
  id: 'entropy',
  title: 'Available entropy',
  section: '2.2',
  placement: { on: 'hosts', roles: ALL_HOST_ROLES },
  commands: () => ({
    entropy: sh`cat /proc/sys/kernel/random/entropy_avail`,
    kernel: sh`uname -r`,
  }),
  parse(outputs) {
    const out = outputs['entropy'];
    const missing = notRunnable(out, 'cat');
    if (missing || !out) return missing!;
    if (out.exitCode !== 0) return problem('error', `cannot read entropy_avail: ${firstLine(out)}`);
    const m = /^\s*(\d+)\s*$/.exec(out.stdout);
    if (!m) throw new Error(`entropy_avail is not a number: ${JSON.stringify(out.stdout.slice(0, 40))}`);
    const k = outputs['kernel'];
    const facts: EntropyFacts = { available: Number(m[1]) };
    if (k && k.exitCode === 0 && k.stdout.trim()) facts.kernel = k.stdout.trim();
    return facts;
  },
  verdict: (facts) =>
    withProblem(facts, (f) => {
      const details = { ...f, ideal: ENTROPY_IDEAL, warnBelow: ENTROPY_WARN_BELOW };
      if (f.available === 256 && kernelAtLeast(f.kernel, 5, 18))
        return {
          status: 'ok',
          message: `entropy_avail is the constant 256 of kernel ${f.kernel} (≥ 5.18: the pool never runs short)`,
          details,
        };
      if (f.available < ENTROPY_WARN_BELOW)
        return {
          status: 'warn',
          message: `low entropy: ${f.available} available (warn below ${ENTROPY_WARN_BELOW}, ideal above ${ENTROPY_IDEAL})`,
          details,
          fix: FIX,
        };
      if (f.available <= ENTROPY_IDEAL)
        return {
          status: 'ok',
          message: `entropy ${f.available}: above the warning level ${ENTROPY_WARN_BELOW}, below the ideal ${ENTROPY_IDEAL}`,
          details,
          fix: FIX,
        };
      return { status: 'ok', message: `entropy ${f.available} available`, details };
    }),
};

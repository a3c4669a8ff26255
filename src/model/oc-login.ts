// The verdict on the oc login (src/ocp/oc-login.ts's facts): who, on which server, and what it cannot read
// — which checks that breaks and what to do. Pure; Home shows the longest of its lines that fits.
import { type OcLoginFacts, type OcRead, readPhrase } from '../ocp/oc-login.js';
import type { CommandOutput } from '../transport/types.js';
import { truncate } from './text.js';

export type OcLoginState = 'ok' | 'limited' | 'not-logged-in' | 'api-down' | 'missing' | 'error';

export interface OcLoginVerdict {
  state: OcLoginState;
  tone: 'ok' | 'warn' | 'bad';
  /** The same verdict, longest first: Home shows the first that fits. */
  lines: string[];
  user?: string;
  server?: string;
  /** The reads the login may not do. */
  cannot: OcRead[];
}

/** What to do when the login is missing or too weak. */
export const OC_LOGIN_FIX = 'oc login as a cluster-admin, or on a master: export KUBECONFIG=/etc/origin/master/admin.kubeconfig';
const OC_LOGIN_FIX_SHORT = 'oc login as a cluster-admin';

const firstLine = (out: CommandOutput | undefined) => (out?.stderr || out?.stdout || '').trim().split('\n')[0] ?? '';

const NOT_LOGGED_IN = /You must be logged in|Unauthorized|token has expired|localhost:8080|no configuration has been provided/i;
const API_DOWN = /Unable to connect to the server|connection refused|was refused|no such host|i\/o timeout|The connection to the server/i;

function missing(out: CommandOutput, oc: string): boolean {
  const esc = oc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return out.exitCode === 127 || new RegExp(`${esc}: (command )?not found|ENOENT|No such file or directory`).test(out.stderr);
}

const verdict = (
  state: OcLoginState,
  tone: OcLoginVerdict['tone'],
  lines: string[],
  more: Partial<OcLoginVerdict> = {},
): OcLoginVerdict => ({
  state,
  tone,
  lines,
  cannot: [],
  ...more,
});

/** The checks the reads feed, each once, in order. */
export function checksBroken(reads: readonly OcRead[]): string[] {
  return [...new Set(reads.flatMap((r) => r.checks))];
}

function whoFailed(whoami: CommandOutput, oc: string, server: string | undefined): OcLoginVerdict {
  const err = firstLine(whoami);
  if (missing(whoami, oc))
    return verdict('missing', 'bad', [
      `oc: ${oc} is not installed or not in PATH — install the OpenShift client or pass --oc PATH; the oc checks cannot run`,
      `oc: ${oc} not found — install the OpenShift client or pass --oc PATH`,
      `oc: ${oc} not found`,
    ]);
  if (NOT_LOGGED_IN.test(whoami.stderr))
    return verdict('not-logged-in', 'bad', [
      `oc: not logged in — ${OC_LOGIN_FIX}`,
      `oc: not logged in — ${OC_LOGIN_FIX_SHORT} (or KUBECONFIG=admin.kubeconfig)`,
      `oc: not logged in — ${OC_LOGIN_FIX_SHORT}`,
      'oc: not logged in',
    ]);
  if (API_DOWN.test(whoami.stderr)) {
    const at = server ? ` ${server}` : '';
    const atShort = server ? ` ${server.replace(/^https?:\/\//, '')}` : '';
    return verdict(
      'api-down',
      'bad',
      [
        `oc: the API server${at} cannot be reached — the oc checks will fail; see api-health (${err})`,
        `oc: the API server${at} cannot be reached — see api-health`,
        `oc: the API server${atShort} cannot be reached — see api-health`,
        `oc: API${atShort} unreachable`,
      ],
      server ? { server } : {},
    );
  }
  if (whoami.exitCode === null)
    return verdict('error', 'bad', [`oc: oc whoami did not finish (${err || 'timed out'})`, 'oc: oc whoami did not finish']);
  return verdict('error', 'bad', [`oc: oc whoami failed: ${err || `exit ${whoami.exitCode}`}`]);
}

/** The verdict: `oc: system:admin on https://master:8443`, or what is wrong and what to do. */
export function ocLoginVerdict(facts: OcLoginFacts, oc = 'oc'): OcLoginVerdict {
  if (facts.unavailable)
    return verdict('missing', 'bad', [
      `oc: ${facts.unavailable}`,
      `oc: ${oc} not found — install it or pass --oc PATH`,
      `oc: ${oc} not found`,
    ]);
  const server = facts.server?.exitCode === 0 ? facts.server.stdout.trim().split('\n')[0] || undefined : undefined;
  if (!facts.whoami) return verdict('error', 'bad', ['oc: the login was not read']);
  if (facts.whoami.exitCode !== 0) return whoFailed(facts.whoami, oc, server);
  const user = facts.whoami.stdout.trim().split('\n')[0] || '?';
  const where = server ? `${user} on ${server}` : user;
  const whereShort = server ? `${user} on ${server.replace(/^https?:\/\//, '')}` : user;
  const cannot = facts.canI.filter((c) => c.out.stdout.trim() === 'no').map((c) => c.read);
  const unknown = facts.canI.filter((c) => !['yes', 'no'].includes(c.out.stdout.trim()));
  const known = { user, ...(server ? { server } : {}) };
  if (cannot.length === 0) {
    if (unknown.length === 0) return verdict('ok', 'ok', [`oc: ${where}`, `oc: ${whereShort}`], known);
    const why = firstLine(unknown[0]!.out);
    return verdict(
      'ok',
      'ok',
      [`oc: ${where} (what it may read is not known: ${why})`, `oc: ${where} (rights not known)`, `oc: ${whereShort}`],
      known,
    );
  }
  const what = cannot.map(readPhrase);
  const checks = checksBroken(cannot);
  const count = `${checks.length} check${checks.length === 1 ? '' : 's'}`;
  const firstMore = `${what[0]}${what.length > 1 ? ` +${what.length - 1}` : ''}`;
  return verdict(
    'limited',
    'warn',
    [
      `oc: ${where} cannot ${what.join(', ')} — ${checks.join(', ')} will fail; ${OC_LOGIN_FIX}`,
      `oc: ${where} cannot ${what.join(', ')} — ${checks.join(', ')} fail; ${OC_LOGIN_FIX_SHORT}`,
      `oc: ${whereShort} cannot ${firstMore} — ${checks.join(', ')} fail; ${OC_LOGIN_FIX_SHORT}`,
      `oc: ${user} cannot ${firstMore} — ${checks.join(', ')} fail; ${OC_LOGIN_FIX_SHORT}`,
      `oc: ${user} cannot ${firstMore} — ${count} fail; ${OC_LOGIN_FIX_SHORT}`,
      `oc: ${user} cannot ${firstMore} — ${OC_LOGIN_FIX_SHORT}`,
    ],
    { ...known, cannot },
  );
}

/** The longest line of the verdict that fits `width` columns (the last one cut if none does). */
export function ocLoginLine(v: Pick<OcLoginVerdict, 'lines'>, width: number): string {
  return v.lines.find((l) => [...l].length <= width) ?? truncate(v.lines[v.lines.length - 1] ?? '', width);
}

/** While the login is being read. */
export const OC_LOGIN_READING = 'oc: … reading the login (oc whoami)';

/** The verdict when reading the login itself failed (not an answer of oc's). */
export function ocLoginUnreadable(e: unknown): OcLoginVerdict {
  return {
    state: 'error',
    tone: 'bad',
    cannot: [],
    lines: [`oc: the login could not be read (${e instanceof Error ? e.message : String(e)})`],
  };
}

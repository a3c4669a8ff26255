// How an etcd member is right now, read when a run stopped without finishing (Procedure.look): whether
// etcd runs and how it was started, what its data dir holds, which copies a restore moved aside, where its
// static pod manifest is, and whether a --force-new-cluster setting is still in place. The journal knows
// what was sent; a command cut off half-way (a dropped connection, a kill) left something the journal
// cannot say — this is what "where the cluster stands" reads instead of guessing.
import type { CommandOutput } from '../src/checks/types.js';
import type { FactProbe, HostFacts, StepContext } from '../src/engine/types.js';
import type { Host } from '../src/inventory/types.js';
import { manifestPath, runningCommand, runningEtcdModeCommand, runtimeOf, stoppedManifestPath } from '../src/ocp/control-plane.js';
import { etcdAddress, etcdHosts } from '../src/ocp/etcd.js';
import { literal, type ShellCommand, sh } from '../src/transport/shell.js';
import { DATA_DIR, DROP_IN, ETCD_CONF } from './etcd-common.js';

export interface MemberNow {
  /** Whether etcd runs, as its runtime says (a container of the static pod, or the unit active). */
  etcd: 'running' | 'stopped';
  /** How the running etcd was started, where the host's processes tell (runningEtcdModeCommand). */
  mode?: 'cluster' | 'force-new-cluster';
  /** DATA_DIR: holds a member/ directory, is empty, holds something else, or does not exist. */
  data: 'member' | 'empty' | 'other' | 'missing';
  /** Copies moved aside by a restore (DATA_DIR.old-*), oldest first. */
  aside: string[];
  /** Where the etcd static pod manifest is: pods/, pods-stopped/, or none (a unit, or an external host). */
  manifest: 'pods' | 'stopped' | 'none';
  /** A --force-new-cluster setting still in place: the systemd drop-in, the etcd.conf line, or none. */
  forceNewCluster: Array<'drop-in' | 'etcd.conf'>;
}

const NOW_FACT = 'etcd-member-now';

// Flat `if`s that print what they find, and the parser decides: every part stands alone, so one that
// cannot run (the demo simulates no elif and no command substitution) leaves the others readable.
function lookCommand(host: Host, ctx: StepContext): ShellCommand {
  const parts = [
    ...runtimeView(ctx, host),
    sh`if test -d ${`${DATA_DIR}/member`}; then echo data=member; fi`,
    sh`if test -e ${DATA_DIR}; then echo data=exists; fi`,
    sh`if test -n "$(ls -A ${DATA_DIR} 2>/dev/null)"; then echo data=entries; fi`,
    sh`for d in ${DATA_DIR}.old-*; do if test -d "$d"; then echo "aside=$d"; fi; done`,
    sh`if test -e ${manifestPath('etcd')}; then echo manifest=pods; fi`,
    sh`if test -e ${stoppedManifestPath('etcd')}; then echo manifest=stopped; fi`,
    sh`if test -e ${DROP_IN}; then echo force=drop-in; fi`,
    sh`if grep -q '^ETCD_FORCE_NEW_CLUSTER=true' ${ETCD_CONF} 2>/dev/null; then echo force=etcd.conf; fi`,
    runningEtcdModeCommand(etcdAddress(host)),
  ];
  return literal(parts.map((p) => p.script).join('; '));
}

/** The runtime's own running/stopped, when the run could read how the host runs etcd (else /proc alone tells). */
function runtimeView(ctx: StepContext, host: Host): ShellCommand[] {
  try {
    return [runningCommand(runtimeOf(ctx, host, 'etcd'))];
  } catch {
    return [];
  }
}

/** The look's output → the member as it is now; throws the sentence that says why not. */
export function parseMemberNow(out: CommandOutput): MemberNow {
  const lines = new Set(out.stdout.split('\n').map((l) => l.trim()));
  const byProc = lines.has('etcd: not running')
    ? 'stopped'
    : lines.has('etcd: cluster') || lines.has('etcd: force-new-cluster')
      ? 'running'
      : undefined;
  const running = lines.has('running') ? 'running' : lines.has('stopped') ? 'stopped' : byProc;
  if (!running) {
    const said = `${out.stdout}${out.stderr}`.trim().split('\n').slice(-2).join(' / ').slice(-200);
    throw new Error(`could not tell whether etcd runs (exit ${out.exitCode})${said ? `: ${said}` : ''}`);
  }
  const now: MemberNow = {
    etcd: running,
    data: lines.has('data=member') ? 'member' : !lines.has('data=exists') ? 'missing' : lines.has('data=entries') ? 'other' : 'empty',
    // a glob that matched nothing comes back as itself
    aside: [...lines]
      .filter((l) => l.startsWith('aside=') && !l.endsWith('*'))
      .map((l) => l.slice(6))
      .sort(),
    manifest: lines.has('manifest=pods') ? 'pods' : lines.has('manifest=stopped') ? 'stopped' : 'none',
    forceNewCluster: (['drop-in', 'etcd.conf'] as const).filter((f) => lines.has(`force=${f}`)),
  };
  if (lines.has('etcd: force-new-cluster')) now.mode = 'force-new-cluster';
  else if (lines.has('etcd: cluster')) now.mode = 'cluster';
  return now;
}

const DATA_WORDS: Record<MemberNow['data'], string> = {
  member: `${DATA_DIR} holds a member's data`,
  empty: `${DATA_DIR} is empty`,
  other: `${DATA_DIR} holds files but no member/`,
  missing: `${DATA_DIR} does not exist`,
};

/** One sentence: `etcd not running; /var/lib/etcd is empty; moved aside: …; manifest in pods-stopped/`. */
export function describeMemberNow(m: MemberNow): string {
  const parts = [
    m.etcd === 'stopped'
      ? 'etcd not running'
      : m.mode === 'force-new-cluster'
        ? 'etcd running, started with --force-new-cluster'
        : 'etcd running',
    DATA_WORDS[m.data],
  ];
  // earlier restores leave their copies too: past two, the count and the newest
  if (m.aside.length > 2) parts.push(`${m.aside.length} copies moved aside, the newest ${m.aside[m.aside.length - 1]}`);
  else if (m.aside.length > 0) parts.push(`moved aside: ${m.aside.join(', ')}`);
  if (m.manifest === 'stopped') parts.push(`etcd manifest in ${stoppedManifestPath('etcd').replace(/\/[^/]+$/, '/')}`);
  if (m.forceNewCluster.includes('drop-in')) parts.push(`--force-new-cluster drop-in ${DROP_IN} in place`);
  if (m.forceNewCluster.includes('etcd.conf')) parts.push(`ETCD_FORCE_NEW_CLUSTER=true in ${ETCD_CONF}`);
  return parts.join('; ');
}

/** Every etcd member, looked at when the run stopped. */
export const etcdMemberNow: FactProbe = {
  name: NOW_FACT,
  describe: 'the member as it is now (etcd, data dir, moved-aside copies, manifest, force-new-cluster)',
  where: (ctx) => etcdHosts(ctx.inventory),
  command: (host, ctx) => lookCommand(host, ctx),
  parse: (out) => parseMemberNow(out),
  summary: (v) => describeMemberNow(v as MemberNow),
};

/** The member as the look found it, or the sentence that says why it could not be looked at; undefined: no look. */
export function memberNow(look: HostFacts | undefined, host: Host): MemberNow | string | undefined {
  if (!look) return undefined;
  try {
    return look.get(NOW_FACT, host) as MemberNow;
  } catch (e) {
    const said = e instanceof Error ? e.message : String(e);
    return said.replace(`${host.name}: ${etcdMemberNow.describe}: `, ''); // the caller names the host
  }
}

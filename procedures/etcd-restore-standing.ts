// Where the cluster stands after an etcd-restore run that did not finish (Procedure.whereItStands), from the
// journal's step progress and a look at the members when the run stopped (ctx.look): which members were stopped,
// whose data dir was moved where, whether the backup is in place and --force-new-cluster still set (drop-in or
// etcd.conf line), which manifests are in pods-stopped/, which members rejoined — and the next safe action. Where a
// step did not finish on a host, what the look saw there decides. Pure; the step ids are etcd-restore's
// (procedures/etcd-restore.ts).

import type { StandingContext, StepProgress, WhereItStands } from '../src/engine/types.js';
import type { Host } from '../src/inventory/types.js';
import { type Runtime, runtimeOf } from '../src/ocp/control-plane.js';
import { etcdHosts } from '../src/ocp/etcd.js';
import { timeStamp } from './backup-common.js';
import { backupParam, DATA_DIR, DROP_IN, ETCD_CONF, paramMember } from './etcd-common.js';
import { describeMemberNow, memberNow } from './etcd-member-now.js';

const PROGRAM = 'day2-tui';

function names(hosts: readonly string[]): string {
  if (hosts.length <= 1) return hosts.join('');
  return `${hosts.slice(0, -1).join(', ')} and ${hosts[hosts.length - 1]}`;
}

/** The step has done something (or may have): not merely pending or skipped. */
function began(p: StepProgress | undefined): boolean {
  if (!p) return false;
  if (p.destructiveBegun) return true;
  if (p.status === 'ok' || p.status === 'failed' || p.status === 'interrupted' || p.status === 'running') return true;
  return Object.values(p.hosts).some((s) => s !== 'pending');
}

const okOn = (p: StepProgress | undefined, h: Host): boolean =>
  p?.hosts[h.name] === 'ok' || (p?.status === 'ok' && p.hosts[h.name] === undefined);
const unsureOn = (p: StepProgress | undefined, h: Host): boolean => ['failed', 'interrupted', 'running'].includes(p?.hosts[h.name] ?? '');

/** `step 5 ("Move every member’s data dir aside to /var/lib/etcd.old-<timestamp> (never deleted)")`: the title up to its first colon. */
function stepName(id: string, titles: ReadonlyMap<string, string>): string {
  const n = [...titles.keys()].indexOf(id) + 1;
  const title = titles.get(id);
  if (!title) return `step ${id}`;
  const short = title.split(/: /)[0]!;
  return `step ${n} ("${short.length > 60 ? `${short.slice(0, 59)}…` : short}")`;
}

/** How the member runs etcd, when the run read it (undefined: not known, e.g. unreachable at the start). */
function runtime(ctx: StandingContext, h: Host): Runtime | undefined {
  try {
    return runtimeOf(ctx, h, 'etcd');
  } catch {
    return undefined;
  }
}

/** The commands that tell whether etcd runs, and that start it again, the way each member runs it. */
function howTo(ctx: StandingContext, hosts: readonly Host[]): { tell: string; start: string } {
  const kinds = new Set(hosts.map((h) => runtime(ctx, h)?.kind));
  const pod = '`docker ps --filter label=openshift.io/component=etcd`';
  const back = '`mv /etc/origin/node/pods-stopped/etcd.yaml /etc/origin/node/pods/` (its static pod manifest, kept there by the stop)';
  if (kinds.size === 1 && kinds.has('static-pod')) return { tell: pod, start: back };
  if (kinds.size === 1 && kinds.has('systemd'))
    return { tell: '`systemctl is-active etcd.service`', start: '`systemctl start etcd.service`' };
  return {
    tell: `${pod} (static pod) or \`systemctl is-active etcd.service\``,
    start: `${back}, or \`systemctl start etcd.service\` where etcd is a unit`,
  };
}

/**
 * etcd-restore's whereItStands. `titles`: step id → title (for "continues from …").
 */
export function restoreWhereItStands(
  ctx: StandingContext,
  stoppedAt: string | undefined,
  titles: ReadonlyMap<string, string>,
): WhereItStands {
  const w = fromTheJournal(ctx, stoppedAt, titles);
  const members = etcdHosts(ctx.inventory);
  return { ...w, state: [...w.state, ...startedSince(ctx, members), ...seenNow(ctx, members)] };
}

/** What the journal says the run did, unsure steps settled by the look. */
function fromTheJournal(ctx: StandingContext, stoppedAt: string | undefined, titles: ReadonlyMap<string, string>): WhereItStands {
  const step = (id: string): StepProgress | undefined => ctx.steps[id];
  const members = etcdHosts(ctx.inventory);
  const member = paramMember(ctx);
  const others = members.filter((h) => h.name !== member.name);
  const backup = backupParam(ctx);
  const aside = `${DATA_DIR}.old-${timeStamp(ctx.startedAt)}`;
  const resume = `\`${PROGRAM} resume ${ctx.runId}\``;
  const at = stoppedAt ? stepName(stoppedAt, titles) : undefined;
  const changed = began(ctx.steps['move-data-aside']);
  const resumeText = at
    ? ctx.outcome === 'stopped-at-gate'
      ? `${resume} asks the gate of ${at} again and goes on from there`
      : `${resume} goes on from ${at}${changed ? ' (it checks that step first, and asks again before repeating a destructive one)' : ''}`
    : `${resume} goes on from where the run stopped`;
  const backupSafe = `The backup ${backup} on ${member.name} is untouched.`;

  const stop = step('stop-etcd');
  const move = step('move-data-aside');

  // Nothing stopped yet: only checks ran.
  if (!began(stop)) {
    return {
      state: ['Nothing was changed on the members: etcd was not stopped and no data was moved (the steps so far only read).'],
      next: `Fix what stopped the run (above), then ${resumeText}. Or leave the cluster as it is: it was not touched.`,
      cautions: [backupSafe],
    };
  }

  const how = howTo(ctx, members);
  const stopped = members.filter((h) => okOn(stop, h)).map((h) => h.name);
  const pods = members.filter((h) => (okOn(stop, h) || unsureOn(stop, h)) && runtime(ctx, h)?.kind === 'static-pod').map((h) => h.name);
  const stopUnsure = members.filter((h) => unsureOn(stop, h)).map((h) => h.name);
  const running = members.filter((h) => !stopped.includes(h.name) && !stopUnsure.includes(h.name)).map((h) => h.name);

  // Stopped (some or all), nothing moved yet.
  if (!began(move)) {
    const state: string[] = [];
    if (stopped.length) state.push(`etcd is stopped on ${names(stopped)}.`);
    for (const h of stopUnsure) state.push(unsureStop(ctx, h, how.tell));
    if (running.length) state.push(`etcd still runs on ${names(running)}.`);
    if (pods.length) state.push(`The etcd static pod manifest of ${names(pods)} is in /etc/origin/node/pods-stopped/ (kept, not deleted).`);
    state.push(`Every member's data is untouched in ${DATA_DIR}.`);
    return {
      state,
      next: `To go on with the restore: ${resumeText}. To go back instead: ${how.start} on the stopped members — their data is intact.`,
      cautions: [backupSafe],
    };
  }

  // Data moved aside (some or all): the restore is under way; going on is the way out.
  const state: string[] = [];
  const cautions: string[] = [backupSafe];
  const moved = members.filter((h) => okOn(move, h)).map((h) => h.name);
  const moveUnsure = members.filter((h) => unsureOn(move, h)).map((h) => h.name);
  const notMoved = members.filter((h) => !moved.includes(h.name) && !moveUnsure.includes(h.name)).map((h) => h.name);
  if (moved.length) state.push(`The data of ${names(moved)} was moved to ${aside} (nothing deleted).`);
  if (pods.length)
    state.push(`The etcd static pod manifest of ${names(pods)} is in /etc/origin/node/pods-stopped/ until the run starts it again.`);
  for (const h of moveUnsure) state.push(unsureMove(ctx, h, aside));
  if (notMoved.length)
    state.push(`${names(notMoved)} still ${notMoved.length === 1 ? 'has its' : 'have their'} data in ${DATA_DIR} (etcd stopped).`);

  const restore = step('restore-data');
  let next = resumeText;
  if (restore?.status === 'ok') state.push(`${member.name}: ${DATA_DIR} holds the backup ${backup}.`);
  else if (began(restore)) {
    const now = memberNow(ctx.look, member);
    if (typeof now === 'object' && (now.data === 'empty' || now.data === 'missing')) {
      state.push(
        `${member.name}: the copy of the backup into ${DATA_DIR} did not finish, but nothing was copied: ${DATA_DIR} is ` +
          `${now.data === 'empty' ? 'empty' : 'not there'}.`,
      );
    } else {
      state.push(`${member.name}: the copy of the backup into ${DATA_DIR} did not finish; it may be incomplete.`);
      next = `Move what is in ${DATA_DIR} on ${member.name} aside (the copy needs it empty), then ${resumeText}`;
    }
  }

  const dropIn = step('force-new-cluster-on');
  const removed = step('force-new-cluster-off');
  if (began(dropIn) && removed?.status !== 'ok') {
    const where = runtime(ctx, member)?.kind === 'static-pod' ? `line ETCD_FORCE_NEW_CLUSTER=true in ${ETCD_CONF}` : `drop-in ${DROP_IN}`;
    state.push(
      `${member.name}: the --force-new-cluster ${where} ${dropIn?.status === 'ok' ? 'is' : 'may be'} in place: every ` +
        `restart of etcd there starts a new one-member cluster again until it is removed (the run removes it later).`,
    );
  }
  const force = step('start-force-new-cluster');
  if (removed?.status === 'ok')
    state.push(`${member.name} runs etcd in cluster mode with the backup's data (--force-new-cluster is removed).`);
  else if (force?.status === 'ok')
    state.push(`${member.name} runs etcd alone: a new one-member cluster from the backup, with a new member id.`);
  else if (began(force)) {
    const log = runtime(ctx, member)?.kind === 'static-pod' ? 'master-logs etcd etcd' : 'journalctl -u etcd.service';
    state.push(`etcd on ${member.name} did not come up healthy with --force-new-cluster: read \`${log}\` there.`);
  }

  const joined: string[] = [];
  const waiting: string[] = [];
  others.forEach((h, i) => {
    const k = i + 1;
    const add = step(`member-add-${k}`);
    const join = step(`join-${k}`);
    if (join?.status === 'ok') joined.push(h.name);
    else if (add?.status === 'ok' || began(join)) {
      state.push(
        `${h.name} was added to the member list but has not joined ` +
          `(${began(join) ? 'its start did not finish' : 'etcd stopped there'}): the run starts it; do not run \`member ` +
          `add\` for it again.`,
      );
    } else waiting.push(h.name);
  });
  if (joined.length) state.push(`Rejoined: ${names(joined)}.`);
  if (waiting.length && (force?.status === 'ok' || removed?.status === 'ok')) {
    state.push(`Not rejoined yet: ${names(waiting)} (etcd stopped, ${DATA_DIR} empty; old data in ${aside}).`);
  }
  const verify = step('verify-membership');
  if (verify && (verify.status === 'failed' || verify.status === 'interrupted'))
    state.push('Every member rejoined, but the final check failed: see the panel and the log.');
  const restart = step('restart-masters');
  if (restart && (restart.status === 'failed' || restart.status === 'interrupted')) {
    state.push(
      'etcd is restored, but the masters’ API and controllers were not all restarted: an API that was not may serve the ' +
        'old state from its cache (master-restart api; master-restart controllers on each, one at a time).',
    );
  }

  cautions.push(
    `Do not delete ${aside} on any member until the cluster is healthy with all ${members.length} members and its data is checked.`,
  );
  return { state, next: `${next}.`, cautions };
}

/** Members the run stopped and has not started again, where the look found etcd running. */
function startedSince(ctx: StandingContext, members: readonly Host[]): string[] {
  const member = paramMember(ctx);
  const startedByRun = (h: Host): boolean => {
    if (h.name === member.name) return began(ctx.steps['start-force-new-cluster']);
    const k = members.filter((m) => m.name !== member.name).findIndex((m) => m.name === h.name) + 1;
    return began(ctx.steps[`join-${k}`]);
  };
  return members
    .filter((h) => okOn(ctx.steps['stop-etcd'], h) && !startedByRun(h))
    .filter((h) => runsNow(ctx, h))
    .map(
      (h) =>
        `etcd runs again on ${h.name} although the run stopped it and has not started it: something started it since. A ` +
        `resume checks that etcd is really stopped before it moves any data.`,
    );
}

/** A member whose stop did not finish: what the look saw, else the command that tells. */
function unsureStop(ctx: StandingContext, name: string, tell: string): string {
  const now = memberNow(ctx.look, hostNamed(ctx, name));
  if (typeof now === 'object') {
    return now.etcd === 'stopped'
      ? `etcd is stopped on ${name} (the stop did not finish there, but no etcd runs there now).`
      : `etcd still runs on ${name} (the stop did not finish there).`;
  }
  return `etcd may or may not be stopped on ${name} (the stop did not finish there): ${tell} says.`;
}

/** A member whose move did not finish: what the look saw of the data dir and the copy, else where to look. */
function unsureMove(ctx: StandingContext, name: string, aside: string): string {
  const now = memberNow(ctx.look, hostNamed(ctx, name));
  const moved = typeof now === 'object' && now.aside.includes(aside);
  if (typeof now === 'object' && moved && (now.data === 'empty' || now.data === 'missing'))
    return (
      `On ${name} the move did not finish, but it was done: the data is in ${aside} and ${DATA_DIR} is ` +
      `${now.data === 'empty' ? 'empty' : 'not there'}.`
    );
  if (typeof now === 'object' && !moved && now.data === 'member')
    return `On ${name} the move did not happen: the data is still in ${DATA_DIR} (no ${aside}).`;
  return `On ${name} the move did not finish: look at ${DATA_DIR} and ${aside} there before anything else.`;
}

function runsNow(ctx: StandingContext, h: Host): boolean {
  const now = memberNow(ctx.look, h);
  return typeof now === 'object' && now.etcd === 'running';
}

function hostNamed(ctx: StandingContext, name: string): Host {
  return ctx.inventory.hosts.find((h) => h.name === name)!;
}

/** One line per member as the look saw it when the run stopped (none when there was no look). */
function seenNow(ctx: StandingContext, members: readonly Host[]): string[] {
  if (!ctx.look) return [];
  const reasons = members.map((h) => memberNow(ctx.look, h));
  const first = reasons[0];
  if (members.length > 1 && typeof first === 'string' && reasons.every((r) => r === first))
    return [`Could not look at the members just now: ${first}`];
  return members.map((h) => {
    const now = memberNow(ctx.look, h);
    return typeof now === 'object'
      ? `Seen just now on ${h.name}: ${describeMemberNow(now)}.`
      : `Could not look at ${h.name} just now: ${now}`;
  });
}

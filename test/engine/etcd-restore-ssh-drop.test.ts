// Lab: etcd-restore with the SSH connection of its running command dropped at every step boundary, then
// resumed. For each boundary of the plan against the lab that has a command after it (as in
// etcd-restore-kill.test.ts: a step ended and the next not started; inside a serial step, one host's part
// ended and the next host's not started; inside a member add, between the add and its verification):
// all three data dirs are destroyed, `bin/day2-tui run etcd-restore … --yes` starts as a child with
// DAY2_PAUSE_AFTER_STEP=<boundary>; when it pauses there, the command that comes next (computed from the
// procedure, the journal's start time and captures: its exact text) is held on its host by the lab's
// command hold (test/lab/README.md "Command holds") and the pause released. Once the command is held, the
// sshd session process serving it (the held bash's parent; never the host's listening sshd) is killed
// with SIGKILL: the connection drops while the command stands
//   before — sent, not begun (from the console's side it is running), or
//   after  — it ran, its exit status has not reached the console (the harder case).
// The run must end non-zero saying "connection to HOST lost", its journal failed with the resume command
// printed; then `bin/day2-tui resume <run-id> --yes` must exit 0 with 3 healthy members, their names and
// https peer URLs, and the fingerprint of the start, without re-running any step that had ended.
//   bash scripts/with-lab.sh node --import tsx --test test/engine/etcd-restore-ssh-drop.test.ts
// Needs the built console. Fails (never skips) without a lab. By default the CI subset runs (ciSubset: 4
// cases, boundaries of different kinds, both holds); DAY2_DROP_BOUNDARIES=all runs every boundary with
// both holds (bash scripts/ssh-drop-matrix.sh), =3,7 (1-based case numbers, as printed) only those, in that order.
// The last boundary (after the last step) has no command after it and is not in this matrix.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { etcdRestore } from '../../procedures/etcd-restore.js';
import { readFacts } from '../../src/engine/facts.js';
import type { Journal } from '../../src/engine/journal.js';
import { capturedValues, planProcedure } from '../../src/engine/plan.js';
import type { HostFacts, StepContext } from '../../src/engine/types.js';
import { readInventoryFile } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';
import { commandCheck } from '../../src/testing/command-check.js';
import { remoteCommandText } from '../../src/transport/ssh.js';
import type { CommandResult, Runner } from '../../src/transport/types.js';
import { controlPlane, fingerprint, journals, labDir, labJson, MASTERS, show, sleep, ssh, waitHealthy } from '../procedures/lab-helpers.js';
import {
  alive,
  type Boundary,
  destroyAll,
  newMatrix,
  boundaries as planBoundaries,
  resumeHealthy,
  setUpMatrix,
  startRestore,
  tearDownMatrix,
  untilPaused,
} from './restore-matrix.js';

const matrix = newMatrix();
let inventory: Inventory;
let facts: HostFacts;

/** A lab host's /run/lab, seen from the bastion. */
const runLab = (host: string): string => join(labDir, 'hosts', host, 'run');

/** No hold left on any master (a failed cycle may leave one). */
function clearHolds(): void {
  for (const m of MASTERS) {
    const d = runLab(m);
    if (!existsSync(d)) continue;
    for (const n of readdirSync(d)) if (/^(hold-(before|after)|holding\.\d+|held(\.\d+)?)$/.test(n)) rmSync(join(d, n), { force: true });
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

const cmdline = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();

type Hold = 'before' | 'after';

interface NextCommand {
  host: string;
  step: string;
  /** What it is, for the messages. */
  what: string;
  /** The exact text the console sends in the exec request. */
  text: string;
}

/**
 * The command the engine runs next from boundary b, computed as the engine will (the run's start time and
 * captures from its journal, the facts read from the lab): the next step's first command on its first
 * host; the next host's first command of a serial step; the verification of a member add.
 */
function nextCommand(b: Boundary, j: Journal): NextCommand {
  const plan = planProcedure(etcdRestore, { host: MASTERS[0]!, backup: matrix.backupDir }, inventory, new Date(j.startedAt), facts);
  const hostOf = (name: string) => inventory.hosts.find((h) => h.name === name)!;
  const ctxOn = (name: string): StepContext => {
    const host = hostOf(name);
    return {
      params: { host: MASTERS[0]!, backup: matrix.backupDir },
      inventory,
      captured: capturedValues(j.captures, host),
      startedAt: new Date(j.startedAt),
      planning: false,
      facts,
      host,
    };
  };
  const step = etcdRestore.steps[b.step]!;
  if (b.beforeVerify) {
    return {
      host: b.host!,
      step: step.id,
      what: `the verification of ${step.id} on ${b.host}`,
      text: remoteCommandText(commandCheck(step.verify).command(ctxOn(b.host!)).script, false),
    };
  }
  if (b.host) {
    return {
      host: b.next!,
      step: step.id,
      what: `the first command of ${step.id} on ${b.next}`,
      text: remoteCommandText(step.commands(ctxOn(b.next!))[0]!.script, false),
    };
  }
  for (let i = b.step + 1; i < etcdRestore.steps.length; i++) {
    if (plan[i]!.skipped) continue;
    const s = etcdRestore.steps[i]!;
    const h = plan[i]!.hosts[0];
    assert.ok(h, `${s.id} runs on the bastion: no host to drop`);
    return {
      host: h,
      step: s.id,
      what: `the first command of ${s.id} on ${h}`,
      text: remoteCommandText(s.commands(ctxOn(h))[0]!.script, false),
    };
  }
  throw new Error(`no command after ${b.point}`);
}

/** The journal stands at boundary b (as in etcd-restore-kill.test.ts, shortened). */
function atBoundary(j: Journal, b: Boundary): true | string {
  if (j.status !== 'running') return `the run is ${j.status}, not running`;
  for (let i = 0; i < b.step; i++)
    if (!['ok', 'skipped'].includes(j.steps[i]!.status)) return `step ${j.steps[i]!.id} is ${j.steps[i]!.status}`;
  const s = j.steps[b.step]!;
  if (b.beforeVerify) return s.hosts[b.host!]?.status === 'running' || `step ${s.id} on ${b.host} is not running`;
  if (b.host) return s.hosts[b.host]?.status === 'ok' || `${s.id} on ${b.host} is ${s.hosts[b.host]?.status ?? 'absent'}, not ok`;
  return ['ok', 'skipped'].includes(s.status) || `step ${s.id} is ${s.status}, not ended`;
}

/**
 * The cases CI runs: four, of different kinds, both holds — before the first destructive step (held
 * before it begins), inside the serial move of the data dirs (master-1's move ran, its status lost), after
 * the restore (the force-new-cluster edit ran, its status lost), and a member add's verification (ran,
 * status lost, no leader meanwhile).
 */
function ciSubset(): [string, Hold][] {
  const [m0] = MASTERS;
  return [
    ['quorum', 'before'],
    [`move-data-aside@${m0}`, 'after'],
    ['restore-data', 'after'],
    [`member-add-1@${m0}:before-verify`, 'after'],
  ];
}

/** DAY2_DROP_BOUNDARIES: unset → the CI subset; `all` → every boundary with both holds; `3,7` → those cases (1-based). */
function chosenCases(all: Boundary[], spec: string | undefined): { b: Boundary; hold: Hold; k: number }[] {
  const numbered = all.flatMap((b) => (['before', 'after'] as const).map((hold) => ({ b, hold }))).map((c, i) => ({ ...c, k: i + 1 }));
  if (spec === 'all') return numbered;
  if (!spec) {
    const want = ciSubset();
    const picked = numbered.filter((c) => want.some(([p, h]) => p === c.b.point && h === c.hold));
    assert.equal(
      picked.length,
      want.length,
      `the CI subset names boundaries the plan does not have: ${want
        .filter(([p]) => !all.some((b) => b.point === p))
        .map(([p]) => p)
        .join(', ')}`,
    );
    return picked;
  }
  const only = spec.split(',').map((x) => Number(x.trim()));
  for (const k of only)
    assert.ok(
      Number.isInteger(k) && k >= 1 && k <= numbered.length,
      `DAY2_DROP_BOUNDARIES: ${k} is not a case number 1..${numbered.length}`,
    );
  return [...new Set(only)].map((k) => numbered[k - 1]!); // in the order given
}

/** The procedure's facts as the engine reads them at the start of a run (the hosts as they are now). */
async function readLabFacts(): Promise<HostFacts> {
  return (
    await readFacts(
      etcdRestore.facts ?? [],
      { params: {}, inventory, captured: capturedValues([], undefined), startedAt: new Date(), planning: false },
      labRunner,
    )
  ).facts;
}

/** A Runner over `lab.sh ssh`, only to read the procedure's facts the way the engine does. */
const labRunner = {
  async run(target: { kind: string; host?: { name: string } }, command: { script: string }): Promise<CommandResult> {
    const r = await ssh(target.host!.name, command.script);
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, truncated: false, timedOut: false, cancelled: false, durationMs: 0 };
  },
} as unknown as Runner;

before(async () => {
  if (labDir) clearHolds(); // one left by a test that died would hold the set-up's own commands
  await setUpMatrix(matrix, 'ssh-drop', 'test/engine/etcd-restore-ssh-drop.test.ts');
  for (const m of MASTERS) {
    const r = await ssh(m, 'grep -c "lab-only test hook" /root/.bashrc');
    assert.equal(r.stdout.trim(), '1', `${m}: the lab has no command hold in root's .bashrc (test/lab/lab.sh hold_hook): ${show(r)}`);
  }
  clearHolds();
  inventory = readInventoryFile({ kind: 'file', path: join(labDir, 'hosts.ini'), from: 'flag' });
});

after(async () => {
  clearHolds();
  await tearDownMatrix(matrix);
});

test('etcd-restore: the SSH connection of the running command dropped at every step boundary, ' +
  'then resume --yes → N of N healthy, fingerprint unchanged', {
  timeout: 170 * 60_000,
}, async () => {
  const all = planBoundaries(inventory, matrix.backupDir, false);
  const chosen = chosenCases(all, process.env.DAY2_DROP_BOUNDARIES);
  const N = all.length * 2;
  const subsetWhy = process.env.DAY2_DROP_BOUNDARIES ? 'DAY2_DROP_BOUNDARIES' : 'the CI subset; DAY2_DROP_BOUNDARIES=all runs every one';
  console.log(
    `etcd-restore against the ${controlPlane()} lab: ${etcdRestore.steps.length} steps, ` +
      `${all.length} boundaries with a command after them, ${N} cases (each hold)` +
      `${chosen.length < N ? `; running ${chosen.length} of them (${subsetWhy})` : ''}`,
  );
  const failures: string[] = [];
  let passed = 0;

  for (const { b, hold, k } of chosen) {
    const label = `case ${k}/${N} (after ${b.describe}; hold-${hold})`;
    const t0 = Date.now();
    let target: NextCommand | undefined;
    const problem = await (async (): Promise<string | undefined> => {
      clearHolds();
      await destroyAll();
      // read where the run will read them: after the data is lost, before the run starts
      facts = await readLabFacts();
      const stateDir = join(matrix.tmp, `state-${k}`);
      const started = startRestore(matrix, stateDir, b.point);
      const { child, exited, marker } = started;
      const out = started.out;
      const exit = started.exit;
      let heldPid = 0;
      try {
        const notThere = await untilPaused(started);
        if (notThere) return notThere;
        const js = journals(stateDir);
        if (js.length !== 1) return `${js.length} journals in ${stateDir}`;
        const where = atBoundary(js[0]!, b);
        if (where !== true) return `the journal does not stand at the boundary: ${where}`;
        // hold the next command on its host, then let the run go on
        target = nextCommand(b, js[0]!);
        const dir = runLab(target.host);
        writeFileSync(join(dir, `hold-${hold}.tmp`), target.text);
        renameSync(join(dir, `hold-${hold}.tmp`), join(dir, `hold-${hold}`));
        rmSync(marker, { force: true });
        const heldFile = join(dir, 'held');
        const until = Date.now() + 240_000;
        while (!existsSync(heldFile)) {
          if (exit()) return `the run ended (exit ${exit()!.code}) without running ${target.what} (never held):\n${out().slice(-4000)}`;
          if (Date.now() > until) return `${target.what} was not held within 240 s:\n${out().slice(-4000)}`;
          await sleep(20);
        }
        const [pidText, how, status] = readFileSync(heldFile, 'utf8').trim().split(' ');
        heldPid = Number(pidText);
        if (how !== hold) return `held ${how}, not ${hold}`;
        // the sshd session process serving the command: the held bash's parent, not the listener
        const lab = labJson();
        const listener = lab.hosts.find((h) => h.name === target!.host)?.sshdPid;
        const session = parentOf(heldPid);
        const sessionCmd = cmdline(session);
        if (session === listener || !/^sshd: /.test(sessionCmd) || /listener|\[listener\]/.test(sessionCmd))
          return `the held command's parent ${session} (${sessionCmd}) is not an sshd session process (listener ${listener})`;
        process.kill(session, 'SIGKILL');
        // the run stops: the connection lost, named; non-zero; the journal failed and resumable
        let timer: ReturnType<typeof setTimeout> | undefined;
        const ended = await Promise.race([
          exited,
          new Promise<undefined>((done) => {
            timer = setTimeout(() => done(undefined), 240_000);
          }),
        ]);
        clearTimeout(timer); // a pending timer would keep the test process (and the lab) up after the last case
        if (!ended)
          return (
            `the run did not end within 240 s of the dropped connection (${target.what}, held ${hold}` +
            `${status ? `, it had exited ${status}` : ''}):\n${out().slice(-4000)}`
          );
        if (ended.code === 0 || ended.code === null)
          return `the run exited ${ended.code} (signal ${ended.signal}) after the dropped connection:\n${out().slice(-4000)}`;
        if (!out().includes(`connection to ${target.host} lost`))
          return `the run's output does not say "connection to ${target.host} lost":\n${out().slice(-4000)}`;
        const j = journals(stateDir)[0]!;
        if (j.status !== 'failed') return `the journal after the drop: ${j.status}, not failed (resumable)`;
        if (!out().includes(`resume ${j.runId}`)) return `the run did not say how to resume it:\n${out().slice(-3000)}`;
        const s = j.steps.find((x) => x.id === target!.step)!;
        if (s.status !== 'failed') return `step ${s.id} is ${s.status} after the drop, not failed`;
      } finally {
        if (!exit()) child.kill('SIGKILL');
        await exited;
        // release the hold: the bash ends without running / reporting anything (its sshd is gone)
        clearHolds();
        if (heldPid) {
          const until = Date.now() + 30_000;
          while (alive(heldPid) && Date.now() < until) await sleep(100);
        }
      }
      if (heldPid && alive(heldPid)) return `the held command ${heldPid} did not end after its release`;

      return resumeHealthy(matrix, stateDir, b, 'drop');
    })().catch((e: unknown) => `error: ${e instanceof Error ? e.stack : String(e)}`);

    const secs = Math.round((Date.now() - t0) / 1000);
    const dropped = target ? ` (dropped ${target.what})` : '';
    if (problem === undefined) {
      passed++;
      console.log(`ssh drop at ${label}${dropped}: stopped with the connection lost, resumed, healthy, fingerprint unchanged [${secs} s]`);
    } else {
      failures.push(`${label}${dropped}: ${problem}`);
      console.log(`ssh drop at ${label}${dropped}: FAILED: ${problem.split('\n')[0]} [${secs} s]`);
      if (!(await waitHealthy(2))) await destroyAll().catch(() => undefined);
    }
  }
  console.log(
    `ssh drop at every step boundary, then resume: ${passed} of ${chosen.length} runs ended ` +
      `healthy with the fingerprint unchanged` +
      `${chosen.length < N ? ` (${chosen.length} of ${N} cases run)` : ''}`,
  );
  assert.equal(failures.length, 0, failures.join('\n\n'));
  assert.ok(await waitHealthy(10), 'the lab is not healthy at the end');
  assert.equal(await fingerprint(), matrix.fp0, 'the fingerprint at the end differs from the start');
});

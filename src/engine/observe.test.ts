// The engine's observations beside the steps: Step.follow (a command streamed while the step's commands
// run, e.g. the service journal), Procedure.panel (e.g. the etcd members, at the start, after every step
// and after a failure), Gate.expect (the name a type-host gate asks for) and Procedure.whereItStands.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import type { ShellCommand } from '../transport/shell.js';
import { argv, sh } from '../transport/shell.js';
import { auditPath } from './audit.js';
import { planProcedure } from './plan.js';
import { PANEL_STEP, startProcedureRun } from './run.js';
import { CannedOperator, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { EngineEvent, Panel, ParameterSpec, Procedure, StandingContext, Step } from './types.js';

const PARAMS: ParameterSpec[] = [{ name: 'host', description: 'the etcd member', required: true, choices: { fromRole: 'etcd' } }];
const M0 = 'm0.example.com';
const M1 = 'm1.example.com';

const FOLLOW_LINES = ['-- Logs begin --', 'etcd[42]: starting member 8e9e05c52164694d', 'etcd[42]: ready to serve client requests'];

/**
 * A runner for follows: `journalctl …` prints its lines at once, then runs until it is aborted (like
 * `journalctl -f`), or ends with followExit; everything else answers through `answer`.
 */
function followRunner(answer: (where: string, script: string) => Answer, followExit?: number): FakeRunner {
  const fake = new FakeRunner();
  const lines = FOLLOW_LINES.map((l): ['out', string] => ['out', l]);
  fake
    .allow(/^journalctl/)
    .answers(
      followExit === undefined
        ? { lines, linesAtOnce: true, hang: true }
        : { lines, linesAtOnce: true, exitCode: followExit, stderr: 'journalctl: no such unit' },
    );
  fake.allow(() => true).answers(answer);
  return fake;
}

/** The hosts whose follows were ended (aborted), in order. */
const aborted = (fake: FakeRunner) =>
  fake.commands.filter((c) => c.script.startsWith('journalctl') && c.result?.cancelled).map((c) => c.where);

const follow = (): ShellCommand => argv('journalctl', '-f', '-n', '0', '-u', 'etcd.service', '--no-pager');

function startSteps(): Step[] {
  return [
    { id: 'check', title: 'Check', where: { on: 'param', param: 'host' }, commands: () => [sh`true`] },
    {
      id: 'start',
      title: 'Start etcd and watch its journal',
      where: { on: 'param', param: 'host' },
      follow,
      // the command ends only after the follow has streamed its lines (they arrive at once)
      commands: () => [argv('systemctl', 'start', 'etcd.service'), sh`sleep 1`],
    },
    { id: 'after', title: 'After', where: { on: 'role', role: 'etcd', mode: 'serial' }, follow, commands: () => [sh`echo done`] },
  ];
}

/** A panel reading `members: N` from the host it runs on; hosts tried in inventory order. */
function countPanel(): Panel {
  return {
    title: 'toy cluster',
    where: (ctx) => ctx.inventory.hosts.filter((h) => h.roles.includes('etcd')),
    command: () => sh`toy-members`,
    parse: (out) => {
      const n = /members: (\d+)/.exec(out.stdout)?.[1];
      if (n === undefined) throw new Error('no member count');
      return {
        summary: { text: `${n} members`, tone: n === '0' ? 'bad' : 'ok' },
        rows: Array.from({ length: Number(n) }, (_, i) => ({ label: `m${i}`, text: 'healthy' })),
      };
    },
  };
}

function run(procedure: Procedure, runner: FakeRunner, operator = new CannedOperator(), params: Record<string, string> = { host: M0 }) {
  const stateDir = tempStateDir();
  const recording = runner;
  const r = startProcedureRun({ procedure, params, inventory: toyInventory(), runner, operator, stateDir, operatorName: 'tester' });
  const events: EngineEvent[] = [];
  r.onEvent((e) => events.push(e));
  return { run: r, recording, stateDir, events, operator };
}

function audit(
  stateDir: string,
): { kind: string; step?: string; host?: string | null; command?: string; cancelled?: boolean; exitCode?: number | null }[] {
  return readFileSync(auditPath(stateDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('follow: its lines reach the snapshot as the journal stream while the commands run; ended when they end; audited', async () => {
  let countMembers = 0;
  const runner = followRunner((_w, s) =>
    s === 'sleep 1' ? { delayMs: 20 } : s === 'toy-members' ? { stdout: `members: ${++countMembers}\n` } : {},
  );
  const { run: r, stateDir, events } = run(toyProcedure('toy-follow', startSteps(), PARAMS), runner);
  const seen: { follow: number; journal: number }[] = [];
  r.subscribe(() => {
    const s = r.getSnapshot();
    seen.push({ follow: s.follow?.length ?? 0, journal: s.log.filter((l) => l.stream === 'journal').length });
  });
  const result = await r.result();
  assert.equal(result.status, 'ok');
  const log = result.snapshot.log;
  const journal = log.filter((l) => l.stream === 'journal');
  assert.deepEqual(
    journal.filter((l) => l.step === 'start').map((l) => [l.host, l.text]),
    FOLLOW_LINES.map((t) => [M0, t]),
  );
  // the serial step follows on each host in turn
  assert.deepEqual([...new Set(journal.filter((l) => l.step === 'after').map((l) => l.host))], [M0, M1]);
  // the follow starts before the step's first command (so nothing of the start-up is missed)
  const startCommand = log.find((l) => l.stream === 'command' && l.text === 'systemctl start etcd.service')!.seq;
  assert.ok(journal[0]!.seq < startCommand);
  assert.ok(
    seen.some((x) => x.follow === 1 && x.journal > 0),
    'the snapshot shows the follow while it runs',
  );
  assert.equal(result.snapshot.follow, undefined, 'no follow left after the run');
  assert.deepEqual(aborted(runner), [M0, M0, M1], 'each follow was ended (aborted) when its commands ended');
  assert.ok(events.some((e) => e.type === 'line' && e.stream === 'journal' && e.text.includes('ready to serve')));
  const followAudit = audit(stateDir).filter((e) => e.kind === 'command' && e.command === 'journalctl -f -n 0 -u etcd.service --no-pager');
  assert.equal(followAudit.length, 3);
  assert.ok(followAudit.every((e) => e.cancelled === true));
  assert.deepEqual(
    result.snapshot.steps.map((s) => s.status),
    ['ok', 'ok', 'ok'],
  );
  // the plan shows the follow
  const plan = planProcedure(toyProcedure('toy-follow', startSteps(), PARAMS), { host: M0 }, toyInventory());
  assert.equal(plan[1]!.follow, 'journalctl -f -n 0 -u etcd.service --no-pager');
  assert.equal(plan[0]!.follow, undefined);
});

test('follow: a follow that fails never changes the step; it is said in the log; follow:false turns it off', async () => {
  const runner = followRunner(() => ({}), 1);
  const { run: r } = run(toyProcedure('toy-follow', startSteps(), PARAMS), runner);
  const result = await r.result();
  assert.equal(result.status, 'ok');
  assert.ok(result.snapshot.log.some((l) => l.stream === 'info' && /the followed output ended by itself \(exit 1\)/.test(l.text)));

  const plain = followRunner(() => ({}));
  const r2 = startProcedureRun({
    procedure: toyProcedure('toy-follow', startSteps(), PARAMS),
    params: { host: M0 },
    inventory: toyInventory(),
    runner: plain,
    operator: new CannedOperator(),
    stateDir: tempStateDir(),
    follow: false,
  });
  assert.equal((await r2.result()).status, 'ok');
  assert.ok(!plain.scripts.some((s) => s.includes('journalctl')));
});

test('follow: a step whose command fails ends its follow too; the failure is the command’s', async () => {
  const runner = followRunner((_w, s) => (s.startsWith('systemctl start') ? { exitCode: 1, stderr: 'Job for etcd.service failed' } : {}));
  const { run: r } = run(toyProcedure('toy-follow', startSteps(), PARAMS), runner, new CannedOperator([], ['abort']));
  const result = await r.result();
  assert.equal(result.status, 'failed');
  assert.match(result.failure!.command, /systemctl start etcd\.service/);
  assert.deepEqual(aborted(runner), [M0]);
});

test('panel: taken at the start, after every step that ran, after a failure; the snapshot has the latest and when', async () => {
  let n = 0;
  const steps: Step[] = [
    { id: 'one', title: 'One', where: { on: 'bastion' }, commands: () => [sh`one`] },
    { id: 'skipped', title: 'Skipped', where: { on: 'bastion' }, skipIf: () => 'not needed', commands: () => [sh`never`] },
    { id: 'two', title: 'Two', where: { on: 'bastion' }, commands: () => [sh`two`] },
    { id: 'three', title: 'Three', where: { on: 'bastion' }, commands: () => [sh`three`] },
  ];
  const panels: string[] = [];
  const runner = FakeRunner.answering((_w, s) =>
    s === 'toy-members' ? { stdout: `members: ${++n}\n` } : s === 'three' ? { exitCode: 2, stderr: 'boom' } : {},
  );
  const procedure: Procedure = { ...toyProcedure('toy-panel', steps, PARAMS), panel: countPanel() };
  const { run: r, stateDir, events } = run(procedure, runner, new CannedOperator([], ['abort']));
  r.onEvent((e) => {
    if (e.type === 'panel') panels.push(`${e.panel.when}: ${e.panel.view.summary.text}`);
  });
  const result = await r.result();
  assert.equal(result.status, 'failed');
  // the start, after steps 1 and 3 (not after the skipped one), after the failure of step 4
  assert.equal(n, 4, panels.join('\n'));
  assert.ok(events.some((e) => e.type === 'panel' && e.panel.when === 'at the start'));
  assert.equal(panels.at(-1), 'after the failure of step 4/4: 4 members');
  const p = result.snapshot.panel!;
  assert.equal(p.title, 'toy cluster');
  assert.equal(p.host, M0);
  assert.equal(p.view.rows.length, 4);
  assert.ok(!Number.isNaN(Date.parse(p.takenAt)));
  assert.deepEqual(result.panel, p);
  assert.ok(audit(stateDir).some((e) => e.kind === 'command' && e.step === PANEL_STEP && e.command === 'toy-members' && e.host === M0));
  assert.deepEqual(
    result.snapshot.steps.map((s) => s.status),
    ['ok', 'skipped', 'ok', 'failed'],
  );
});

test('panel: a host that cannot be reached is passed over; none → the summary says so; a bad output is said, never thrown', async () => {
  const steps: Step[] = [{ id: 'one', title: 'One', where: { on: 'bastion' }, commands: () => [sh`one`] }];
  const procedure: Procedure = { ...toyProcedure('toy-panel', steps, PARAMS), panel: countPanel() };
  const second = run(
    procedure,
    FakeRunner.answering((w, s) =>
      s === 'toy-members' ? (w === M0 ? { throws: new Error(`${M0}: connection refused`) } : { stdout: 'members: 2\n' }) : {},
    ),
  );
  const r1 = await second.run.result();
  assert.equal(r1.panel?.host, M1);
  assert.equal(r1.panel?.view.summary.text, '2 members');

  const none = run(
    procedure,
    FakeRunner.answering((w, s) => (s === 'toy-members' ? { throws: new Error(`${w}: connection refused`) } : {})),
  );
  const r2 = await none.run.result();
  assert.equal(r2.status, 'ok', 'the panel never changes the run');
  assert.equal(r2.panel?.host, null);
  assert.match(
    r2.panel!.view.summary.text,
    /no host could run the observation \(m0\.example\.com: m0\.example\.com: connection refused; m1\.example\.com: /,
  );
  assert.equal(r2.panel!.view.summary.tone, 'bad');

  const garbled = run(
    procedure,
    FakeRunner.answering((_w, s) => (s === 'toy-members' ? { stdout: 'what?\n' } : {})),
  );
  const r3 = await garbled.run.result();
  assert.equal(r3.panel?.view.summary.text, 'could not read the output: no member count');
});

test('gate.expect: a type-host gate asks for the named host, not the one the step runs on; --yes answers it', async () => {
  const steps: Step[] = [
    {
      id: 'remove',
      title: 'Remove the member (etcdctl runs on a survivor)',
      where: { on: 'hosts', describe: 'a survivor', mode: 'serial', hosts: (ctx) => ctx.inventory.hosts.filter((h) => h.name === M1) },
      destructive: true,
      gate: { kind: 'type-host', what: () => 'removes m0 from the cluster', expect: (ctx) => ctx.params.host! },
      commands: () => [sh`etcdctl member remove 1`],
    },
  ];
  const operator = new CannedOperator([true]);
  const { run: r } = run(toyProcedure('toy-expect', steps, PARAMS), FakeRunner.answering(), operator);
  assert.equal((await r.result()).status, 'ok');
  assert.equal(operator.gates[0]!.expect, M0);
  assert.deepEqual(operator.gates[0]!.hosts, [M1]);
  const plan = planProcedure(toyProcedure('toy-expect', steps, PARAMS), { host: M0 }, toyInventory());
  assert.equal(plan[0]!.gate?.expect, M0);
});

test('whereItStands: after a failure the procedure says where things stand, from step progress, captures, the latest panel', async () => {
  const seen: { ctx?: StandingContext; stoppedAt?: string } = {};
  const steps: Step[] = [
    {
      id: 'stop',
      title: 'Stop',
      where: { on: 'role', role: 'etcd', mode: 'serial' },
      commands: () => [sh`stop`],
      capture: { stopped: () => 'yes' },
    },
    { id: 'move', title: 'Move aside', where: { on: 'role', role: 'etcd', mode: 'serial' }, destructive: true, commands: () => [sh`mv`] },
  ];
  const procedure: Procedure = {
    ...toyProcedure('toy-stand', steps, PARAMS),
    panel: countPanel(),
    whereItStands: (ctx, stoppedAt) => {
      seen.ctx = ctx;
      if (stoppedAt) seen.stoppedAt = stoppedAt;
      const moved = Object.entries(ctx.steps['move']!.hosts)
        .filter(([, s]) => s === 'ok')
        .map(([h]) => h);
      return {
        state: [`moved on: ${moved.join(', ') || 'none'}`, `panel: ${ctx.panel?.view.summary.text ?? 'none'}`],
        next: `resume with day2-tui resume ${ctx.runId}`,
        cautions: ['keep the backup'],
      };
    },
  };
  const runner = FakeRunner.answering((w, s) =>
    s === 'toy-members' ? { stdout: 'members: 1\n' } : s === 'mv' && w === M1 ? { exitCode: 1, stderr: 'busy' } : {},
  );
  const { run: r } = run(procedure, runner, new CannedOperator([], ['abort']));
  const result = await r.result();
  assert.equal(result.status, 'failed');
  assert.equal(seen.stoppedAt, 'move');
  assert.equal(seen.ctx!.outcome, 'failed');
  assert.equal(seen.ctx!.captured.get('stopped'), 'yes');
  assert.equal(seen.ctx!.steps['move']!.destructiveBegun, true);
  assert.deepEqual(result.whereItStands, {
    state: [`moved on: ${M0}`, 'panel: 1 members'],
    next: `resume with day2-tui resume ${result.runId}`,
    cautions: ['keep the backup'],
  });
  assert.deepEqual(result.snapshot.whereItStands, result.whereItStands);

  // a run that finishes ok has none; a whereItStands that throws still says something useful
  const ok = run(
    { ...procedure, steps: [steps[0]!] },
    FakeRunner.answering((_w, s) => (s === 'toy-members' ? { stdout: 'members: 1\n' } : {})),
  );
  assert.equal((await ok.run.result()).whereItStands, undefined);
  const broken = run(
    {
      ...procedure,
      whereItStands: () => {
        throw new Error('no idea');
      },
    },
    runner,
    new CannedOperator([], ['abort']),
  );
  const rb = await broken.run.result();
  assert.match(rb.whereItStands!.state[0]!, /could not work out where the cluster stands: no idea/);
  assert.match(rb.whereItStands!.next, /day2-tui resume /);
});

test('a gate not approved: whereItStands is given for the stopped run too', async () => {
  const steps: Step[] = [
    {
      id: 'wipe',
      title: 'Wipe',
      where: { on: 'param', param: 'host' },
      destructive: true,
      gate: { kind: 'type-host', what: () => 'wipes' },
      commands: () => [sh`wipe`],
    },
  ];
  const procedure: Procedure = {
    ...toyProcedure('toy-gate', steps, PARAMS),
    whereItStands: (ctx) => ({ state: [`${ctx.outcome}; wipe ${ctx.steps['wipe']!.status}`], next: 'nothing changed' }),
  };
  const { run: r } = run(procedure, FakeRunner.answering(), new CannedOperator([false]));
  const result = await r.result();
  assert.equal(result.status, 'stopped-at-gate');
  assert.deepEqual(result.whereItStands, { state: ['stopped-at-gate; wipe pending'], next: 'nothing changed' });
});

test(
  'Procedure.look: read from the hosts when a run stops without finishing, given to whereItStands as ctx.look and ' +
    'logged; not after a run that finished',
  async () => {
    const steps: Step[] = [
      { id: 'stop', title: 'Stop', where: { on: 'role', role: 'etcd', mode: 'serial' }, commands: () => [sh`stop`] },
      { id: 'move', title: 'Move aside', where: { on: 'role', role: 'etcd', mode: 'serial' }, destructive: true, commands: () => [sh`mv`] },
    ];
    const procedure: Procedure = {
      ...toyProcedure('toy-look', steps, PARAMS),
      look: [
        {
          name: 'now',
          describe: 'the data dir now',
          where: (ctx) => ctx.inventory.hosts.filter((h) => h.roles.includes('etcd')),
          command: () => sh`look-now`,
          parse: (out) => out.stdout.trim(),
          summary: (v) => String(v),
        },
      ],
      whereItStands: (ctx) => ({
        state: ctx.inventory.hosts
          .filter((h) => h.roles.includes('etcd'))
          .map((h) => {
            try {
              return `${h.name}: ${String(ctx.look?.get('now', h))}`;
            } catch (e) {
              return `${h.name}: ${(e as Error).message}`;
            }
          }),
        next: 'resume',
      }),
    };
    // the move failed on m1 half-way: the look says what is there now; m0 does not answer the look
    const runner = FakeRunner.answering((w, s) =>
      s === 'look-now'
        ? w === M0
          ? { throws: new Error('connection refused') }
          : { stdout: 'data moved\n' }
        : s === 'mv' && w === M1
          ? { exitCode: 1, stderr: 'busy' }
          : {},
    );
    const { run: r, recording } = run(procedure, runner, new CannedOperator([], ['abort']));
    const result = await r.result();
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.whereItStands!.state, [`${M0}: ${M0}: the data dir now: connection refused`, `${M1}: data moved`]);
    assert.deepEqual(
      recording.commands
        .filter((c) => c.script === 'look-now')
        .map((c) => c.where)
        .sort(),
      [M0, M1],
    );
    assert.ok(
      result.snapshot.log.some((l) => l.text === `now: now: ${M1}: data moved`),
      "each host's look is in the log",
    );

    const ok = run({ ...procedure, steps: [steps[0]!] }, FakeRunner.answering());
    assert.equal((await ok.run.result()).status, 'ok');
    assert.equal(ok.recording.commands.filter((c) => c.script === 'look-now').length, 0, 'a finished run looks at nothing');
  },
);

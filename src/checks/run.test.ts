import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoInventory } from '../demo/inventory.js';
import { DemoRunner } from '../demo/runner.js';
import type { Host, Inventory } from '../inventory/types.js';
import { cellKey, type HealthSnapshot, summarize } from '../model/health.js';
import { testInventory } from '../testing/builders.js';
import { type Answer, FakeRunner, type FakeRunnerOptions } from '../testing/fake-runner.js';
import { RecordingRunner } from '../transport/runner.js';
import { sh } from '../transport/shell.js';
import { type Connectivity, type Runner, TransportError } from '../transport/types.js';
import { problem } from './common.js';
import { HealthRunError, resolveLimit, startHealthRun } from './run.js';
import { host } from './test-helpers.js';
import type { Check } from './types.js';

// ---- fixtures ---------------------------------------------------------------------------------------

const inventory = (hosts: Host[]): Inventory => testInventory(hosts, { source: { kind: 'file', path: '/tmp/hosts' } });

const A = host('a.example.com', ['master', 'etcd', 'node']);
const B = host('b.example.com', ['master', 'etcd', 'node']);
const C = host('c.example.com', ['node']);
const INV = inventory([A, B, C]);

/** A host check: `echo <id>`, ok when it printed the id. */
function echoCheck(id: string, extra: Partial<Check<unknown, unknown>> = {}): Check<unknown, unknown> {
  return {
    id,
    title: id,
    section: '0',
    placement: { on: 'hosts', roles: ['node'] },
    commands: () => ({ echo: sh`echo ${id}` }),
    parse: (o) => o['echo']!.stdout.trim(),
    verdict: (f) =>
      f === id
        ? { status: 'ok', message: `said ${String(f)}` }
        : { status: 'fail', message: `said ${String(f)}`, fix: { text: 'make it say the id' } },
    ...extra,
  };
}

const ocCheck: Check<unknown, unknown> = {
  id: 'oc-thing',
  title: 'oc thing',
  section: '0',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => ({ get: sh`${ctx.oc} get thing` }),
  parse: (o) => o['get']!.stdout.trim(),
  verdict: (f) => ({ status: 'ok', message: String(f) }),
};

const digCheck: Check<unknown, unknown> = {
  id: 'dig-thing',
  title: 'dig thing',
  section: '0',
  placement: { on: 'bastion' },
  commands: () => ({ dig: sh`dig +short x.example.com` }),
  parse: (o) => o['dig']!.stdout.trim(),
  verdict: (f) => ({ status: 'ok', message: String(f) }),
};

type How = 'hang' | 'unreachable' | 'answer' | 'slow';

/**
 * The one fake runner, answering `echo X` with X after `delayMs` unless behaviour says otherwise:
 * 'slow' takes a minute (until aborted or timed out), 'hang' never answers (ignoring the abort),
 * 'unreachable' is refused after `delayMs`. `batches`: with runBatch (the SSH runner's one session per host).
 */
function fakeRunner(
  behaviour: (where: string, script: string) => How = () => 'answer',
  delayMs = 5,
  options: FakeRunnerOptions = {},
): FakeRunner {
  return FakeRunner.answering((where, script): Answer => {
    const how = behaviour(where, script);
    if (how === 'hang') return { hang: 'ignoring-abort' };
    if (how === 'unreachable')
      return {
        delayMs,
        throws: new TransportError(where, 'unreachable', `ssh: connect to host ${where} port 22: Connection refused`, `Is ${where} up?`),
      };
    const m = /^echo (\S+)/.exec(script);
    return { delayMs: how === 'slow' ? 60_000 : delayMs, stdout: m ? `${m[1]}\n` : 'answer\n' };
  }, options);
}

const statuses = (s: HealthSnapshot) => Object.fromEntries([...s.results.entries()].map(([k, r]) => [k.replace('\u0000', '@'), r.status]));

// ---- tests ------------------------------------------------------------------------------------------

test('every cell exists from the start as pending; results land in guide then inventory order', async () => {
  const runner = fakeRunner();
  const checks = [echoCheck('one'), echoCheck('two', { placement: { on: 'hosts', roles: ['etcd'] } }), ocCheck];
  const run = startHealthRun({ inventory: INV, runner, checks });
  const first = run.getSnapshot();
  assert.deepEqual(first.checks, ['one', 'two', 'oc-thing']);
  assert.deepEqual(first.hosts, ['a.example.com', 'b.example.com', 'c.example.com']);
  assert.deepEqual(
    [...first.results.keys()],
    [
      cellKey('one', 'a.example.com'),
      cellKey('one', 'b.example.com'),
      cellKey('one', 'c.example.com'),
      cellKey('two', 'a.example.com'),
      cellKey('two', 'b.example.com'),
      cellKey('oc-thing', null),
    ],
  );
  assert.ok([...first.results.values()].every((r) => r.status === 'pending'));
  assert.equal(first.done, false);
  const last = await run.finished();
  assert.equal(last.done, true);
  assert.ok(
    [...last.results.values()].every((r) => r.status === 'ok'),
    JSON.stringify(statuses(last)),
  );
  const r = last.results.get(cellKey('one', 'b.example.com'))!;
  assert.equal(r.message, 'said one');
  assert.deepEqual(r.raw, { echo: { command: 'echo one', exitCode: 0, stdout: 'one\n', stderr: '' } });
  assert.equal(typeof r.durationMs, 'number');
  assert.equal(last.results.get(cellKey('oc-thing', null))!.host, null);
  assert.equal(runner.on('bastion').length, 1);
});

test('a host that never answers does not delay the others, and is not asked again', async () => {
  const runner = fakeRunner((where) => (where === 'a.example.com' ? 'hang' : 'answer'));
  const checks = [echoCheck('one'), echoCheck('two'), echoCheck('three')];
  const run = startHealthRun({ inventory: INV, runner, checks, timeoutMs: 200 });
  const doneAt = new Map<string, number>();
  const t0 = Date.now();
  run.subscribe(() => {
    for (const [k, r] of run.getSnapshot().results)
      if (!doneAt.has(k) && r.status !== 'pending' && r.status !== 'running') doneAt.set(k, Date.now() - t0);
  });
  const s = await run.finished();
  for (const h of ['b.example.com', 'c.example.com']) {
    for (const id of ['one', 'two', 'three']) {
      assert.equal(s.results.get(cellKey(id, h))!.status, 'ok');
      assert.ok(doneAt.get(cellKey(id, h))! < 150, `${id}@${h} waited for the silent host: ${doneAt.get(cellKey(id, h))} ms`);
    }
  }
  for (const id of ['one', 'two', 'three']) {
    const r = s.results.get(cellKey(id, 'a.example.com'))!;
    assert.equal(r.status, 'error');
    assert.match(r.message, /no answer from a\.example\.com within its 0\.3 s deadline/); // the timeout and its grace
  }
  assert.equal(runner.on('a.example.com').length, 1, 'the silent host was tried once');
  assert.ok(Date.now() - t0 < 3000);
});

test('a command that hangs on a working host: that cell errors "no answer within N s", the host stays in use', async () => {
  const runner = fakeRunner((_w, script) => (script === 'echo two' ? 'slow' : 'answer'));
  const run = startHealthRun({ inventory: INV, runner, checks: [echoCheck('one'), echoCheck('two'), echoCheck('three')], timeoutMs: 100 });
  const s = await run.finished();
  for (const h of INV.hosts.map((x) => x.name)) {
    assert.equal(s.results.get(cellKey('one', h))!.status, 'ok');
    assert.equal(s.results.get(cellKey('three', h))!.status, 'ok');
    const r = s.results.get(cellKey('two', h))!;
    assert.equal(r.status, 'error');
    assert.equal(r.message, 'no answer within 0.1 s (echo)');
  }
});

test('a TransportError host: its cells error at once with message and hint, tried once', async () => {
  const runner = fakeRunner((where) => (where === 'c.example.com' ? 'unreachable' : 'answer'), 20);
  const checks = ['one', 'two', 'three', 'four'].map((id) => echoCheck(id));
  const t0 = Date.now();
  const run = startHealthRun({ inventory: INV, runner, checks });
  const s = await run.finished();
  assert.ok(Date.now() - t0 < 1000);
  for (const id of ['one', 'two', 'three', 'four']) {
    const r = s.results.get(cellKey(id, 'c.example.com'))!;
    assert.equal(r.status, 'error');
    assert.equal(r.message, 'ssh: connect to host c.example.com port 22: Connection refused');
    assert.deepEqual(r.fix, { text: 'Is c.example.com up?' });
    assert.equal(r.details?.['transport'], 'unreachable');
    assert.equal(s.results.get(cellKey(id, 'a.example.com'))!.status, 'ok');
  }
  assert.equal(runner.on('c.example.com').length, 1);
  assert.equal(summarize(s).exitCode, 2);
});

test('pre stage: runs once on the bastion, its value reaches every host cell', async () => {
  const runner = fakeRunner();
  let parsed = 0;
  const check = echoCheck('reg', {
    pre: {
      commands: (ctx) => ({ svc: sh`${ctx.oc} get svc` }),
      parse: (o) => {
        parsed++;
        return o['svc']!.stdout.trim();
      },
    },
    commands: (_h, _c, pre) => ({ echo: sh`echo ${String(pre)}` }),
    parse: (o, _h, _c, pre) => ({ got: o['echo']!.stdout.trim(), pre }),
    verdict: (f) => ({ status: 'ok', message: JSON.stringify(f) }),
  });
  const run = startHealthRun({ inventory: INV, runner, checks: [check], oc: '/opt/oc' });
  const s = await run.finished();
  assert.equal(parsed, 1);
  assert.deepEqual(
    runner.on('bastion').map((c) => c.script),
    ['/opt/oc get svc'],
  );
  for (const h of INV.hosts) {
    const r = s.results.get(cellKey('reg', h.name))!;
    assert.equal(r.status, 'ok');
    assert.equal(r.message, '{"got":"answer","pre":"answer"}');
    assert.equal(r.raw?.['bastion: svc']?.command, '/opt/oc get svc');
  }
  // every host command came after the bastion stage
  const bastionAt = runner.on('bastion')[0]!.at;
  assert.ok(runner.commands.filter((c) => c.where !== 'bastion').every((c) => c.at >= bastionAt));
});

test('pre stage failure: the host cells error with its reason and run nothing', async () => {
  const runner = fakeRunner((where) => (where === 'bastion' ? 'hang' : 'answer'));
  const check = echoCheck('reg', { pre: { commands: () => ({ svc: sh`oc get svc` }), parse: () => 'x' } });
  const run = startHealthRun({ inventory: INV, runner, checks: [check, echoCheck('other')], timeoutMs: 100 });
  const s = await run.finished();
  for (const h of INV.hosts) {
    const r = s.results.get(cellKey('reg', h.name))!;
    assert.equal(r.status, 'error');
    assert.equal(r.message, 'bastion stage failed: no answer within 0.1 s (svc)');
    assert.equal(s.results.get(cellKey('other', h.name))!.status, 'ok');
  }
  assert.ok(!runner.commands.some((c) => c.script === 'echo reg'));
});

test('a parser that throws makes that cell an error, not the run', async () => {
  const runner = fakeRunner();
  const check = echoCheck('odd', {
    parse: () => {
      throw new Error('no table header');
    },
  });
  const s = await startHealthRun({ inventory: INV, runner, checks: [check, echoCheck('fine')] }).finished();
  const r = s.results.get(cellKey('odd', 'a.example.com'))!;
  assert.equal(r.status, 'error');
  assert.match(r.message, /could not understand the output of echo: no table header/);
  assert.equal(s.results.get(cellKey('fine', 'a.example.com'))!.status, 'ok');
});

test('--limit: full and short names and groups; unknown or ambiguous names fail before anything runs', async () => {
  assert.deepEqual(
    resolveLimit(INV, ['c', 'a.example.com']).map((h) => h.name),
    ['a.example.com', 'c.example.com'],
  );
  assert.deepEqual(
    resolveLimit(INV, ['etcd']).map((h) => h.name),
    ['a.example.com', 'b.example.com'],
  );
  const twins = inventory([host('m-0.one.example.com', ['node']), host('m-0.two.example.com', ['node'])]);
  assert.throws(() => resolveLimit(twins, ['m-0']), /ambiguous: it could be m-0\.one\.example\.com, m-0\.two\.example\.com/);
  const runner = fakeRunner();
  assert.throws(
    () => startHealthRun({ inventory: INV, runner, checks: [echoCheck('one')], limit: ['nope'] }),
    (e: unknown) => e instanceof HealthRunError && /unknown host 'nope'/.test(e.message),
  );
  assert.throws(
    () => startHealthRun({ inventory: INV, runner, checks: [echoCheck('one')], only: ['nope'] }),
    (e: unknown) => e instanceof HealthRunError && /unknown check 'nope'/.test(e.message),
  );
  assert.throws(
    () =>
      startHealthRun({ inventory: INV, runner, checks: [echoCheck('one', { placement: { on: 'hosts', roles: ['etcd'] } })], limit: ['c'] }),
    /nothing to check/,
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runner.commands.length, 0);

  // limited: only those hosts' cells, and no cluster-wide check
  const run = startHealthRun({
    inventory: INV,
    runner,
    checks: [echoCheck('one'), echoCheck('two'), ocCheck],
    limit: ['b'],
    only: ['two', 'oc-thing'],
  });
  const s = await run.finished();
  assert.deepEqual([...s.results.keys()], [cellKey('two', 'b.example.com')]);
  assert.deepEqual(s.hosts, ['b.example.com']);
  assert.deepEqual(
    runner.commands.map((c) => `${c.where}: ${c.script}`),
    ['b.example.com: echo two'],
  );
});

test('--only keeps guide order whatever the order given', async () => {
  const runner = fakeRunner();
  const run = startHealthRun({
    inventory: INV,
    runner,
    checks: [echoCheck('one'), echoCheck('two'), echoCheck('three')],
    only: ['three', 'one'],
  });
  assert.deepEqual(run.getSnapshot().checks, ['one', 'three']);
  await run.finished();
});

test('oc unavailable: bastion cells that call oc error with the message, others still run', async () => {
  const runner = fakeRunner();
  const withPre = echoCheck('needs-pre', { pre: { commands: (ctx) => ({ svc: sh`${ctx.oc} get svc` }), parse: () => 'x' } });
  const run = startHealthRun({
    inventory: INV,
    runner,
    checks: [ocCheck, digCheck, withPre],
    ocUnavailable: 'oc not found: install the OpenShift client or pass --oc PATH',
  });
  const s = await run.finished();
  assert.equal(s.results.get(cellKey('oc-thing', null))!.status, 'error');
  assert.equal(s.results.get(cellKey('oc-thing', null))!.message, 'oc not found: install the OpenShift client or pass --oc PATH');
  assert.equal(s.results.get(cellKey('dig-thing', null))!.status, 'ok');
  assert.equal(
    s.results.get(cellKey('needs-pre', 'c.example.com'))!.message,
    'oc not found: install the OpenShift client or pass --oc PATH',
  );
  assert.deepEqual(
    runner.on('bastion').map((c) => c.script),
    ['dig +short x.example.com'],
  );
});

test('concurrency limits the cells in flight', async () => {
  const many = inventory(Array.from({ length: 8 }, (_, i) => host(`n${i}.example.com`, ['node'])));
  const runner = fakeRunner(() => 'answer', 10);
  const s = await startHealthRun({ inventory: many, runner, checks: [echoCheck('one'), echoCheck('two')], concurrency: 3 }).finished();
  assert.equal(summarize(s).ok, 16);
  assert.ok(runner.maxInFlight <= 3, `max in flight ${runner.maxInFlight}`);
});

test('rerun: the chosen cells run again, the others keep their results; finished() resolves again', async () => {
  let says = 'wrong';
  const runner = fakeRunner();
  const check = echoCheck('one', {
    commands: () => ({ echo: sh`echo ${says}` }),
    verdict: (f) => (f === 'right' ? { status: 'ok', message: 'right' } : { status: 'fail', message: String(f) }),
  });
  const run = startHealthRun({ inventory: INV, runner, checks: [check] });
  let s = await run.finished();
  assert.equal(summarize(s).fail, 3);
  says = 'right';
  const before = runner.commands.length;
  run.rerun([{ check: 'one', host: 'b.example.com' }]);
  assert.match(run.getSnapshot().results.get(cellKey('one', 'b.example.com'))!.status, /^(pending|running)$/);
  assert.equal(run.getSnapshot().done, false);
  s = await run.finished();
  assert.equal(s.results.get(cellKey('one', 'b.example.com'))!.status, 'ok');
  assert.equal(s.results.get(cellKey('one', 'a.example.com'))!.status, 'fail');
  assert.deepEqual(
    runner.commands.slice(before).map((c) => c.where),
    ['b.example.com'],
  );
  run.rerun();
  s = await run.finished();
  assert.equal(summarize(s).ok, 3);
  run.dispose();
});

test('rerun tries a host that was unusable again', async () => {
  let down = true;
  const runner = fakeRunner((where) => (where === 'c.example.com' && down ? 'unreachable' : 'answer'));
  const run = startHealthRun({ inventory: INV, runner, checks: [echoCheck('one'), echoCheck('two')] });
  let s = await run.finished();
  assert.equal(summarize(s).error, 2);
  down = false;
  run.rerun(['one', 'two'].map((check) => ({ check, host: 'c.example.com' })));
  s = await run.finished();
  assert.equal(summarize(s).error, 0);
});

test('dispose: aborts what is in flight, cells become error "cancelled", listeners released', async () => {
  const runner = fakeRunner(() => 'slow');
  const run = startHealthRun({ inventory: INV, runner, checks: [echoCheck('one')] });
  let calls = 0;
  run.subscribe(() => calls++);
  const fin = run.finished();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runner.commands.length, 3);
  run.dispose();
  const s = await fin;
  assert.ok(runner.commands.every((c) => c.options.signal?.aborted));
  assert.ok([...s.results.values()].every((r) => r.status === 'error' && r.message === 'cancelled'));
  const after = calls;
  run.rerun();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls, after);
  assert.equal(runner.commands.length, 3);
});

test('problem verdicts and secrets: raw output is redacted', async () => {
  const runner = FakeRunner.answering({ stdout: 'token: abc.def.ghi\nAuthorization: Bearer sekrit123\n' });
  const check: Check<unknown, unknown> = {
    ...ocCheck,
    parse: () => problem('skipped', 'not here'),
    verdict: (f) => (f as { problem: never }).problem,
  };
  const s = await startHealthRun({ inventory: INV, runner, checks: [check] }).finished();
  const r = s.results.get(cellKey('oc-thing', null))!;
  assert.equal(r.status, 'skipped');
  assert.doesNotMatch(r.raw!['get']!.stdout, /abc\.def|sekrit/);
  assert.match(r.raw!['get']!.stdout, /<redacted>/);
});

test('the DEMO cluster (showcase): every check on every host, the down app node errors quickly and only once', async () => {
  const inv = demoInventory('showcase');
  const demo = new DemoRunner({ inventory: inv, lineDelayMs: 0, startDelayMs: 2 });
  const runner = new RecordingRunner(demo);
  const run = startHealthRun({ inventory: inv, runner });
  const s = await run.finished();
  assert.equal(s.checks.length, 17);
  assert.equal(s.hosts.length, inv.hosts.length);
  const down = [...s.results.values()].filter((r) => r.host === 'app-node-2.demo.example.com');
  assert.ok(down.length > 5);
  assert.ok(down.every((r) => r.status === 'error' && /No route to host/.test(r.message) && r.fix?.text));
  const firstCell = runner.commands.map((c) => c.where).filter((w) => w === 'app-node-2.demo.example.com').length;
  // only its first cell's commands (ntp: timedatectl and 3 clock samples) reach it
  assert.ok(firstCell <= 4, `the down host was asked ${firstCell} times`);
  assert.equal(s.results.get(cellKey('docker-storage', 'app-node-1.demo.example.com'))!.status, 'warn');
  for (const h of ['master-0', 'master-1', 'master-2'])
    assert.equal(s.results.get(cellKey('etcd-health', `${h}.demo.example.com`))!.status, 'ok');
});

// ---- a runner with runBatch (the SSH runner's one session per host) ----------------------------------

/** fakeRunner with runBatch: a batch's commands run one after the other; every batch is recorded. */
function batchingFakeRunner(
  batchBehaviour: (where: string) => 'hang' | 'unreachable' | 'answer' = () => 'answer',
  behaviour: (where: string, script: string) => How = () => 'answer',
  delayMs?: number,
): FakeRunner {
  return fakeRunner((where, script) => (batchBehaviour(where) === 'answer' ? behaviour(where, script) : batchBehaviour(where)), delayMs, {
    batches: true,
  });
}

test('batching runner: one session per host with every command of its cells, in guide order', async () => {
  const runner = batchingFakeRunner();
  const s = await startHealthRun({ inventory: INV, runner, checks: [echoCheck('one'), echoCheck('two'), echoCheck('three')] }).finished();
  assert.equal(summarize(s).ok, 9);
  assert.equal(runner.batches.length, 3);
  for (const b of runner.batches) assert.deepEqual(b.scripts, ['echo one', 'echo two', 'echo three']);
  assert.equal(runner.commands.length, 9);
});

test('batching runner: a hanging host does not delay the others; an unreachable one errors at once', async () => {
  const runner = batchingFakeRunner((where) => (where === B.name ? 'hang' : where === C.name ? 'unreachable' : 'answer'));
  const t0 = Date.now();
  const run = startHealthRun({ inventory: INV, runner, checks: [echoCheck('one'), echoCheck('two')], timeoutMs: 200 });
  const seenOkA: number[] = [];
  run.subscribe(() => {
    const r = run.getSnapshot().results.get(cellKey('two', A.name));
    if (r?.status === 'ok' && seenOkA.length === 0) seenOkA.push(Date.now() - t0);
  });
  const s = await run.finished();
  assert.equal(s.results.get(cellKey('one', A.name))!.status, 'ok');
  assert.equal(s.results.get(cellKey('two', A.name))!.status, 'ok');
  assert.ok(seenOkA[0]! < 150, `A was done after ${seenOkA[0]} ms`);
  for (const id of ['one', 'two']) {
    assert.equal(s.results.get(cellKey(id, B.name))!.status, 'error');
    assert.match(s.results.get(cellKey(id, B.name))!.message, /no answer/);
    assert.equal(s.results.get(cellKey(id, C.name))!.status, 'error');
    assert.match(s.results.get(cellKey(id, C.name))!.message, /Connection refused/);
  }
  assert.equal(runner.batches.filter((b) => b.where === C.name).length, 1);
});

test('batching runner: a cell is settled as soon as its own commands answered', async () => {
  const runner = batchingFakeRunner(
    () => 'answer',
    (_w, script) => (script === 'echo two' ? 'slow' : 'answer'),
  );
  const run = startHealthRun({ inventory: inventory([A]), runner, checks: [echoCheck('one'), echoCheck('two')], timeoutMs: 300 });
  await new Promise((r) => setTimeout(r, 100));
  const mid = run.getSnapshot();
  assert.equal(mid.results.get(cellKey('one', A.name))!.status, 'ok');
  assert.equal(mid.results.get(cellKey('two', A.name))!.status, 'running');
  const s = await run.finished();
  assert.equal(s.results.get(cellKey('two', A.name))!.status, 'error');
  assert.match(s.results.get(cellKey('two', A.name))!.message, /no answer within 0.3 s/);
});

test('batching runner: dispose cancels the cells of a running session', async () => {
  const runner = batchingFakeRunner(
    () => 'answer',
    () => 'slow',
  );
  const run = startHealthRun({ inventory: inventory([A]), runner, checks: [echoCheck('one'), echoCheck('two')] });
  await new Promise((r) => setTimeout(r, 20));
  run.dispose();
  const s = run.getSnapshot();
  assert.deepEqual(
    [...s.results.values()].map((r) => r.message),
    ['cancelled', 'cancelled'],
  );
  assert.ok(runner.commands[0]!.options.signal!.aborted);
});

// ---- a hung host: one deadline for all its checks -----------------------------------------------------

const EIGHT = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((id) => echoCheck(id));

/** B answers its first `answered` commands, then never again (and ignores being cancelled). */
function hangsAfter(answered: number): (where: string) => 'hang' | 'answer' {
  let left = answered;
  return (where) => (where !== B.name ? 'answer' : left-- > 0 ? 'answer' : 'hang');
}

/**
 * The per-command timeout is a minute and the host deadline a fifth of a second: the run ends (well
 * before the test's own timeout) only when the deadline covers all of B's checks at once.
 */
async function hungRun(runner: FakeRunner): Promise<HealthSnapshot> {
  return startHealthRun({ inventory: INV, runner, checks: EIGHT, timeoutMs: 60_000, hostDeadlineMs: 200 }).finished();
}

function assertHung(s: HealthSnapshot, runner: FakeRunner, okOnB: number): void {
  for (const h of [A.name, C.name]) for (const c of EIGHT) assert.equal(s.results.get(cellKey(c.id, h))!.status, 'ok', `${c.id}@${h}`);
  const onB = EIGHT.map((c) => s.results.get(cellKey(c.id, B.name))!);
  assert.equal(onB.filter((r) => r.status === 'ok').length, okOnB);
  for (const r of onB.filter((x) => x.status !== 'ok')) {
    assert.equal(r.status, 'error', r.check);
    assert.equal(r.message, 'no answer from b.example.com within its 0.2 s deadline', r.check);
  }
  // the hung commands never answered, and each was told to stop (not waited for)
  const hung = runner.on(B.name).slice(okOnB);
  assert.ok(hung.length > 0);
  for (const c of hung) assert.ok(c.options.signal?.aborted, c.script);
}

const HANG_GUARD = { timeout: 20_000 }; // a run that waits per command would take minutes

test('a host that never answers: every one of its checks errors naming the one deadline; the others are ok', HANG_GUARD, async () => {
  const runner = fakeRunner(hangsAfter(0));
  assertHung(await hungRun(runner), runner, 0);
});

test('a host that answers, then hangs: its remaining checks error naming the deadline, not one timeout each', HANG_GUARD, async () => {
  const runner = fakeRunner(hangsAfter(1));
  assertHung(await hungRun(runner), runner, 1);
});

test('batching runner: a host whose session hangs (and whose kill hangs too) costs one deadline', HANG_GUARD, async () => {
  const runner = batchingFakeRunner(() => 'answer', hangsAfter(1));
  assertHung(await hungRun(runner), runner, 1);
});

// ---- across: a comparison of the hosts of one check -------------------------------------------------

/** Each host says its own name's first letter; across lists what every host said (and who could not say). */
const acrossCheck = echoCheck('cmp', {
  commands: (h) => ({ echo: sh`echo ${h!.name[0]!}` }),
  verdict: (f) => ({ status: 'ok', message: `own ${String(f)}` }),
  across: (cells) => {
    const said = cells.map((c) => `${c.host.name[0]}=${c.facts === undefined ? '?' : String(c.facts)}`).join(' ');
    return cells.map((c) => (c.facts === undefined ? c.verdict : { status: 'ok', message: `${c.verdict.message}; all: ${said}` }));
  },
});

test('across: each cell waits (running) for the rest, then all are compared; an unreachable host: no facts, keeps its error', async () => {
  const runner = fakeRunner(
    (where, script) => (where === C.name ? 'unreachable' : where === B.name && script.startsWith('echo') ? 'slow' : 'answer'),
    5,
  );
  const run = startHealthRun({ inventory: INV, runner, checks: [acrossCheck], timeoutMs: 300, hostDeadlineMs: 200 });
  await new Promise((r) => setTimeout(r, 100));
  const mid = run.getSnapshot().results.get(cellKey('cmp', A.name))!;
  assert.equal(mid.status, 'running', 'A answered but waits for B, whose command is still running');
  assert.equal(mid.message, 'waiting for the other hosts of this check');
  assert.equal(run.getSnapshot().done, false);
  const s = await run.finished();
  const a = s.results.get(cellKey('cmp', A.name))!;
  assert.equal(a.status, 'ok');
  assert.equal(a.message, 'own a; all: a=a b=? c=?');
  assert.deepEqual(a.raw, { echo: { command: 'echo a', exitCode: 0, stdout: 'a\n', stderr: '' } });
  assert.equal(typeof a.durationMs, 'number');
  assert.equal(s.results.get(cellKey('cmp', B.name))!.status, 'error');
  assert.match(s.results.get(cellKey('cmp', B.name))!.message, /no answer from b\.example\.com within its 0\.2 s deadline/);
  const c = s.results.get(cellKey('cmp', C.name))!;
  assert.equal(c.status, 'error');
  assert.match(c.message, /Connection refused/);
});

test('across: a held cell is not running on its host: waiting longer than the host deadline does not give the host up', async () => {
  // one cell at a time, 150 ms each: A is held from 150 ms to 450 ms, past its 250 ms deadline
  const run = startHealthRun({
    inventory: INV,
    runner: fakeRunner(() => 'answer', 150),
    checks: [acrossCheck],
    concurrency: 1,
    hostDeadlineMs: 250,
  });
  const s = await run.finished();
  for (const h of [A, B, C]) assert.equal(s.results.get(cellKey('cmp', h.name))!.message, `own ${h.name[0]}; all: a=a b=b c=c`);
});

test('across: a rerun of one cell compares again with the others kept', async () => {
  const runner = fakeRunner();
  const run = startHealthRun({ inventory: INV, runner, checks: [acrossCheck, echoCheck('other')] });
  let s = await run.finished();
  assert.equal(s.results.get(cellKey('cmp', C.name))!.message, 'own c; all: a=a b=b c=c');
  for (const r of s.results.values()) assert.equal(r.status, 'ok', `${r.check}@${r.host}: ${r.message}`);
  run.rerun([{ check: 'cmp', host: B.name }]);
  s = await run.finished();
  assert.deepEqual(runner.commands.filter((c) => c.script === 'echo b').length, 2);
  assert.equal(s.results.get(cellKey('cmp', A.name))!.message, 'own a; all: a=a b=b c=c');
  assert.equal(s.results.get(cellKey('cmp', B.name))!.status, 'ok');
  run.dispose();
});

test('across with a batching runner: same verdicts', async () => {
  const s = await startHealthRun({ inventory: INV, runner: batchingFakeRunner(), checks: [echoCheck('other'), acrossCheck] }).finished();
  for (const h of [A, B, C]) assert.equal(s.results.get(cellKey('cmp', h.name))!.message, `own ${h.name[0]}; all: a=a b=b c=c`);
});

test("each output carries when it was handed over and when it came back (the run's clock); ctx.now is that clock", async () => {
  const seen: { sentAt?: number; receivedAt?: number; now: number }[] = [];
  const check = echoCheck('clock', {
    parse: (o, _h, ctx) => {
      seen.push({ sentAt: o['echo']!.sentAt!, receivedAt: o['echo']!.receivedAt!, now: ctx.now() });
      return 'clock';
    },
  });
  // a clock that moves 1 s each time it is read: handed over at one reading, answered at a later one
  let t = 1_000_000;
  const s = await startHealthRun({ inventory: inventory([A]), runner: fakeRunner(), checks: [check], now: () => (t += 1000) }).finished();
  assert.equal(s.results.get(cellKey('clock', A.name))!.status, 'ok');
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.sentAt! < seen[0]!.receivedAt! && seen[0]!.receivedAt! < seen[0]!.now, JSON.stringify(seen));
  // batched: every command of the session counts as handed over when the batch was
  const batched: { sentAt: number; receivedAt: number }[] = [];
  const two = echoCheck('two', {
    commands: () => ({ a: sh`echo a`, b: sh`echo b` }),
    parse: (o) => {
      batched.push(...['a', 'b'].map((k) => ({ sentAt: o[k]!.sentAt!, receivedAt: o[k]!.receivedAt! })));
      return 'two';
    },
  });
  await startHealthRun({ inventory: inventory([A]), runner: batchingFakeRunner(), checks: [two], now: () => (t += 1000) }).finished();
  assert.equal(batched[0]!.sentAt, batched[1]!.sentAt);
  assert.ok(batched[0]!.receivedAt < batched[1]!.receivedAt);
});

test(
  "warmConnection: the host's connection is opened (probe) before the check's commands are handed over, in a batch " +
    'too; sentAt comes after it',
  async () => {
    for (const batching of [false, true]) {
      const order: string[] = [];
      let t = 0;
      const base = batching ? batchingFakeRunner() : fakeRunner();
      (base as Runner).probe = async (h: Host): Promise<Connectivity> => {
        order.push(`probe ${h.name} at ${t}`);
        await new Promise((r) => setTimeout(r, 30));
        t += 100; // the clock moves while connecting
        return { state: 'ok' };
      };
      let sentAt = -1;
      const warm = echoCheck('warm', {
        warmConnection: true,
        parse: (o) => {
          sentAt = o['echo']!.sentAt!;
          return 'warm';
        },
      });
      const s = await startHealthRun({ inventory: inventory([A]), runner: base, checks: [warm], now: () => t }).finished();
      assert.equal(s.results.get(cellKey('warm', A.name))!.status, 'ok', `batching ${batching}`);
      assert.deepEqual(order, ['probe a.example.com at 0'], `batching ${batching}`);
      assert.equal(sentAt, 100, `batching ${batching}: handed over after the connection was open`);
      // a host that already answered is not probed again (one by one: 'first' answers before 'warm' starts;
      // batched: both are in the host's first session, which is opened first)
      const again = await startHealthRun({
        inventory: inventory([A]),
        runner: base,
        checks: [echoCheck('first'), warm],
        now: () => t,
      }).finished();
      assert.equal(again.results.get(cellKey('warm', A.name))!.status, 'ok');
      assert.equal(order.length, batching ? 2 : 1, `batching ${batching}: ${order.join('; ')}`);
    }
  },
);

test(
  "sentAt: the runner's own send time counts when it is later than the hand-over (and the run's clock is Date.now), " +
    'never an earlier one',
  async () => {
    const reported: number[] = [];
    const runner = fakeRunner();
    const run = runner.run.bind(runner);
    let bogus = false;
    (runner as Runner).run = async (t, c, o) => {
      await new Promise((r) => setTimeout(r, 20)); // waiting for a session
      const sentAt = bogus ? 1 : Date.now();
      reported.push(sentAt);
      return { ...(await run(t, c, o)), sentAt };
    };
    const seen: number[] = [];
    const check = echoCheck('sent', {
      parse: (o) => {
        seen.push(o['echo']!.sentAt!);
        return 'sent';
      },
    });
    await startHealthRun({ inventory: inventory([A]), runner, checks: [check] }).finished();
    assert.deepEqual(seen, reported);
    bogus = true;
    seen.length = 0;
    await startHealthRun({ inventory: inventory([A]), runner, checks: [check] }).finished();
    assert.ok(seen[0]! > 1, 'an impossible runner time is not used');
    seen.length = 0;
    bogus = false;
    await startHealthRun({ inventory: inventory([A]), runner, checks: [check], now: () => 5 }).finished();
    assert.deepEqual(seen, [5], "an injected clock is not mixed with the runner's");
  },
);

test('Verdict.again: the cell is measured again (twice at most) before an undecided verdict is settled; it is not shown', async () => {
  for (const decidesOn of [2, 99]) {
    let tries = 0;
    const check = echoCheck('measure', {
      parse: () => ++tries,
      verdict: (f) =>
        Number(f) >= decidesOn
          ? { status: 'ok', message: `decided on try ${String(f)}` }
          : { status: 'warn', message: `try ${String(f)} could not decide`, again: true },
    });
    const run = startHealthRun({ inventory: inventory([A]), runner: fakeRunner(), checks: [check, echoCheck('other')] });
    const s = await run.finished();
    const r = s.results.get(cellKey('measure', A.name))!;
    if (decidesOn === 2) {
      assert.equal(tries, 2);
      assert.equal(r.status, 'ok');
      assert.equal(r.message, 'decided on try 2');
    } else {
      assert.equal(tries, 3);
      assert.equal(r.status, 'warn');
      assert.equal(r.message, 'try 3 could not decide');
    }
    assert.equal('again' in r, false);
    assert.equal(s.results.get(cellKey('other', A.name))!.status, 'ok');
  }
});

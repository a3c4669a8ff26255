import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJournal } from '../engine/journal.js';
import { tempStateDir, toyInventory, toyProcedure } from '../engine/test-helpers.js';
import type { Procedure } from '../engine/types.js';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { main } from './main.js';
import { type ProcedureDeps, type ProcedureIO, planCli, RUN_EXIT, resumeCli, runCli, runsCli } from './procedure.js';

const SECRET = 'pa55-w0rd-xyz';

const toy: Procedure = toyProcedure(
  'toy-restart',
  [
    {
      id: 'check',
      title: 'Read the member id',
      where: { on: 'param', param: 'host' },
      commands: (ctx) => [sh`etcdctl member list --password=${ctx.params.password!}`],
      capture: { id: (o) => o.at(-1)!.stdout.trim().split(',')[0]! },
    },
    {
      id: 'wipe',
      title: 'Move the data directory aside',
      section: '5.4.2',
      where: { on: 'role', role: 'etcd', mode: 'parallel' },
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) => `moves /var/lib/etcd aside on ${ctx.host?.name ?? 'the etcd hosts'}`,
        protectedBy: () => '/backup/etcd-20261125 on m0',
      },
      commands: (ctx) => [sh`mv /var/lib/etcd /var/lib/etcd.old-${ctx.captured.get('id')}`, sh`echo moved`],
      verify: {
        describe: 'the old data directory is there',
        command: () => sh`test -d /var/lib/etcd.old`,
        ok: (o) => (o.exitCode === 0 ? true : 'not moved'),
      },
    },
  ],
  [
    { name: 'host', description: 'the member', required: true, choices: { fromRole: 'etcd' } },
    { name: 'password', description: 'a secret', required: true, secret: true },
  ],
);

function setup(
  answer: (w: string, s: string) => Answer = (w, s) =>
    s.startsWith('etcdctl')
      ? { stdout: `8e9e05c52164694d, started, ${SECRET}\n` }
      : s === 'echo moved'
        ? { stdout: `moved on ${w}\n` }
        : {},
) {
  const stateDir = tempStateDir();
  const runners: FakeRunner[] = [];
  const deps: ProcedureDeps = {
    inventory: toyInventory,
    createRunner: async () => {
      const r = FakeRunner.answering(answer);
      runners.push(r);
      return r;
    },
    stateDir,
    findProcedure: (id) => (id === 'toy-restart' ? toy : undefined),
    builtIds: () => ['toy-restart'],
    operatorName: 'tester',
  };
  const out: string[] = [];
  const err: string[] = [];
  const io: ProcedureIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {} };
  return { stateDir, deps, io, runners, out: () => out.join(''), err: () => err.join('') };
}

test('plan prints every step with its hosts, gate and exact commands; runs nothing', async () => {
  const s = setup();
  const code = await planCli({ procedure: 'toy-restart', params: { host: 'm1.example.com', password: SECRET } }, s.deps, s.io);
  assert.equal(code, 0);
  assert.equal(s.runners.length, 0, 'no runner was even created');
  const text = s.out();
  assert.match(text, /^Plan: toy-restart — Toy toy-restart/);
  assert.match(text, /Parameters: host=m1\.example\.com password=«redacted»/);
  assert.match(
    text,
    new RegExp(
      String.raw`1\. Read the member id\n {3}where: the host of parameter 'host' \(m1\.example\.com\): ` +
        String.raw`m1\.example\.com\n {3}\[m1\.example\.com\] \$ etcdctl member list --password=«redacted»`,
    ),
  );
  assert.match(text, /2\. Move the data directory aside {2}\[5\.4\.2\] {2}DESTRUCTIVE/);
  assert.match(text, /gate \(type the host name\): moves \/var\/lib\/etcd aside on the etcd hosts/);
  assert.match(text, /\[m0\.example\.com\] \$ mv \/var\/lib\/etcd \/var\/lib\/etcd\.old-<id>/);
  assert.match(text, /\[m1\.example\.com\] \$ mv \/var\/lib\/etcd \/var\/lib\/etcd\.old-<id>/);
  assert.match(text, /verify: the old data directory is there/);
  assert.ok(!text.includes(SECRET));
  assert.deepEqual(readdirSync(s.stateDir), [], 'plan writes nothing');
});

test('run without --yes, not on a terminal: stops at the gate with exit 3 and names it; resume --yes finishes', async () => {
  const s = setup();
  const code = await runCli({ procedure: 'toy-restart', params: { host: 'm0.example.com', password: SECRET }, yes: false }, s.deps, s.io);
  assert.equal(code, 3);
  assert.match(
    s.err(),
    new RegExp(
      String.raw`^day2-tui: stopped at gate "Move the data directory aside": moves \/var\/lib\/etcd aside ` +
        String.raw`on the etcd hosts — rerun with --yes to answer it\n`,
    ),
  );
  assert.deepEqual(s.runners[0]!.scripts, [`m0.example.com: etcdctl member list --password=${SECRET}`]);
  const runId = /resume (\S+) --yes/.exec(s.err())![1]!;
  assert.equal(readJournal(s.stateDir, runId).status, 'stopped-at-gate');

  // the secret is asked again: from $DAY2_PARAM_PASSWORD here
  const noSecret = await resumeCli({ runId, yes: true }, s.deps, s.io);
  assert.equal(noSecret, 2);
  assert.match(s.err(), /needs the secret parameter 'password' again: set DAY2_PARAM_PASSWORD/);
  const code2 = await resumeCli({ runId, yes: true }, s.deps, { ...s.io, env: { DAY2_PARAM_PASSWORD: SECRET } });
  assert.equal(code2, 0, s.err());
  const scripts = s.runners.at(-1)!.scripts;
  assert.deepEqual(scripts.slice(0, 2), [
    'm0.example.com: mv /var/lib/etcd /var/lib/etcd.old-8e9e05c52164694d',
    'm1.example.com: mv /var/lib/etcd /var/lib/etcd.old-8e9e05c52164694d',
  ]);
  assert.equal(readJournal(s.stateDir, runId).status, 'ok');
});

test('run --yes streams the log with [host] prefixes when several hosts run, and ends with a summary', async () => {
  const s = setup();
  const code = await runCli({ procedure: 'toy-restart', params: { host: 'm0.example.com', password: SECRET }, yes: true }, s.deps, s.io);
  assert.equal(code, 0, s.err());
  const text = s.out();
  assert.match(
    text,
    new RegExp(
      String.raw`== Step 1\/2: Read the member id — m0\.example\.com\n` +
        String.raw`\$ etcdctl member list --password=«redacted»\n8e9e05c52164694d, started, «redacted»\n`,
    ),
  );
  assert.match(text, /== Step 2\/2: Move the data directory aside \[5\.4\.2\] \(DESTRUCTIVE\) — m0\.example\.com, m1\.example\.com/);
  assert.match(text, /answered by --yes \(for m0\.example\.com,m1\.example\.com\)/);
  assert.match(text, /\[m1\.example\.com\] moved on m1\.example\.com\n/);
  assert.match(text, /\[m0\.example\.com\] \$ echo moved\n/);
  assert.match(text, /Summary of run .*\n {2}ok {10}1\. Read the member id\n {2}ok {10}2\. Move the data directory aside\nResult: ok\./);
  assert.ok(!text.includes(SECRET));
  // nothing secret in any file either
  for (const f of [join(s.stateDir, 'audit.log'), ...readdirSync(join(s.stateDir, 'runs')).map((n) => join(s.stateDir, 'runs', n))]) {
    assert.ok(!readFileSync(f, 'utf8').includes(SECRET), f);
  }
});

test('a failure when nobody can answer: abort, exit 1, with the command, exit code and output tail', async () => {
  const s = setup((w, sc) =>
    sc.startsWith('etcdctl')
      ? { stdout: 'x,started\n' }
      : sc.startsWith('mv') && w === 'm1.example.com'
        ? { exitCode: 1, stderr: "mv: cannot stat '/var/lib/etcd': No such file or directory\n" }
        : {},
  );
  const code = await runCli({ procedure: 'toy-restart', params: { host: 'm0.example.com', password: SECRET }, yes: true }, s.deps, s.io);
  assert.equal(code, 1);
  assert.match(
    s.err(),
    new RegExp(
      String.raw`day2-tui: step "Move the data directory aside" failed on m1\.example\.com: ` +
        '`mv \\/var\\/lib\\/etcd \\/var\\/lib\\/etcd\\.old-x` exit code 1' +
        String.raw`\n {4}mv: cannot stat '\/var\/lib\/etcd': No such file or directory\n`,
    ),
  );
  assert.match(s.err(), /resume \S+` continues it/);
});

test('runs and runs --json list the journals; unknown ids and procedures are one line, exit 2', async () => {
  const s = setup();
  await runCli({ procedure: 'toy-restart', params: { host: 'm0.example.com', password: SECRET }, yes: true }, s.deps, s.io);
  const io2 = setup();
  const r1 = await runsCli({ json: false }, { stateDir: s.stateDir }, io2.io);
  assert.equal(r1, 0);
  assert.match(
    io2.out(),
    new RegExp(
      String.raw`^RUN ID\s+PROCEDURE\s+STARTED\s+STATUS\s+STEP\n` +
        String.raw`\d{8}-\d{6}-toy-restart-[a-z0-9]{4}\s+toy-restart\s+\d{4}-\d\d-\d\d ` +
        String.raw`\d\d:\d\d:\d\d\s+ok\s+—\n$`,
    ),
  );
  const io3 = setup();
  await runsCli({ json: true }, { stateDir: s.stateDir }, io3.io);
  const doc = JSON.parse(io3.out()) as { runs: { id: string; status: string; procedure: string }[] };
  assert.equal(doc.runs.length, 1);
  assert.equal(doc.runs[0]!.status, 'ok');

  const io4 = setup();
  assert.equal(await resumeCli({ runId: 'nope', yes: false }, s.deps, io4.io), 2);
  assert.equal(io4.err(), "day2-tui: 'nope' is not a run id (see day2-tui runs)\n");
  assert.equal(await planCli({ procedure: 'app-data-backup', params: {} }, s.deps, io4.io), 2);
  assert.match(io4.err(), /day2-tui: procedure 'app-data-backup' is not built yet \(built: toy-restart\)\n$/);
});

test('main: the real command line — not built, bad parameter, runs in an empty state dir', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: (t: string) => void out.push(t),
    stderr: (t: string) => void err.push(t),
    env: { HOME: '/nonexistent' },
    isTTY: false,
  };
  const dir = tempStateDir();
  assert.equal(await main(['plan', 'app-data-backup', '--demo'], io), 2);
  assert.match(err.join(''), /^day2-tui: procedure 'app-data-backup' is not built yet \(built: .*etcd-backup.*\)\n$/);
  err.length = 0;
  assert.equal(await main(['runs', '--state-dir', dir], io), 0);
  assert.equal(out.join(''), 'No runs yet.\n');
  assert.equal(await main(['plan', 'etcd-backup', '--demo', '--param', 'host=nope'], io), 2);
  assert.match(err.join(''), /^day2-tui: parameter 'host'.*nope/);
  out.length = 0;
  assert.equal(await main(['plan', 'etcd-backup', '--demo'], io), 0);
  assert.match(out.join(''), /^Plan: etcd-backup/);
});

test('main: a state dir others can write to, and a journal of the wrong shape, are one-line errors naming the path', async () => {
  const err: string[] = [];
  const io = { stdout: () => {}, stderr: (t: string) => void err.push(t), env: { HOME: '/nonexistent' }, isTTY: false };
  const dir = tempStateDir();
  chmodSync(dir, 0o777);
  assert.equal(await main(['runs', '--state-dir', dir], io), 2);
  const fix = `chmod 700 ${dir}, or pass --state-dir with a directory of your own`;
  assert.equal(err.join(''), `day2-tui: the state directory ${dir} can be written by every user (mode 0777): ${fix}\n`);
  chmodSync(dir, 0o700);
  err.length = 0;
  const runId = '20261125-031500-toy-restart-ab12';
  mkdirSync(join(dir, 'runs'), { recursive: true });
  writeFileSync(join(dir, 'runs', `${runId}.json`), JSON.stringify({ version: 1, runId, steps: 'none' }));
  assert.equal(await main(['resume', runId, '--state-dir', dir, '--demo'], io), 2);
  assert.equal(err.length, 1, err.join(''));
  const path = `${dir}/runs/${runId}\\.json`;
  assert.match(err[0]!, new RegExp(`^day2-tui: ${path} is not a journal of version 1 \\(procedure: .*\\); look at it, then move it aside`));
});

test('exit codes of run: 4 when the procedure refuses, or a precondition says no before anything destructive began', async () => {
  const s = setup();
  const refusing: Procedure = { ...toy, refuse: () => 'm0 runs etcd as a static pod' };
  const refusedDeps = { ...s.deps, findProcedure: (id: string) => (id === 'toy-restart' ? refusing : undefined) };
  const params = { host: 'm0.example.com', password: SECRET };
  assert.equal(await runCli({ procedure: 'toy-restart', params, yes: true }, refusedDeps, s.io), RUN_EXIT.refused);
  assert.match(s.err(), /refused before anything changed: m0 runs etcd as a static pod\n/);
  assert.deepEqual(s.runners[0]!.scripts, [], 'nothing ran');

  const guarded: Procedure = {
    ...toy,
    steps: [
      {
        ...toy.steps[0]!,
        precondition: {
          describe: 'etcd is stopped',
          command: () => sh`systemctl is-active etcd`,
          ok: (o) => o.exitCode !== 0 || 'running',
        },
      },
      toy.steps[1]!,
    ],
  };
  const p = setup((_w, sc) => (sc.startsWith('systemctl') ? { stdout: 'active\n' } : {}));
  const guardedDeps = { ...p.deps, findProcedure: (id: string) => (id === 'toy-restart' ? guarded : undefined) };
  assert.equal(await runCli({ procedure: 'toy-restart', params, yes: true }, guardedDeps, p.io), RUN_EXIT.refused);
  assert.match(
    p.err(),
    /refused before anything changed: the precondition of step check did not hold on m0\.example\.com: etcd is stopped/,
  );
});

test('exit codes of run: 0 ok, 1 failed, 3 gate without --yes — distinct from the usage error 2', () => {
  assert.deepEqual(RUN_EXIT, { ok: 0, failed: 1, usage: 2, gate: 3, refused: 4 });
  assert.equal(new Set(Object.values(RUN_EXIT)).size, 5);
});

test('plan --json: one object with the procedure, parameters (secrets redacted), steps, gates and commands per host', async () => {
  const s = setup();
  const params = { host: 'm1.example.com', password: SECRET };
  assert.equal(await planCli({ procedure: 'toy-restart', params, json: true }, s.deps, s.io), 0);
  assert.ok(!s.out().includes(SECRET));
  const plan = JSON.parse(s.out());
  assert.equal(plan.procedure, 'toy-restart');
  assert.equal(plan.title, 'Toy toy-restart');
  assert.deepEqual(plan.params, { host: 'm1.example.com', password: '«redacted»' });
  assert.equal(plan.refused, null);
  assert.deepEqual(
    plan.steps.map((x: { id: string; destructive: boolean }) => [x.id, x.destructive]),
    [
      ['check', false],
      ['wipe', true],
    ],
  );
  const wipe = plan.steps[1];
  assert.deepEqual(wipe.hosts, ['m0.example.com', 'm1.example.com']);
  assert.deepEqual(wipe.gate, {
    kind: 'type-host',
    text: 'moves /var/lib/etcd aside on the etcd hosts',
    protectedBy: '/backup/etcd-20261125 on m0',
  });
  assert.deepEqual(wipe.commands[0], { host: 'm0.example.com', command: 'mv /var/lib/etcd /var/lib/etcd.old-<id>' });
  assert.deepEqual(plan.steps[0].commands, [{ host: 'm1.example.com', command: 'etcdctl member list --password=«redacted»' }]);
  assert.equal(s.runners.length, 0);
});

test('main: plan --json on the DEMO is valid JSON naming etcd-backup', async () => {
  const out: string[] = [];
  const code = await main(['plan', 'etcd-backup', '--json', '--demo'], {
    stdout: (t) => void out.push(t),
    stderr: () => {},
    env: {},
    isTTY: false,
  });
  assert.equal(code, 0);
  const plan = JSON.parse(out.join(''));
  assert.equal(plan.procedure, 'etcd-backup');
  assert.ok(plan.steps.length > 0 && plan.steps.every((x: { commands: unknown[] }) => Array.isArray(x.commands)));
});

test('main: run on the DEMO refused by the procedure (docker-storage-expand on a master) exits 4, before any step ran', async () => {
  const stateDir = tempStateDir();
  const err: string[] = [];
  const argv = ['--state-dir', stateDir, 'run', 'docker-storage-expand', '--demo'];
  const params = ['node=master-0.demo.example.com', 'device=/dev/vdc', 'variant=new-disk'].flatMap((p) => ['--param', p]);
  const code = await main([...argv, ...params], { stdout: () => {}, stderr: (t) => void err.push(t), env: {}, isTTY: false });
  assert.equal(code, RUN_EXIT.refused, err.join(''));
  assert.match(err.join(''), /refused before anything changed: master-0\.demo\.example\.com is a master/);
});

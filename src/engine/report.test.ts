// `day2-tui report`: the record of a run for the incident ticket, from its journal and audit lines.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { test } from 'node:test';
import { FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { auditPath } from './audit.js';
import { readJournal } from './journal.js';
import { buildReport, readRunAudit, reportMarkdown } from './report.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, HOST_AND_PASSWORD, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { Procedure, Step } from './types.js';

const M0 = 'm0.example.com';
const SECRET = 's3cr3t-Pa55';

const steps: Step[] = [
  { id: 'look', title: 'Look at the member', where: { on: 'param', param: 'host' }, commands: () => [sh`etcdctl member list`] },
  {
    id: 'wipe',
    title: 'Move the data aside',
    where: { on: 'param', param: 'host' },
    destructive: true,
    gate: { kind: 'type-host', what: () => 'the data dir is moved aside' },
    commands: (ctx) => [sh`mv /var/lib/etcd /var/lib/etcd.old && login -p ${ctx.params['password']!}`],
  },
];
const procedure: Procedure = {
  ...toyProcedure('toy-report', steps, HOST_AND_PASSWORD),
  panel: {
    title: 'toy cluster',
    where: (ctx) => ctx.inventory.hosts.filter((h) => h.name === M0),
    command: () => sh`toy-members`,
    parse: (out) => ({ summary: { text: out.stdout.trim(), tone: 'ok' }, rows: [{ label: 'm0', text: 'healthy' }] }),
  },
};

async function reportedRun() {
  let members = 3;
  const runner = FakeRunner.answering((_w, s) => {
    if (s === 'toy-members') return { stdout: `${members} members\n` };
    if (s.startsWith('mv ')) members = 1;
    return { stdout: s.startsWith('etcdctl') ? `8e9e05c52164694d, started, m0, https://10.0.0.1:2380\n` : '' };
  });
  const stateDir = tempStateDir();
  const run = startProcedureRun({
    procedure,
    params: { host: M0, password: SECRET },
    inventory: toyInventory(),
    runner,
    operator: new CannedOperator(),
    stateDir,
    gateApprovedBy: 'operator',
  });
  const result = await run.result();
  return { stateDir, runId: result.snapshot.runId };
}

test('the report has who ran what and where, every command with its exit and output, the gate and the name typed', async () => {
  const { stateDir, runId } = await reportedRun();
  appendFileSync(auditPath(stateDir), 'not json\n'); // someone else's line: left out
  const r = buildReport(readJournal(stateDir, runId), readRunAudit(stateDir, runId));
  assert.equal(r.status, 'ok');
  assert.equal(r.procedure, 'toy-report');
  assert.deepEqual(r.hosts, [M0]);
  assert.deepEqual(r.params, { host: M0, password: '(secret: not recorded)' });
  assert.deepEqual(
    r.steps.map((s) => [s.id, s.status, s.commands.map((c) => [c.host, c.exitCode])]),
    [
      ['look', 'ok', [[M0, 0]]],
      ['wipe', 'ok', [[M0, 0]]],
    ],
  );
  assert.match(r.steps[0]!.commands[0]!.outputTail, /8e9e05c52164694d, started/);
  assert.deepEqual(
    r.steps[1]!.notes.map((n) => n.text),
    ['asked: the data dir is moved aside', `approved by operator (typed ${M0})`],
  );
  assert.match(r.panelBefore!, /^at the start \(from m0\.example\.com\): 3 members\nm0 {2}healthy$/);
  assert.match(r.panelAfter!, /: 1 members/);

  const md = reportMarkdown(r);
  assert.match(md, /^# toy-report run /);
  assert.match(md, /\| Operator \| \S+ on \S+ \|/);
  assert.match(md, /\$ etcdctl member list/);
  assert.match(md, /\$ mv \/var\/lib\/etcd \/var\/lib\/etcd\.old/);
  assert.match(md, /approved by operator \(typed m0\.example\.com\)/);
  assert.match(md, /## The cluster at the start[\s\S]*3 members[\s\S]*## Steps[\s\S]*## The cluster at the end[\s\S]*1 members/);
  assert.match(md, /DESTRUCTIVE/);
  assert.doesNotMatch(md, new RegExp(SECRET), 'the secret parameter reaches neither the commands nor the table');
  assert.doesNotMatch(JSON.stringify(r), new RegExp(SECRET));
});

test('a command printing backticks cannot close its block early', async () => {
  const { stateDir, runId } = await reportedRun();
  const r = buildReport(readJournal(stateDir, runId), readRunAudit(stateDir, runId));
  r.steps[0]!.commands[0]!.outputTail = 'a ``` b ```` c';
  const md = reportMarkdown(r);
  assert.match(md, /`{5}text\na ``` b ```` c\n`{5}/);
});

// `day2-tui run` after a run that did not finish: where the cluster stands, the latest panel and the next
// safe action are printed after the summary; journal lines of a step's follow are marked apart.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempStateDir, toyInventory, toyProcedure } from '../engine/test-helpers.js';
import type { Procedure } from '../engine/types.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { argv, sh } from '../transport/shell.js';
import { formatWhereItStands, type ProcedureDeps, type ProcedureIO, runCli } from './procedure.js';

const toy: Procedure = {
  ...toyProcedure(
    'toy-standing',
    [
      {
        id: 'start',
        title: 'Start etcd',
        where: { on: 'param', param: 'host' },
        follow: () => argv('journalctl', '-f', '-n', '0', '-u', 'etcd.service'),
        commands: () => [sh`systemctl start etcd`],
      },
      {
        id: 'move',
        title: 'Move the data aside',
        where: { on: 'param', param: 'host' },
        destructive: true,
        commands: () => [sh`mv /var/lib/etcd /var/lib/etcd.old`],
      },
    ],
    [{ name: 'host', description: 'the member', required: true, choices: { fromRole: 'etcd' } }],
  ),
  panel: {
    title: 'etcd cluster',
    where: (ctx) => ctx.inventory.hosts.filter((h) => h.roles.includes('etcd')),
    command: () => sh`members`,
    parse: () => ({
      summary: { text: '1 member · 1 healthy · quorum 1 · tolerates 0 failures', tone: 'ok' },
      rows: [{ label: 'm0.example.com', text: '✓ healthy  ★ leader' }],
    }),
  },
  whereItStands: (ctx) => ({
    state: [`the move failed on ${ctx.params.host}`],
    next: `\`day2-tui resume ${ctx.runId}\` goes on`,
    cautions: ['the backup is untouched'],
  }),
};

function setup() {
  const out: string[] = [];
  const err: string[] = [];
  const deps: ProcedureDeps = {
    inventory: toyInventory,
    createRunner: async () =>
      FakeRunner.answering((_w, s) =>
        s.startsWith('journalctl')
          ? { stdout: 'etcd[7]: ready to serve client requests\n' }
          : s.startsWith('mv ')
            ? { exitCode: 1, stderr: 'mv: busy' }
            : {},
      ),
    stateDir: tempStateDir(),
    findProcedure: (id) => (id === 'toy-standing' ? toy : undefined),
    builtIds: () => ['toy-standing'],
    operatorName: 'tester',
  };
  const io: ProcedureIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {} };
  return { deps, io, out: () => out.join(''), err: () => err.join('') };
}

test('a failed run prints where the cluster stands, the latest panel and the next safe action', async () => {
  const s = setup();
  const code = await runCli({ procedure: 'toy-standing', params: { host: 'm0.example.com' }, yes: true }, s.deps, s.io);
  assert.equal(code, 1);
  const out = s.out();
  assert.match(out, /\[journal m0\.example\.com\] etcd\[7\]: ready to serve client requests/);
  assert.match(out, /\[etcd cluster\] 1 member · 1 healthy/);
  const tail = out.slice(out.indexOf('Summary of run'));
  assert.match(tail, /Where the cluster stands now:\n {2}- the move failed on m0\.example\.com\n/);
  assert.match(
    tail,
    new RegExp(
      String.raw`etcd cluster \(\d\d:\d\d:\d\d, after the failure of step 2\/2, from m0\.example\.com\): 1 ` +
        String.raw`member · 1 healthy · quorum 1 · tolerates 0 failures\n` +
        String.raw` {2}m0\.example\.com {2}✓ healthy {2}★ leader\n`,
    ),
  );
  assert.match(tail, /Next: `day2-tui resume \S+` goes on\n {2}! the backup is untouched\n/);
});

test('formatWhereItStands: nothing without a summary or a panel', () => {
  assert.equal(formatWhereItStands({}), '');
  assert.equal(formatWhereItStands({ whereItStands: { state: ['a'], next: 'b' } }), '\nWhere the cluster stands now:\n  - a\nNext: b\n');
});

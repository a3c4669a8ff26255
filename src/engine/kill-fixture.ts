// Fixture for kill.test.ts (not a test): a toy procedure run on the bastion by a real day2-tui-like
// process, so that the test can kill -9 it in the middle of a step and resume the run.
//   node --import tsx src/engine/kill-fixture.ts <stateDir> <workDir>

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunner } from '../transport/local.js';
import { sh } from '../transport/shell.js';
import { startProcedureRun } from './run.js';
import { toyInventory, toyProcedure } from './test-helpers.js';
import type { Procedure } from './types.js';

/** Three steps writing a, b, c in workDir; the second one (destructive) sleeps as long as workDir/sleep says. */
export function killProcedure(workDir: string): Procedure {
  const f = (name: string) => `${workDir}/${name}`;
  return toyProcedure(
    'toy-kill',
    [
      {
        id: 'one',
        title: 'Write a',
        where: { on: 'bastion' },
        commands: () => [sh`echo one > ${f('a')}`],
        verify: {
          describe: 'a is written',
          command: () => sh`cat ${f('a')}`,
          ok: (o) => (o.stdout.trim() === 'one' ? true : 'a is not one'),
        },
      },
      {
        id: 'two',
        title: 'Write b after a pause',
        where: { on: 'bastion' },
        destructive: true,
        gate: { kind: 'confirm', what: () => 'writes b' },
        commands: () => [
          sh`echo started >> ${f('started')}`,
          sh`sleep "$(cat ${f('sleep')})" & echo $! > ${f('sleep.pid')}; wait`,
          sh`echo two > ${f('b')}`,
        ],
        verify: {
          describe: 'b is written',
          command: () => sh`cat ${f('b')}`,
          ok: (o) => (o.stdout.trim() === 'two' ? true : 'b is not two'),
        },
      },
      { id: 'three', title: 'Write c', where: { on: 'bastion' }, commands: () => [sh`echo three > ${f('c')}`] },
    ],
    [{ name: 'password', description: 'a secret', required: true, secret: true }],
  );
}

function isEntryPoint(): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  const [stateDir, workDir] = process.argv.slice(2) as [string, string];
  const run = startProcedureRun({
    procedure: killProcedure(workDir),
    params: { password: 'kill-test-secret' },
    inventory: toyInventory(),
    runner: new LocalRunner(),
    operator: { gate: async () => true, failure: async () => 'abort' },
    gateApprovedBy: '--yes',
    stateDir,
  });
  process.stdout.write(`${run.runId}\n`);
  const r = await run.result();
  process.exitCode = r.status === 'ok' ? 0 : 1;
}

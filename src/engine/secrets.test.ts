// No secret reaches a written file (journal, audit.log) or the screen (the run's snapshot: its log lines,
// failure, gate, where it stands), whatever the secret: a property over generated secrets (fast-check),
// for a small procedure run through the engine by a runner that echoes each command (as `set -x` would)
// and prints the secrets in the forms programs print them. FC_RUNS=1000 runs the property longer.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { readJournal, SECRET_MARKER } from './journal.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, filesUnder, HOST_AND_PASSWORD, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { Step } from './types.js';

const PARAMS = HOST_AND_PASSWORD;

/** Logs in, reads a token, uses both (alone and inside larger words), and fails a check that shows them. */
function steps(): Step[] {
  return [
    {
      id: 'login',
      title: 'Log in',
      where: { on: 'bastion' },
      commands: (ctx) => [sh`oc login https://api:8443 -u admin -p ${ctx.params.password!}`, sh`oc whoami -t`],
      capture: { token: (outs) => outs.at(-1)!.stdout.trim() },
    },
    {
      id: 'use',
      title: 'Use them',
      where: { on: 'param', param: 'host' },
      gate: { kind: 'confirm', what: (ctx) => `pushes with ${ctx.captured.get('token')} and ${ctx.params.password!}` },
      commands: (ctx) => [
        sh`curl -u ${`admin:${ctx.params.password!}`} -H ${`Authorization: Bearer ${ctx.captured.get('token')}`} https://registry`,
        sh`printf %s ${`--password=${ctx.params.password!}!`} ${`x'${ctx.captured.get('token')}`}`,
        sh`podman login -u admin --password-stdin registry <<< ${ctx.params.password!}`,
      ],
      verify: { describe: 'the login works', command: () => sh`podman login --get-login registry`, ok: (o) => `refused: ${o.stdout}` },
    },
  ];
}

/** Every command echoed, then the secrets as programs print them (bare, JSON, URL, YAML, headers). */
function echoing(password: string, token: string): (where: string, script: string) => Answer {
  return (_where, script) => {
    if (script === 'oc whoami -t') return { stdout: `${token}\n` };
    const said = [
      `+ ${script}`,
      password,
      `password=${password}`,
      `{"password":${JSON.stringify(password)}}`,
      `https://admin:${password}@registry`,
    ];
    return { stdout: `${said.join('\n')}\n`, stderr: `Authorization: Bearer ${token}\ntoken: ${token}\n${password}\n` };
  };
}

/** What one run writes and shows: every file of the state dir, the events, the snapshot and the result. */
async function runWith(password: string, token: string): Promise<{ text: string; stateDir: string; runId: string }> {
  const stateDir = tempStateDir();
  const run = startProcedureRun({
    procedure: toyProcedure('toy-secrets', steps(), PARAMS),
    params: { host: 'm0.example.com', password },
    inventory: toyInventory(),
    runner: FakeRunner.answering(echoing(password, token)),
    operator: new CannedOperator([true], ['abort']),
    stateDir,
    operatorName: 'tester',
  });
  const events: unknown[] = [];
  run.onEvent((e) => events.push(e));
  const result = await run.result();
  assert.equal(result.status, 'failed');
  const written = filesUnder(stateDir).map((f) => readFileSync(f, 'utf8'));
  return {
    text: [...written, JSON.stringify(events), JSON.stringify(run.getSnapshot()), JSON.stringify(result)].join('\n'),
    stateDir,
    runId: run.runId,
  };
}

/** A secret as it would read in that text: as is, or escaped in JSON. */
const leaks = (text: string, secret: string) => text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1));

const CHARS = 'abcXYZ019 _-.:/@=+%\'"$`\\;&|<>(){}[]*?!#~^,';
const word = fc.string({ unit: fc.constantFrom(...CHARS.split('')), minLength: 3, maxLength: 12 });
const secret = fc
  .oneof(
    word,
    fc.array(word, { minLength: 2, maxLength: 4 }).map((w) => w.join(' ')),
  )
  .map((s) => s.trim())
  .filter((s) => s.length >= 8 && /[A-Za-z]/.test(s));
const token = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{24,43}$/), fc.stringMatching(/^sha256~[A-Za-z0-9_-]{20,43}$/));

test('no generated secret (password or token) reaches the journal, the audit log or the screen', async () => {
  // What every run shows whatever the secrets (names, times, markers): a secret found there proves nothing.
  const scaffold = (await runWith('Qj7#Qj7#Qj7', 'Tk0Tk0Tk0Tk0Tk0Tk0Tk0Tk0Tk0')).text;
  await fc.assert(
    fc.asyncProperty(secret, token, async (password, tok) => {
      fc.pre(!leaks(scaffold, password) && !leaks(scaffold, tok) && !password.includes(tok) && !tok.includes(password));
      const { text } = await runWith(password, tok);
      assert.ok(!leaks(text, password), `the password ${JSON.stringify(password)} leaked`);
      assert.ok(!leaks(text, tok), `the token ${JSON.stringify(tok)} leaked`);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 60) },
  );
});

test('a captured secret is kept out of the journal, and a later use of it after a restart says why it is not known', async () => {
  const { stateDir, runId } = await runWith('Qj7#Qj7#Qj7', 'Tk0Tk0Tk0Tk0Tk0Tk0Tk0Tk0Tk0');
  const journal = readJournal(stateDir, runId);
  assert.deepEqual(
    journal.captures.map((c) => [c.name, c.value]),
    [['token', SECRET_MARKER]],
  );
  assert.equal(journal.params.password, SECRET_MARKER);
  const resumed = startProcedureRun({
    procedure: toyProcedure('toy-secrets', steps(), PARAMS),
    params: { password: 'Qj7#Qj7#Qj7' },
    inventory: toyInventory(),
    runner: FakeRunner.answering(),
    operator: new CannedOperator([true], ['abort']),
    stateDir,
    resume: journal,
  });
  const r = await resumed.result();
  assert.equal(r.status, 'failed');
  assert.match(r.failure!.tail, /'token' is a secret captured by step login; the journal does not keep it/);
});

// 6.5 prune: each kind is dry-run before anything is removed, the real runs come after one gate with the
// same options plus --confirm, and the image steps need a token login and the registry route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runToEnd } from '../src/engine/test-helpers.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { findProcedure } from './index.js';
import { pruneCommand, pruneResources } from './prune.js';

const login = (runner: FakeRunner, token: boolean, route: string) => {
  runner.expect('oc whoami').answers({ stdout: token ? 'admin\n' : 'system:admin\n' });
  runner.expect('oc whoami -t > /dev/null').answers(token ? {} : { exitCode: 1, stderr: 'error: no token is currently in use' });
  runner
    .expect(/^oc get route docker-registry -n default/)
    .answers(route ? { stdout: route } : { exitCode: 1, stderr: 'Error from server (NotFound): routes "docker-registry" not found' });
};

test('prune is registered and its entry says it dry-runs first', () => {
  assert.equal(findProcedure('prune'), pruneResources);
  assert.match(pruneResources.entry.summary, /dry run/);
  assert.equal(pruneResources.steps.find((s) => s.id === 'prune-builds')?.gate?.kind, 'confirm');
});

test('every kind is dry-run first, then the same commands with --confirm, in order', async () => {
  const runner = new FakeRunner();
  login(runner, true, 'registry.apps.example.com');
  for (const confirm of [false, true])
    for (const kind of ['builds', 'deployments', 'images'] as const)
      runner.expect(
        pruneCommand(kind, { 'keep-complete': '2' }, confirm, kind === 'images' ? 'https://registry.apps.example.com' : undefined).script,
      );
  assert.equal(await runToEnd(pruneResources, runner, { 'keep-complete': '2' }), 'ok');
  runner.assertDone();
  assert.deepEqual(
    runner.commands.filter((c) => c.script.startsWith('oc adm prune')).map((c) => c.script.includes('--confirm')),
    [false, false, false, true, true, true],
  );
});

test("the guide's options with oc's defaults; images keep tag revisions and name the registry", () => {
  assert.equal(
    pruneCommand('builds', {}, false).script,
    'oc adm prune builds --orphans --keep-complete=5 --keep-failed=1 --keep-younger-than=60m',
  );
  assert.equal(
    pruneCommand('images', { 'keep-tag-revisions': '2' }, true, 'https://r.example.com').script,
    'oc adm prune images --keep-tag-revisions=2 --keep-younger-than=60m --registry-url=https://r.example.com --confirm',
  );
});

for (const [why, token, route] of [
  ['without a token (system:admin)', false, 'registry.apps.example.com'],
  ['without the registry route', true, ''],
] as const)
  test(`${why} the image steps are skipped, and builds and deployments still pruned`, async () => {
    const runner = new FakeRunner();
    login(runner, token, route);
    runner.allow(/^oc adm prune (builds|deployments) /).answers({});
    assert.equal(await runToEnd(pruneResources, runner), 'ok');
    assert.equal(runner.commands.filter((c) => c.script.startsWith('oc adm prune images')).length, 0);
    assert.equal(runner.commands.filter((c) => c.script.includes('--confirm')).length, 2);
  });

test('a keep-* value that is not a count or a duration is refused, naming it', () => {
  const p = (name: string) => pruneResources.parameters.find((x) => x.name === name)!;
  assert.match(p('keep-complete').validate?.('five', {} as never) ?? '', /keep-complete "five" is not a count/);
  assert.match(p('keep-younger-than').validate?.('1 day', {} as never) ?? '', /keep-younger-than "1 day" is not a duration/);
  assert.equal(p('keep-younger-than').validate?.('1h30m', {} as never), undefined);
});

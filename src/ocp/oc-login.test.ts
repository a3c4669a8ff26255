import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoInventory } from '../demo/inventory.js';
import { DemoRunner } from '../demo/runner.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { canICommand, OC_READS, readOcLogin } from './oc-login.js';

test('the reads are asked with oc auth can-i, quoted, in their namespace', () => {
  assert.equal(canICommand('oc', OC_READS[0]!).script, 'oc auth can-i list nodes');
  assert.equal(canICommand('/opt/my oc', OC_READS[1]!).script, "'/opt/my oc' auth can-i list pods -n default");
});

test('whoami and the server first; can-i only once whoami answered', async () => {
  const fake = new FakeRunner();
  fake.allow(/^oc whoami$/).answers({ exitCode: 1, stderr: 'error: You must be logged in to the server (Unauthorized)' });
  fake.allow(/^oc whoami --show-server$/).answers({ stdout: 'https://m:8443\n' });
  const f = await readOcLogin({ runner: fake });
  assert.equal(f.whoami?.exitCode, 1);
  assert.deepEqual(f.canI, []);
  fake.assertDone();
});

test('each read gets its answer; a runner that throws is an output with its message', async () => {
  const fake = new FakeRunner();
  fake.allow(/^oc whoami$/).answers({ stdout: 'dev\n' });
  fake.allow(/^oc whoami --show-server$/).answers({ stdout: 'https://m:8443\n' });
  fake.allow(/^oc auth can-i list nodes$/).answers({ exitCode: 1, stdout: 'no\n' });
  fake.allow(/^oc auth can-i /).answers({ stdout: 'yes\n' });
  const f = await readOcLogin({ runner: fake });
  assert.equal(f.canI.length, OC_READS.length);
  assert.deepEqual(
    f.canI.filter((c) => c.out.stdout.trim() === 'no').map((c) => c.read.resource),
    ['nodes'],
  );
});

test('oc unavailable: nothing runs', async () => {
  const fake = new FakeRunner();
  const f = await readOcLogin({ runner: fake, ocUnavailable: 'oc not found: install it' });
  assert.equal(f.unavailable, 'oc not found: install it');
  fake.assertDone();
});

test('the DEMO answers whoami, --show-server and auth can-i as real oc', async () => {
  const runner = new DemoRunner({ inventory: demoInventory('healthy') });
  const f = await readOcLogin({ runner });
  assert.equal(f.whoami?.stdout.trim(), 'system:admin');
  assert.equal(f.server?.stdout.trim(), 'https://console-int.demo.example.com:8443');
  assert.ok(f.canI.every((c) => c.out.stdout.trim() === 'yes' && c.out.exitCode === 0));
  const down = await readOcLogin({ runner: new DemoRunner({ inventory: demoInventory('etcd-quorum-lost') }) });
  assert.match(down.whoami?.stderr ?? '', /refused/);
});

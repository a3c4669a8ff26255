import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../transport/shell.js';
import { type Target, TransportError } from '../transport/types.js';
import { groupsByRole, testHost, testInventory, toyInventory } from './builders.js';
import { FakeRunner } from './fake-runner.js';

const M0 = testHost('m0.example.com', ['master', 'etcd', 'node']);
const M1 = testHost('m1.example.com', ['master', 'etcd', 'node']);
const on = (h = M0): Target => ({ kind: 'host', host: h });
const BASTION: Target = { kind: 'bastion' };

test('expected commands answer in order; assertDone passes once all ran', async () => {
  const fake = new FakeRunner();
  fake.expect('m0.example.com', /^systemctl stop/).answers({ stdout: 'stopped\n' });
  fake.expect('oc get nodes').answers({ stdout: 'n0 Ready\n', stderr: 'warn\n', exitCode: 3 });
  assert.throws(() => fake.assertDone(), /expected commands never ran:\n {2}m0\.example\.com: \/\^systemctl stop\/\n {2}oc get nodes/);
  const lines: string[] = [];
  const r1 = await fake.run(on(), sh`systemctl stop etcd`, { onStdout: (l) => lines.push(l) });
  assert.equal(r1.stdout, 'stopped\n');
  assert.equal(r1.exitCode, 0);
  const r2 = await fake.run(BASTION, sh`oc get nodes`, { onStderr: (l) => lines.push(`err ${l}`) });
  assert.deepEqual([r2.exitCode, r2.stdout, r2.stderr, r2.cancelled, r2.timedOut], [3, 'n0 Ready\n', 'warn\n', false, false]);
  assert.deepEqual(lines, ['stopped', 'err warn']);
  assert.deepEqual(fake.scripts, ['m0.example.com: systemctl stop etcd', 'bastion: oc get nodes']);
  fake.assertDone();
});

test('an unexpected command rejects, names the command and what is left, and fails assertDone even when swallowed', async () => {
  const fake = new FakeRunner();
  fake.expect('m0.example.com', 'true');
  fake.allow(/^etcdctl/).answers({ stdout: 'healthy' });
  await assert.rejects(
    fake.run(on(), sh`rm -rf /var/lib/etcd`),
    new RegExp(
      String.raw`unexpected command on m0\.example\.com: rm -rf \/var\/lib\/etcd\n` +
        String.raw` {2}next expected: m0\.example\.com: true\n {2}expected, left: m0\.example\.com: true\n` +
        String.raw` {2}allowed: \/\^etcdctl\/`,
    ),
  );
  await fake.run(on(), sh`true`);
  assert.throws(() => fake.assertDone(), /unexpected command on m0\.example\.com: rm -rf/);
  assert.equal(fake.commands[0]!.error instanceof Error, true);
});

test('out of order is unexpected; expectations on different hosts are ordered per host', async () => {
  const fake = new FakeRunner();
  fake.expect('a').answers({ stdout: 'A' });
  fake.expect('b');
  await assert.rejects(fake.run(on(), sh`b`), /unexpected command on m0\.example\.com: b\n {2}next expected: a/);

  const per = new FakeRunner();
  per.expect(M0.name, 'one');
  per.expect(M0.name, 'two');
  per.expect(M1.name, 'one');
  await per.run(on(M1), sh`one`);
  await per.run(on(M0), sh`one`);
  await per.run(on(M0), sh`two`);
  per.assertDone();
});

test('allow: any number of times, any order, also none; an answer may depend on the command', async () => {
  const fake = new FakeRunner();
  fake.allow((s) => s.startsWith('probe ')).answers((where, script) => ({ stdout: `${where} ${script.slice(6)}` }));
  assert.equal((await fake.run(on(M1), sh`probe x`)).stdout, 'm1.example.com x');
  assert.equal((await fake.run(BASTION, sh`probe y`)).stdout, 'bastion y');
  fake.assertDone();
  new FakeRunner().allow('never').answers({}).assertDone();
  const any = FakeRunner.answering((_w, s) => (s === 'bad' ? { exitCode: 1 } : {}));
  assert.equal((await any.run(on(), sh`bad`)).exitCode, 1);
  assert.equal((await any.run(on(), sh`good`)).exitCode, 0);
});

test('throws, delays, hangs until aborted or timed out, hangs ignoring the abort', async () => {
  const fake = FakeRunner.answering((_w, s) =>
    s === 'refused'
      ? { throws: new TransportError('m0', 'unreachable', 'refused') }
      : s === 'slow'
        ? { delayMs: 30, stdout: 'late\n' }
        : s === 'hang'
          ? { hang: true, whenAborted: { signal: 'SIGTERM' } }
          : { hang: 'ignoring-abort' },
  );
  await assert.rejects(fake.run(on(), sh`refused`), TransportError);
  const t0 = Date.now();
  assert.equal((await fake.run(on(), sh`slow`)).stdout, 'late\n');
  assert.ok(Date.now() - t0 >= 25);
  const ac = new AbortController();
  const hung = fake.run(on(), sh`hang`, { signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  const r = await hung;
  assert.deepEqual([r.exitCode, r.cancelled, r.timedOut, r.signal], [null, true, false, 'SIGTERM']);
  const timed = await fake.run(on(), sh`hang`, { timeoutMs: 10 });
  assert.deepEqual([timed.cancelled, timed.timedOut], [false, true]);
  const aborted = new AbortController();
  aborted.abort();
  assert.equal((await fake.run(on(), sh`slow`, { signal: aborted.signal })).cancelled, true);
  let settled = false;
  void fake.run(on(), sh`forever`, { signal: aborted.signal, timeoutMs: 1 }).finally(() => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false);
  assert.equal(fake.inFlight, 1);
  assert.equal(fake.maxInFlight, 1);
});

test('until: the answer waits for a promise the test settles', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const fake = new FakeRunner();
  fake.expect('read').answers({ stdout: 'x', until: held });
  let answered = false;
  const p = fake.run(on(), sh`read`).then((r) => {
    answered = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(answered, false);
  release();
  assert.equal((await p).stdout, 'x');
  fake.assertDone();
});

test('lines are streamed one per turn before the answer, and kept in the result', async () => {
  const fake = FakeRunner.answering({
    lines: [
      ['out', 'a'],
      ['err', 'e'],
      ['out', 'b'],
    ],
    hang: true,
  });
  const seen: string[] = [];
  const ac = new AbortController();
  const p = fake.run(on(), sh`drain`, {
    signal: ac.signal,
    onStdout: (l) => {
      seen.push(l);
      if (l === 'b') ac.abort();
    },
    onStderr: (l) => seen.push(`!${l}`),
  });
  const r = await p;
  assert.deepEqual(seen, ['a', '!e', 'b']);
  assert.deepEqual([r.stdout, r.stderr, r.cancelled], ['a\nb\n', 'e\n', true]);
});

test('probes: ok by default, answered by a function, or held until answered or failed', async () => {
  const fake = new FakeRunner();
  assert.deepEqual(await fake.probe(M0), { state: 'ok' });
  fake.answerProbes((h) => ({ state: h === M1 ? 'unreachable' : 'ok' }));
  assert.equal((await fake.probe(M1)).state, 'unreachable');
  fake.holdProbes();
  const p0 = fake.probe(M0);
  const p1 = fake.probe(M1);
  assert.deepEqual(fake.waitingProbes(), [M0.name, M1.name]);
  fake.answerProbe(M1.name, { state: 'auth-failed' });
  fake.failProbe(M0.name, new Error('boom'));
  assert.equal((await p1).state, 'auth-failed');
  await assert.rejects(p0, /boom/);
  assert.throws(() => fake.answerProbe(M0.name, { state: 'ok' }), /no probe of m0\.example\.com is waiting/);
  assert.deepEqual(fake.probes, [M0.name, M1.name, M0.name, M1.name]);
  await fake.close();
  assert.equal(fake.closed, true);
});

test('transfers and batches only when asked; transfers are matched and recorded as sftp commands', async () => {
  const plain = new FakeRunner();
  assert.equal(plain.download, undefined);
  assert.equal(plain.upload, undefined);
  assert.equal(plain.runBatch, undefined);
  const fake = new FakeRunner({ transfers: true, batches: true });
  fake.expect(M0.name, /^sftp get/).answers({ bytes: 7 });
  fake.expect(M0.name, /^sftp put/).answers({ throws: new Error('Permission denied') });
  fake.allow(/^echo/).answers((_w, s) => ({ stdout: `${s.slice(5)}\n` }));
  assert.deepEqual(await fake.download!(M0, '/r', '/l'), { bytes: 7 });
  await assert.rejects(fake.upload!(M0, '/l', '/r'), /Permission denied/);
  const results = await Promise.all(fake.runBatch!(on(M1), [{ command: sh`echo 1` }, { command: sh`echo 2` }]));
  assert.deepEqual(
    results.map((r) => r.stdout),
    ['1\n', '2\n'],
  );
  assert.deepEqual(fake.batches, [{ where: M1.name, scripts: ['echo 1', 'echo 2'] }]);
  assert.deepEqual(fake.scripts, [
    'm0.example.com: sftp get m0.example.com:/r → /l',
    'm0.example.com: sftp put /l → m0.example.com:/r',
    'm1.example.com: echo 1',
    'm1.example.com: echo 2',
  ]);
  fake.assertDone();
});

test('builders: testHost, testInventory, toyInventory', () => {
  const h = testHost('n0', ['node'], { vars: { ansible_host: '10.0.0.9' } });
  assert.deepEqual(h, {
    name: 'n0',
    address: '10.0.0.9',
    port: 22,
    become: false,
    roles: ['node'],
    groups: ['node'],
    vars: { ansible_host: '10.0.0.9' },
    file: 'test',
    line: 1,
  });
  assert.equal(testHost('n1', ['node'], { address: '10.1.1.1', become: true }).address, '10.1.1.1');
  const inv = testInventory([M0, h]);
  assert.deepEqual(inv.groups, { master: [M0.name], etcd: [M0.name], node: [M0.name, 'n0'] });
  assert.deepEqual(groupsByRole([]), {});
  assert.deepEqual(testInventory([], { source: { kind: 'demo' }, groups: {} }).source, { kind: 'demo' });
  assert.deepEqual(
    toyInventory().hosts.map((x) => x.name),
    ['m0.example.com', 'm1.example.com', 'n0.example.com'],
  );
});

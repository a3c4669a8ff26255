import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ALL_CHECKS } from '../checks/index.js';
import { demoInventory } from '../demo/inventory.js';
import { VERSION } from './args.js';
import { type CheckJson, findExecutable } from './check.js';
import { main } from './main.js';

async function call(argv: string[], env: Record<string, string | undefined> = {}, isTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { HOME: tmpdir(), PATH: process.env.PATH, ...env },
    isTTY,
  });
  return { code, stdout, stderr };
}

const STATUSES = new Set(['ok', 'warn', 'fail', 'error', 'skipped']);

test('check --json --demo=showcase: one JSON object, summary matches the results, exit 2 (the showcase has a down node)', async () => {
  const r = await call(['check', '--json', '--demo=showcase']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one line of JSON');
  const out = JSON.parse(r.stdout) as CheckJson;
  assert.deepEqual(Object.keys(out.summary).slice(0, 4), ['ok', 'warn', 'fail', 'error']);
  for (const k of ['ok', 'warn', 'fail', 'error'] as const) {
    assert.equal(out.summary[k], out.results.filter((x) => x.status === k).length, k);
  }
  assert.equal(out.inventory, 'DEMO');
  assert.equal(out.version, VERSION);
  assert.match(out.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(out.timestamp) - Date.now()) < 60_000, out.timestamp);

  const inv = demoInventory('showcase');
  const checkOrder = ALL_CHECKS.map((c) => c.id);
  const hostOrder = inv.hosts.map((h) => h.name);
  let last: [number, number] = [-1, -2];
  for (const x of out.results) {
    assert.equal(typeof x.check, 'string');
    assert.ok(x.host === null || hostOrder.includes(x.host), String(x.host));
    assert.ok(STATUSES.has(x.status), x.status);
    assert.equal(typeof x.message, 'string');
    assert.ok(x.message.length > 0);
    assert.equal(typeof x.details, 'object');
    if ('fix' in x) assert.equal(typeof x.fix?.text, 'string');
    const pos: [number, number] = [checkOrder.indexOf(x.check), x.host === null ? -1 : hostOrder.indexOf(x.host)];
    assert.ok(pos[0] > last[0] || (pos[0] === last[0] && pos[1] > last[1]), `order at ${x.check} ${x.host}`);
    last = pos;
    const placement = ALL_CHECKS.find((c) => c.id === x.check)!.placement;
    assert.equal(x.host === null, placement.on === 'bastion', x.check);
  }
  // the demo's down app node and its devicemapper node
  const down = out.results.filter((x) => x.host === 'app-node-2.demo.example.com');
  assert.ok(down.length > 0 && down.every((x) => x.status === 'error' && /No route to host/.test(x.message) && x.fix));
  assert.equal(out.results.find((x) => x.check === 'docker-storage' && x.host === 'app-node-1.demo.example.com')?.status, 'warn');
  assert.equal(out.results.find((x) => x.check === 'nodes-ready')?.status, 'fail');
  assert.equal(r.code, 2);
});

test('check --only etcd-health,etcd-members --demo: the demo etcd is healthy, exit 0', async () => {
  const r = await call(['check', '--json', '--only', 'etcd-health,etcd-members', '--demo']);
  const out = JSON.parse(r.stdout) as CheckJson;
  assert.equal(out.results.length, 6);
  assert.deepEqual([...new Set(out.results.map((x) => x.check))], ['etcd-health', 'etcd-members']);
  assert.ok(
    out.results.every((x) => x.status === 'ok'),
    JSON.stringify(out.results.map((x) => [x.check, x.host, x.status, x.message])),
  );
  assert.deepEqual(out.summary, { ok: 6, warn: 0, fail: 0, error: 0, skipped: 0 });
  assert.equal(r.code, 0);
});

test('check --limit: short names; an unknown host or check id is one line and exit 2', async () => {
  const ok = await call(['check', '--json', '--demo=showcase', '--only', 'docker-storage', '--limit', 'app-node-1']);
  const out = JSON.parse(ok.stdout) as CheckJson;
  assert.deepEqual(
    out.results.map((x) => [x.host, x.status]),
    [['app-node-1.demo.example.com', 'warn']],
  );
  assert.equal(ok.code, 1);

  const badCheck = await call(['check', '--demo', '--only', 'etcd-health,nope']);
  assert.equal(badCheck.code, 2);
  assert.equal(badCheck.stdout, '');
  assert.equal(badCheck.stderr.split('\n').length, 2);
  assert.match(badCheck.stderr, /^day2-tui: unknown check 'nope'/);

  const badHost = await call(['check', '--demo', '--limit', 'nosuchhost']);
  assert.equal(badHost.code, 2);
  assert.equal(badHost.stdout, '');
  assert.equal(badHost.stderr.split('\n').length, 2);
  assert.match(badHost.stderr, /^day2-tui: unknown host 'nosuchhost' in --limit/);
});

test('check (text): grouped by check, symbols and words, fixes under problems, a summary line; no colour off a terminal', async () => {
  const r = await call(['check', '--demo=showcase', '--only', 'docker-storage,nodes-ready,etcd-health']);
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.match(r.stdout, /^DEMO cluster/);
  assert.match(r.stdout, /\n3\.3 nodes-ready — .*\n {2}✗ FAIL +\(cluster\) +NotReady: app-node-2/);
  assert.match(r.stdout, /! WARN +app-node-1\.demo\.example\.com +docker uses devicemapper.*\n +fix: /);
  assert.match(r.stdout, /✓ ok +master-0\.demo\.example\.com/);
  assert.match(r.stdout, /E ERROR +app-node-2\.demo\.example\.com +ssh: connect to host .*No route to host\n +fix: Is app-node-2/);
  assert.match(r.stdout, /\nSummary: ✓ \d+ ok, ! 1 warn, ✗ 1 fail, E 1 error \(\d+ results in [\d.]+ s\)\n$/);
});

test('check on a terminal: progress while it runs, cleared before the table', async () => {
  const r = await call(['check', '--demo', '--no-color', '--only', 'etcd-health'], {}, true);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\r\x1b\[Kchecking… \d+\/3 done/);
  assert.match(r.stdout, /\r\x1b\[KDEMO cluster/);
  assert.doesNotMatch(r.stdout.replace(/\r\x1b\[K/g, ''), /\x1b\[/);
});

test('a real inventory without oc: the oc cells are errors that say so; an unreachable host errors quickly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-check-'));
  try {
    const inv = join(dir, 'hosts');
    // port 1 on loopback: connection refused at once
    writeFileSync(
      inv,
      '[masters]\nm0.example.com ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n' +
        '[etcd]\nm0.example.com\n[nodes]\nm0.example.com\n',
    );
    writeFileSync(join(dir, 'known_hosts'), '');
    const t0 = Date.now();
    const r = await call([
      'check',
      '--json',
      '-i',
      inv,
      '--known-hosts',
      join(dir, 'known_hosts'),
      '--oc',
      join(dir, 'no-oc'),
      '--only',
      'nodes-ready,router-dns,ntp,entropy',
    ]);
    assert.ok(Date.now() - t0 < 15_000);
    const out = JSON.parse(r.stdout) as CheckJson;
    const nodes = out.results.find((x) => x.check === 'nodes-ready')!;
    assert.equal(nodes.status, 'error');
    assert.equal(nodes.message, `${join(dir, 'no-oc')} not found: install the OpenShift client or pass --oc PATH`);
    for (const id of ['ntp', 'entropy']) {
      const x = out.results.find((y) => y.check === id)!;
      assert.equal(x.status, 'error');
      assert.equal(x.host, 'm0.example.com');
    }
    assert.equal(out.inventory, inv);
    assert.equal(r.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findExecutable: a path, or a name on $PATH', () => {
  assert.equal(findExecutable('sh', { PATH: '/nonexistent:/bin:/usr/bin' })?.endsWith('/sh'), true);
  assert.equal(findExecutable('sh', { PATH: '/nonexistent' }), undefined);
  assert.equal(findExecutable('/bin/sh', {}), '/bin/sh');
  assert.equal(findExecutable('/nonexistent/oc', {}), undefined);
});

test('a known_hosts that is a directory is reported as such on the host, not as a check that could not run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-kh-'));
  const inventory = join(dir, 'hosts');
  writeFileSync(inventory, '[masters]\nm0 ansible_host=127.0.0.1 ansible_port=9\n[etcd]\nm0\n[nodes]\nm0\n');
  const r = await call(['check', '--json', '--only', 'ntp', '-i', inventory, '--known-hosts', dir]);
  const cell = (JSON.parse(r.stdout) as CheckJson).results[0]!;
  assert.equal(cell.status, 'error');
  assert.equal(cell.message, `cannot check the host key of m0 (127.0.0.1): known_hosts ${dir} is a directory; not connecting`);
  assert.doesNotMatch(cell.message, /could not run/);
  rmSync(dir, { recursive: true, force: true });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInventory, resolveInventorySource } from './load.js';
import { InventoryError } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'day2-inv-'));
const good = join(dir, 'hosts');
writeFileSync(good, '[masters]\nm1\n[etcd]\nm1\n[nodes]\nm1\n');
const missing = join(dir, 'nope');

test('resolution order: --demo > -i > $DAY2_INVENTORY > default if it exists > demo', () => {
  const env = { DAY2_INVENTORY: good };
  assert.deepEqual(resolveInventorySource({ demo: true, flag: good, env }), { kind: 'demo', reason: 'flag' });
  assert.deepEqual(resolveInventorySource({ flag: good, env: { DAY2_INVENTORY: missing } }), { kind: 'file', path: good, from: 'flag' });
  assert.deepEqual(resolveInventorySource({ env, defaultPath: missing }), { kind: 'file', path: good, from: 'env' });
  assert.deepEqual(resolveInventorySource({ env: {}, defaultPath: good }), { kind: 'file', path: good, from: 'default' });
  assert.deepEqual(resolveInventorySource({ env: { DAY2_INVENTORY: '' }, defaultPath: missing }), { kind: 'demo', reason: 'no-inventory' });
});

test('loadInventory reads and parses the file', () => {
  const inv = loadInventory({ flag: good, env: {} });
  assert.deepEqual(inv.source, { kind: 'file', path: good });
  assert.equal(inv.hosts[0]?.file, good);
  assert.deepEqual(inv.hosts[0]?.roles, ['master', 'etcd', 'node']);
});

test('no inventory anywhere → the demo', () => {
  const inv = loadInventory({ env: {}, defaultPath: missing });
  assert.deepEqual(inv.source, { kind: 'demo' });
});

function rejects(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InventoryError, String(e));
    assert.match(e.message, re);
    return true;
  });
}

test('a named file that is missing is an error, never the demo', () => {
  rejects(() => loadInventory({ flag: missing, env: {} }), new RegExp(`^${missing}: the inventory given with -i does not exist`));
  rejects(
    () => loadInventory({ env: { DAY2_INVENTORY: missing }, defaultPath: missing }),
    /named by \$DAY2_INVENTORY does not exist: fix or unset \$DAY2_INVENTORY/,
  );
});

test('a directory, an unreadable file, a YAML inventory are errors naming the path', () => {
  const d = join(dir, 'inventory.d');
  mkdirSync(d);
  rejects(() => loadInventory({ flag: d, env: {} }), /is a directory.*-i .*inventory\.d\/hosts/);
  const yaml = join(dir, 'hosts.yml');
  writeFileSync(yaml, '---\nall:\n  hosts:\n');
  rejects(() => loadInventory({ flag: yaml, env: {} }), /YAML or JSON inventory/);
});

test('an unreadable inventory is an error saying permission denied (as root: checked as user nobody)', () => {
  const secret = join(dir, 'secret');
  writeFileSync(secret, '[masters]\nm1\n');
  chmodSync(secret, 0o000);
  if (process.getuid?.() !== 0) {
    rejects(() => loadInventory({ env: {}, defaultPath: secret }), /cannot be read \(permission denied\)/);
    return;
  }
  // root reads anything, so ask the same question from an unprivileged process.
  chmodSync(dir, 0o755);
  const probe =
    `import('${new URL('./load.ts', import.meta.url).href}').then(m => { try { ` +
    `m.loadInventory({ env: {}, defaultPath: ${JSON.stringify(secret)} }); ` +
    `console.log('READ'); } catch (e) { console.log(e.message); } })`;
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', probe], {
    encoding: 'utf8',
    cwd: process.cwd(),
  });
  assert.match(r.stdout, /cannot be read \(permission denied\)/, r.stderr);
});

test('parse errors carry the file path and line', () => {
  const bad = join(dir, 'bad');
  writeFileSync(bad, '[nodes]\nn[3:1]\n');
  rejects(() => loadInventory({ flag: bad, env: {} }), new RegExp(`^${bad}:2: bad host range`));
});

test('-i of a FIFO, a device or a file over 16 MiB is refused at once, naming the file and what to do', () => {
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const started = Date.now();
  const fifoIs = 'the inventory given with -i is a FIFO \\(named pipe\\), not a regular file: pass the INI';
  rejects(() => loadInventory({ flag: fifo, env: {} }), new RegExp(`^${fifo}: ${fifoIs}`));
  assert.ok(Date.now() - started < 2000, 'no wait for a writer');
  rejects(() => loadInventory({ flag: '/dev/zero', env: {} }), /^\/dev\/zero: the inventory given with -i is a character device, not a/);
  const big = join(dir, 'big');
  writeFileSync(big, '[nodes]\n');
  truncateSync(big, 17 * 1024 * 1024);
  rejects(() => loadInventory({ flag: big, env: {} }), /given with -i is 17 MiB, over the 16 MiB this file can be: pass the INI/);
});

test('a line that is not valid UTF-8 is refused at its line; in a comment it is left alone', () => {
  const latin = join(dir, 'latin1');
  writeFileSync(latin, Buffer.concat([Buffer.from('# caf\xe9\n[nodes]\nn1\n', 'latin1'), Buffer.from('n\xe92\n', 'latin1')]));
  rejects(() => loadInventory({ flag: latin, env: {} }), new RegExp(`^${latin}:4: this line is not valid UTF-8: save the inventory as`));
  writeFileSync(latin, Buffer.from('# caf\xe9\n[nodes]\nn1\n', 'latin1'));
  assert.equal(loadInventory({ flag: latin, env: {} }).hosts.length, 1);
});

test('a host name that would climb out of the backup copy directory is refused with file:line', () => {
  const evil = join(dir, 'evil');
  writeFileSync(evil, '[masters]\n../../etc/cron.d ansible_host=10.0.0.1\n');
  rejects(() => loadInventory({ flag: evil, env: {} }), new RegExp(`^${evil}:2: host name "\\.\\./\\.\\./etc/cron\\.d" contains "/"`));
});

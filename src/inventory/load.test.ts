import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInventory, resolveInventorySource } from './load.js';
import { InventoryError } from './types.js';
import { listAnsibleInventory } from './yaml-inventory.js';

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
});

test('a YAML inventory is read through the real ansible-inventory, group_vars/ included; without it, one clear error', () => {
  const d = mkdtempSync(join(tmpdir(), 'day2-yaml-'));
  const yaml = join(d, 'hosts.yml');
  writeFileSync(
    yaml,
    'all:\n  children:\n    OSEv3:\n      children:\n        masters:\n          hosts:\n            m1: {ansible_host: 127.0.0.9}\n' +
      '        etcd:\n          hosts:\n            m1:\n        nodes:\n          hosts:\n            m1:\n' +
      '            n1: {openshift_node_labels: {region: infra}, ansible_port: 2222}\n',
  );
  mkdirSync(join(d, 'group_vars'));
  writeFileSync(join(d, 'group_vars', 'OSEv3.yml'), 'ansible_user: cloud-user\nansible_become: true\n');
  const inv = loadInventory({ flag: yaml, env: {}, ansible: { notes: [] } });
  const [m1, n1] = inv.hosts;
  assert.deepEqual(
    inv.hosts.map((h) => h.name),
    ['m1', 'n1'],
  );
  assert.deepEqual([m1!.address, m1!.roles, m1!.user, m1!.become], ['127.0.0.9', ['master', 'etcd', 'node'], 'cloud-user', true]);
  assert.deepEqual([n1!.port, n1!.roles, n1!.sources?.port], [2222, ['infra', 'node'], 'ansible-inventory']);
  assert.deepEqual(inv.groups['OSEv3'], ['m1', 'n1']);
  rejects(
    () => listAnsibleInventory(yaml, 'no-such-ansible-inventory'),
    /not installed here: install ansible-core .* or pass the INI inventory/,
  );
  writeFileSync(yaml, 'all:\n  hosts: [unclosed\n');
  rejects(() => loadInventory({ flag: yaml, env: {}, ansible: { notes: [] } }), /ansible-inventory could not read it/);
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

test("group_vars/, host_vars/ and ansible.cfg: Ansible's precedence, and where each setting came from", () => {
  const d = mkdtempSync(join(tmpdir(), 'day2-prec-'));
  const inv = join(d, 'hosts');
  writeFileSync(
    inv,
    '[OSEv3:children]\nmasters\nnodes\n[OSEv3:vars]\nansible_user=from-ini\nansible_port=2200\n' +
      '[masters]\nm1\nm2 ansible_port=2201\n[nodes]\nm1\nm2\nn1\n[nodes:vars]\nansible_become_user=ops\n',
  );
  mkdirSync(join(d, 'group_vars'));
  mkdirSync(join(d, 'host_vars'));
  writeFileSync(join(d, 'group_vars', 'all.yml'), 'ansible_port: 2300\n');
  writeFileSync(join(d, 'group_vars', 'OSEv3.yml'), 'ansible_user: from-group-vars\n');
  writeFileSync(join(d, 'group_vars', 'masters.yml'), 'ansible_user: master-user\n');
  writeFileSync(join(d, 'host_vars', 'm2.yml'), 'ansible_become: yes\n');
  const ansible = {
    notes: [],
    user: { value: 'cfg-user', source: 'ansible.cfg (/a)' },
    keyFile: { value: '/keys/id', source: 'ansible.cfg (/a)' },
    become: { value: true, source: 'ansible.cfg (/a)' },
  };
  const hosts = loadInventory({ flag: inv, env: {}, ansible }).hosts;
  const [m1, m2, n1] = hosts;
  // group_vars/all beats every inventory-file group var; group_vars/<child group> beats its parent's file
  assert.deepEqual([m1!.port, m1!.user, m1!.keyFile, m1!.become], [2300, 'master-user', '/keys/id', true]);
  assert.deepEqual(m1!.sources, {
    port: 'group_vars/all.yml:1',
    user: 'group_vars/masters.yml:1',
    keyFile: 'ansible.cfg (/a)',
    become: 'ansible.cfg (/a)',
    becomeUser: 'hosts:15',
  });
  // the host line beats group_vars; host_vars beats ansible.cfg
  assert.deepEqual([m2!.port, m2!.sources?.port, m2!.sources?.become], [2201, 'hosts:9', 'host_vars/m2.yml:1']);
  assert.deepEqual([n1!.user, n1!.becomeUser], ['from-group-vars', 'ops']);
  // ansible.cfg is below every inventory variable; with none, it gives the user
  const bare = join(mkdtempSync(join(tmpdir(), 'day2-bare-')), 'hosts');
  writeFileSync(bare, '[masters]\nm1\n[etcd]\nm1\n');
  const [b] = loadInventory({ flag: bare, env: {}, ansible }).hosts;
  assert.deepEqual([b!.user, b!.sources?.user, b!.sources?.port], ['cfg-user', 'ansible.cfg (/a)', undefined]);
});

test('the inventory named by ansible.cfg comes after $DAY2_INVENTORY and before /etc/ansible/hosts', () => {
  const ansible = { notes: [], inventory: { value: good, source: 'ansible.cfg (/etc/x.cfg)' } };
  assert.deepEqual(resolveInventorySource({ env: {}, defaultPath: good, ansible }), {
    kind: 'file',
    path: good,
    from: 'ansible',
    via: 'ansible.cfg (/etc/x.cfg)',
  });
  assert.equal(resolveInventorySource({ env: { DAY2_INVENTORY: good }, ansible }).kind, 'file');
  assert.equal((resolveInventorySource({ env: { DAY2_INVENTORY: good }, ansible }) as { from: string }).from, 'env');
  rejects(
    () => loadInventory({ env: {}, ansible: { notes: [], inventory: { value: missing, source: 'ansible.cfg (/etc/x.cfg)' } } }),
    /named by ansible\.cfg \(\/etc\/x\.cfg\) does not exist: fix ansible\.cfg/,
  );
});

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAnsibleCfg, parseAnsibleCfg, readAnsibleSettings } from './ansible-cfg.js';

const root = mkdtempSync(join(tmpdir(), 'day2-ansiblecfg-'));
function place(...parts: string[]): string {
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('ansible.cfg is found as Ansible finds it: $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg', () => {
  const cwd = place('find', 'cwd');
  const home = place('find', 'home');
  const system = join(place('find', 'etc'), 'ansible.cfg');
  const named = join(place('find', 'named'), 'my.cfg');
  const lookup = { cwd, home, systemCfg: system, env: {} };
  assert.equal(findAnsibleCfg(lookup), undefined);
  writeFileSync(system, '[defaults]\n');
  assert.equal(findAnsibleCfg(lookup), system);
  writeFileSync(join(home, '.ansible.cfg'), '[defaults]\n');
  assert.equal(findAnsibleCfg(lookup), join(home, '.ansible.cfg'));
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');
  assert.equal(findAnsibleCfg(lookup), join(cwd, 'ansible.cfg'));
  writeFileSync(named, '[defaults]\n');
  assert.equal(findAnsibleCfg({ ...lookup, env: { ANSIBLE_CONFIG: named } }), named);
  // a directory named by $ANSIBLE_CONFIG means its ansible.cfg
  assert.equal(findAnsibleCfg({ ...lookup, env: { ANSIBLE_CONFIG: cwd } }), join(cwd, 'ansible.cfg'));
});

test('./ansible.cfg in a world-writable directory is skipped, and the operator is told', () => {
  const cwd = place('ww');
  const home = place('ww-home');
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nremote_user = mallory\n');
  chmodSync(cwd, 0o777);
  const s = readAnsibleSettings({ cwd, home, systemCfg: join(root, 'none'), env: {} });
  assert.equal(s.user, undefined);
  assert.match(s.notes[0] ?? '', /ansible\.cfg was not read: the current directory is world-writable/);
});

test("the dialect: # and ; comments, inline '; comment', key: value, case-insensitive keys, continuation lines", () => {
  const ini = parseAnsibleCfg(
    '# c\n; c\n[defaults]\nRemote_User = admin ; who\ninventory: ./hosts#not-a-comment\nlong = a\n  b\n[privilege_escalation]\nbecome=True\n',
    'a.cfg',
  );
  assert.equal(ini.get('defaults')?.get('remote_user')?.value, 'admin');
  assert.equal(ini.get('defaults')?.get('inventory')?.value, './hosts#not-a-comment');
  assert.equal(ini.get('defaults')?.get('long')?.value, 'a\nb');
  assert.equal(ini.get('privilege_escalation')?.get('become')?.line, 9);
  assert.throws(() => parseAnsibleCfg('remote_user = x\n', 'a.cfg'), /^InventoryError: a\.cfg:1: a setting before any \[section\]/);
  assert.throws(() => parseAnsibleCfg('[defaults]\njunk\n', 'a.cfg'), /a\.cfg:2: not "key = value"/);
});

test('settings: paths relative to the cfg, ~ expanded, the first of an inventory list, env over cfg', () => {
  const dir = place('settings');
  const home = place('settings-home');
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    '[defaults]\ninventory = inv/hosts, other\nremote_user = cloud-user\nprivate_key_file = ~/.ssh/ocp\n' +
      '[privilege_escalation]\nbecome = yes\nbecome_user = admin\n',
  );
  const lookup = { cwd: place('elsewhere'), home, env: { ANSIBLE_CONFIG: cfg } };
  const s = readAnsibleSettings(lookup);
  const via = `ansible.cfg (${cfg})`;
  assert.deepEqual(s.inventory, { value: join(dir, 'inv/hosts'), source: via });
  assert.match(s.notes[0] ?? '', /lists 2 inventories; day2-tui reads the first, inv\/hosts/);
  assert.deepEqual(s.user, { value: 'cloud-user', source: via });
  assert.deepEqual(s.keyFile, { value: join(home, '.ssh/ocp'), source: via });
  assert.deepEqual(s.become, { value: true, source: via });
  assert.deepEqual(s.becomeUser, { value: 'admin', source: via });
  const env = { ...lookup.env, ANSIBLE_REMOTE_USER: 'root', ANSIBLE_BECOME: 'false', ANSIBLE_INVENTORY: '/x/hosts' };
  const e = readAnsibleSettings({ ...lookup, env });
  assert.deepEqual(e.user, { value: 'root', source: '$ANSIBLE_REMOTE_USER' });
  assert.deepEqual(e.become, { value: false, source: '$ANSIBLE_BECOME' });
  assert.deepEqual(e.inventory, { value: '/x/hosts', source: '$ANSIBLE_INVENTORY' });
});

test('a become that is not a boolean is one error naming ansible.cfg:line', () => {
  const cfg = join(place('badbool'), 'ansible.cfg');
  writeFileSync(cfg, '[privilege_escalation]\nbecome = maybe\n');
  assert.throws(
    () => readAnsibleSettings({ env: { ANSIBLE_CONFIG: cfg }, home: root }),
    new RegExp(`^InventoryError: ${cfg}:2: become = maybe: not a boolean`),
  );
});

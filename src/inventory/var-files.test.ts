import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readVarFiles, templateText } from './var-files.js';

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'day2-varfiles-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, 'hosts');
}

test('group_vars/<group>[.yml|.yaml|.json] and group_vars/<group>/ (sorted), host_vars/<host>, with file:line', () => {
  const inv = fixture({
    'group_vars/all.yml': '---\nansible_user: cloud-user\n',
    'group_vars/OSEv3': 'ansible_become: true\n',
    'group_vars/etcd/10-a.yaml': 'x: one\ny: keep\n',
    'group_vars/etcd/20-b.json': '{"x": "two"}\n',
    'group_vars/etcd/README.md': 'not: read\n',
    'group_vars/nodes.bak': 'ansible_user: nobody\n',
    'host_vars/m1.yml': '# c\nansible_port: 2222\n',
  });
  const vf = readVarFiles(inv);
  assert.deepEqual([...vf.groups.keys()].sort(), ['OSEv3', 'all', 'etcd']);
  const all = vf.groups.get('all')!.get('ansible_user')!;
  assert.equal(all.value, 'cloud-user');
  assert.equal(all.where, 'group_vars/all.yml:2');
  assert.equal(vf.groups.get('OSEv3')!.get('ansible_become')!.value, 'True');
  assert.equal(vf.groups.get('etcd')!.get('x')!.value, 'two');
  assert.equal(vf.groups.get('etcd')!.get('y')!.value, 'keep');
  assert.equal(vf.hosts.get('m1')!.get('ansible_port')!.where, 'host_vars/m1.yml:2');
});

test('bad YAML, a list at the top and a bad port are errors naming file:line', () => {
  const inv = fixture({ 'group_vars/all.yml': 'a: 1\nb: [unclosed\n' });
  assert.throws(() => readVarFiles(inv), /group_vars\/all\.yml:\d+: not valid YAML/);
  assert.throws(() => readVarFiles(fixture({ 'group_vars/all.yml': '- a\n' })), /all\.yml:1: a variables file is a YAML mapping/);
  assert.throws(
    () => readVarFiles(fixture({ 'host_vars/m1': 'x: 1\nansible_port: 99999\n' })),
    /host_vars\/m1:2: ansible_port=99999: the port/,
  );
});

test('a vault-encrypted file is skipped with a warning', () => {
  const warnings: { message: string }[] = [];
  const vf = readVarFiles(fixture({ 'group_vars/all/vault.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }), warnings as never);
  assert.equal(vf.groups.get('all')!.size, 0);
  assert.match(warnings[0]!.message, /encrypted with ansible-vault/);
});

test('values become the text Ansible templates: True/False, numbers, Python dicts', () => {
  assert.equal(templateText(true), 'True');
  assert.equal(templateText(22), '22');
  assert.equal(templateText({ region: 'infra', zone: "a'b" }), "{'region': 'infra', 'zone': 'a\\'b'}");
  assert.equal(templateText(['a', false]), "['a', False]");
});

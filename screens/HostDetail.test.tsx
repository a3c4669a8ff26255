import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { parseInventory } from '../src/inventory/parse.js';
import { HostDetail, hostDetailLines } from './HostDetail.js';
import { stripAnsi } from './testing/fixtures.js';

afterEach(() => cleanup());

const ok = { state: 'ok' as const, reason: 'connected as cloud-user (sudo -n works)' };

test('each connection setting is shown with where it came from, within 80 columns', () => {
  const [host] = parseInventory('[masters]\nmaster-0.example.com ansible_host=10.0.0.11\n[masters:vars]\nansible_become=true\n', {
    file: '/srv/inventory/hosts',
  }).hosts;
  const h = {
    ...host!,
    user: 'cloud-user',
    keyFile: '/home/operator/.ssh/a-rather-long-directory-name/openshift-bastion-key',
    becomeUser: 'etcd',
    sources: {
      ...host!.sources,
      user: 'group_vars/OSEv3.yml:2',
      keyFile: 'ansible.cfg (/home/operator/projects/openshift-ansible/ansible.cfg)',
      becomeUser: 'host_vars/master-0.example.com.yml:1',
    },
  };
  const r = render(<HostDetail host={h} connectivity={ok} width={80} height={24} active />);
  const f = stripAnsi(r.lastFrame());
  assert.match(f, /Address: {2}10\.0\.0\.11:22 {2}· from hosts:2/);
  assert.match(f, /User: {5}cloud-user {2}· from group_vars\/OSEv3\.yml:2/);
  assert.match(f, /Key file:[^\n]*\n[^\n]*\/home\/operator\/\.ssh\/a-rather-long-directory-name\/openshift-bastion-k/);
  assert.match(f, /from ansible\.cfg/);
  assert.match(f, /Become: {3}yes: commands through sudo -n -u etcd {2}· from hosts:4/);
  assert.match(f, /As user: {2}etcd {2}· from host_vars\/master-0\.example\.com\.yml:1/);
  for (const l of f.split('\n')) assert.ok([...l].length <= 80, `too wide: ${l}`);
});

test('settings nobody set say "default"; a port from a group var gets its own line', () => {
  const [host] = parseInventory('[nodes]\nn1\n[nodes:vars]\nansible_port=2222\n', { file: 'hosts' }).hosts;
  const text = hostDetailLines(host!, ok).map((l) => l.text);
  assert.ok(text.includes('Address:  n1:2222  · default'), text.join('\n'));
  assert.ok(text.includes('Port:     2222  · from hosts:4'), text.join('\n'));
  assert.ok(text.includes('User:     (your own login user)  · default'), text.join('\n'));
  assert.ok(text.includes('Become:   no  · default'), text.join('\n'));
});

test('what ssh uses once ~/.ssh/config applies (a jump host, its line), or why the config refuses the host', () => {
  const [host] = parseInventory('[lb]\nlb-1.lab.example.com\n', { file: 'hosts' }).hosts;
  const ssh = [
    { setting: 'HostName', value: '10.251.1.2', from: '~/.ssh/config:3' },
    { setting: 'User', value: 'root', from: 'default' },
    { setting: 'ProxyJump', value: 'jump-0', from: '~/.ssh/config:4' },
  ];
  const f = stripAnsi(render(<HostDetail host={host!} connectivity={ok} ssh={ssh} width={80} height={30} active />).lastFrame());
  assert.match(f, /SSH uses/);
  assert.match(f, /HostName {13}10\.251\.1\.2 {2}· from ~\/\.ssh\/config:3/);
  assert.match(f, /ProxyJump {12}jump-0 {2}· from ~\/\.ssh\/config:4/);
  assert.match(f, /User {17}root {2}· default/);
  const refused = hostDetailLines(host!, ok, undefined, { error: '~/.ssh/config:7: ProxyCommand is not supported: use ProxyJump' })
    .map((l) => l.text)
    .join('\n');
  assert.match(refused, /the ssh config refuses this host: ~\/\.ssh\/config:7: ProxyCommand/);
});

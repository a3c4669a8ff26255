import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandHostPattern, parseBoolean, parseInventory, parseNodeLabels, splitWords } from './parse.js';
import { type Inventory, InventoryError } from './types.js';

const F = '/etc/ansible/hosts';
const parse = (text: string): Inventory => parseInventory(text, { file: F });
const host = (inv: Inventory, name: string) => {
  const h = inv.hosts.find((x) => x.name === name);
  assert.ok(h, `host ${name} not found`);
  return h;
};
function throwsAt(text: string, line: number, re: RegExp): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(e instanceof InventoryError, `expected InventoryError, got ${String(e)}`);
      assert.equal(e.file, F);
      assert.equal(e.line, line, e.message);
      assert.match(e.message, new RegExp(`^${F.replace(/\//g, '\\/')}:${line}: `));
      assert.match(e.problem, re);
      return true;
    },
  );
}

// Written like the OCP 3.10 example inventory (openshift-ansible inventory/hosts.example, docs "Example inventory files").
const OCP310 =
  `# Create an OSEv3 group that contains the masters, nodes, and etcd groups
[OSEv3:children]
masters
nodes
etcd
lb

# Set variables common for all OSEv3 hosts
[OSEv3:vars]
ansible_ssh_user=root
openshift_deployment_type=openshift-enterprise
openshift_release=v3.10

# uncomment the following to enable htpasswd authentication; defaults to AllowAllPasswordIdentityProvider
openshift_master_identity_providers=[{'name': 'htpasswd_auth', 'login': 'true', ` +
  `'challenge': 'true', 'kind': 'HTPasswdPasswordIdentityProvider'}]

# Native high availbility cluster method with optional load balancer.
# If no lb group is defined installer assumes that a load balancer has
# been preconfigured. For installation the value of
# openshift_master_cluster_hostname must resolve to the load balancer
# or to one or all of the masters defined in the inventory if no load
# balancer is present.
openshift_master_cluster_method=native
openshift_master_cluster_hostname=openshift-internal.example.com
openshift_master_cluster_public_hostname=openshift-cluster.example.com
openshift_master_default_subdomain=apps.example.com

# host group for masters
[masters]
master[1:3].example.com

# host group for etcd
[etcd]
master1.example.com
master2.example.com
master3.example.com

# Specify load balancer host
[lb]
lb.example.com

# host group for nodes, includes region info
[nodes]
master[1:3].example.com openshift_node_group_name='node-config-master'
node1.example.com openshift_node_group_name='node-config-compute'
node2.example.com openshift_node_group_name='node-config-compute'
infra-node1.example.com openshift_node_group_name='node-config-infra'
infra-node2.example.com openshift_node_group_name='node-config-infra'
`;

test('OCP 3.10 example inventory: hosts, roles, groups, vars', () => {
  const inv = parse(OCP310);
  assert.deepEqual(inv.source, { kind: 'file', path: F });
  assert.deepEqual(
    inv.hosts.map((h) => h.name),
    [
      'master1.example.com',
      'master2.example.com',
      'master3.example.com',
      'lb.example.com',
      'node1.example.com',
      'node2.example.com',
      'infra-node1.example.com',
      'infra-node2.example.com',
    ],
  );
  const m1 = host(inv, 'master1.example.com');
  assert.deepEqual(m1.roles, ['master', 'etcd', 'node']);
  assert.deepEqual(m1.groups, ['OSEv3', 'masters', 'nodes', 'etcd']);
  assert.equal(m1.user, 'root');
  assert.equal(m1.address, 'master1.example.com');
  assert.equal(m1.port, 22);
  assert.equal(m1.become, false);
  assert.equal(m1.line, 30, 'first declared in [masters] by the range');
  assert.equal(m1.vars['openshift_master_cluster_hostname'], 'openshift-internal.example.com');
  assert.equal(m1.vars['openshift_node_group_name'], 'node-config-master');
  assert.equal(m1.openshift?.nodeGroupName, 'node-config-master');
  assert.equal(
    m1.vars['openshift_master_identity_providers'],
    "[{'name': 'htpasswd_auth', 'login': 'true', 'challenge': 'true', 'kind': 'HTPasswdPasswordIdentityProvider'}]",
  );
  assert.deepEqual(host(inv, 'infra-node1.example.com').roles, ['infra', 'node']);
  assert.deepEqual(host(inv, 'node1.example.com').roles, ['node']);
  assert.deepEqual(host(inv, 'lb.example.com').roles, ['lb']);
  assert.deepEqual(inv.groups['etcd'], ['master1.example.com', 'master2.example.com', 'master3.example.com']);
  assert.equal(inv.groups['OSEv3']?.length, 8);
  assert.equal(inv.groups['all']?.length, 8);
  assert.deepEqual(inv.groups['ungrouped'], []);
  assert.equal(inv.groupVars['OSEv3']?.['openshift_release'], 'v3.10');
  assert.deepEqual(inv.warnings, []);
});

test('host line: key=value forms, quotes, python-dict labels, comments', () => {
  const inv = parse(
    [
      '[nodes]',
      `n1 ansible_host=10.0.0.5 ansible_port=2222 ansible_user=cloud-user ansible_become=True ` +
        `openshift_ip=10.0.0.5 openshift_hostname=n1.internal ` +
        `openshift_public_hostname='n1.example.com' openshift_node_labels="{'region': 'infra', ` +
        `'zone': 'default'}" openshift_schedulable=yes # a comment`,
      `n2 ansible_ssh_user=admin ansible_ssh_private_key_file="/home/admin/.ssh/id rsa" note="a ` +
        `# not a comment" openshift_node_labels="{'node-role.kubernetes.io/infra': 'true'}"`,
      `n3 openshift_node_labels="{'region': 'primary'}" ansible_become=0 x=a\\ b y='it''s' ; not a comment`.replace(' ; not a comment', ''),
      '; a full-line comment',
      '# another',
    ].join('\r\n'),
  );
  const n1 = host(inv, 'n1');
  assert.equal(n1.address, '10.0.0.5');
  assert.equal(n1.port, 2222);
  assert.equal(n1.user, 'cloud-user');
  assert.equal(n1.become, true);
  assert.deepEqual(n1.openshift, {
    ip: '10.0.0.5',
    hostname: 'n1.internal',
    publicHostname: 'n1.example.com',
    labels: { region: 'infra', zone: 'default' },
    schedulable: true,
  });
  assert.equal(n1.vars['openshift_node_labels'], "{'region': 'infra', 'zone': 'default'}");
  assert.deepEqual(n1.roles, ['infra', 'node']);
  const n2 = host(inv, 'n2');
  assert.equal(n2.user, 'admin');
  assert.equal(n2.keyFile, '/home/admin/.ssh/id rsa');
  assert.equal(n2.vars['note'], 'a # not a comment');
  assert.deepEqual(n2.roles, ['infra', 'node']);
  const n3 = host(inv, 'n3');
  assert.equal(n3.become, false);
  assert.equal(n3.vars['x'], 'a b');
  assert.equal(n3.vars['y'], 'its');
  assert.deepEqual(n3.roles, ['node']);
  assert.equal(n3.line, 4);
});

test('vars sections: spaces around =, quoted values, inline comments, CRLF', () => {
  const inv = parse(
    '[all:vars]\r\nansible_user = deployer\r\nfoo="bar baz"   # why\r\nq=\'{"a": 1}\'\r\nraw=value with spaces\r\n\r\n[g]\r\nh1\r\n',
  );
  assert.deepEqual(inv.groupVars['all'], { ansible_user: 'deployer', foo: 'bar baz', q: '{"a": 1}', raw: 'value with spaces' });
  assert.equal(host(inv, 'h1').user, 'deployer');
});

test('variable precedence: all < parent group < child group < host line', () => {
  const inv = parse(`
[all:vars]
v=all
only_all=1

[parent:children]
child

[parent:vars]
v=parent
p=parent

[child]
h1
h2 v=host

[child:vars]
v=child

[other]
h3
`);
  assert.equal(host(inv, 'h1').vars['v'], 'child');
  assert.equal(host(inv, 'h1').vars['p'], 'parent');
  assert.equal(host(inv, 'h1').vars['only_all'], '1');
  assert.equal(host(inv, 'h2').vars['v'], 'host');
  assert.equal(host(inv, 'h3').vars['v'], 'all');
  assert.deepEqual(host(inv, 'h1').groups, ['parent', 'child']);
  assert.deepEqual(inv.groups['parent'], ['h1', 'h2']);
});

test('ansible_user beats ansible_ssh_user at the same level; the more specific level wins', () => {
  const inv = parse('[all:vars]\nansible_user=a\n[g]\nh1 ansible_ssh_user=b\nh2\n[g:vars]\nansible_ssh_user=c\n');
  assert.equal(host(inv, 'h1').user, 'b');
  assert.equal(host(inv, 'h2').user, 'c');
});

test('a host in several groups merges vars and groups; first declaration line kept', () => {
  const inv = parse('[masters]\nm1 a=1\n[etcd]\nm1 b=2\n[nodes]\nm1 a=3 openshift_node_group_name=node-config-master-infra\n');
  const m1 = host(inv, 'm1');
  assert.equal(inv.hosts.length, 1);
  assert.deepEqual(m1.vars, { a: '3', b: '2', openshift_node_group_name: 'node-config-master-infra' });
  assert.deepEqual(m1.roles, ['master', 'etcd', 'infra', 'node']);
  assert.equal(m1.line, 2);
});

test('hosts only under :children groups, nested children, ungrouped hosts', () => {
  const inv = parse('loner.example.com\n[top:children]\nmid\n[mid:children]\nleaf\n[leaf]\nl1\n[top:vars]\nx=1\n');
  assert.deepEqual(inv.groups['top'], ['l1']);
  assert.deepEqual(inv.groups['mid'], ['l1']);
  assert.deepEqual(inv.groups['ungrouped'], ['loner.example.com']);
  assert.deepEqual(host(inv, 'loner.example.com').groups, ['ungrouped']);
  assert.deepEqual(host(inv, 'l1').groups, ['top', 'mid', 'leaf']);
  assert.equal(host(inv, 'l1').vars['x'], '1');
});

test('roles: new_etcd, new_nodes, glusterfs, infra by region label', () => {
  const inv = parse(
    "[new_etcd]\ne4\n[new_nodes]\nn9 openshift_node_labels=\"{'region': 'infra'}\"\n[glusterfs]\ng1 glusterfs_devices='[ \"/dev/vdb\" ]'\n",
  );
  assert.deepEqual(host(inv, 'e4').roles, ['new_etcd']);
  assert.deepEqual(host(inv, 'n9').roles, ['infra', 'new_node']);
  assert.deepEqual(host(inv, 'g1').roles, ['glusterfs']);
  assert.equal(host(inv, 'g1').vars['glusterfs_devices'], '[ "/dev/vdb" ]');
});

test('host ranges', () => {
  assert.deepEqual(expandHostPattern('node[1:3].example.com'), ['node1.example.com', 'node2.example.com', 'node3.example.com']);
  assert.deepEqual(expandHostPattern('node[01:03]'), ['node01', 'node02', 'node03']);
  assert.deepEqual(expandHostPattern('node[08:10]'), ['node08', 'node09', 'node10']);
  assert.deepEqual(expandHostPattern('db-[a:c]'), ['db-a', 'db-b', 'db-c']);
  assert.deepEqual(expandHostPattern('n[1:10:3]'), ['n1', 'n4', 'n7', 'n10']);
  assert.deepEqual(expandHostPattern('r[1:2]-[a:b]'), ['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  assert.deepEqual(expandHostPattern('n[:2]'), ['n0', 'n1', 'n2']);
  const inv = parse('[nodes]\nnode[01:10].example.com openshift_node_group_name=node-config-compute\n');
  assert.equal(inv.hosts.length, 10);
  assert.equal(inv.hosts[9]?.name, 'node10.example.com');
  assert.ok(inv.hosts.every((h) => h.line === 2 && h.vars['openshift_node_group_name'] === 'node-config-compute'));
});

test('bad ranges name file:line', () => {
  throwsAt('[nodes]\nok\nnode[3:1]\n', 3, /bad host range.*start 3 is greater than end 1/);
  throwsAt('[nodes]\nnode[1:x]\n', 2, /both be numbers or both single letters/);
  throwsAt('[nodes]\nnode[01:100]\n', 2, /same number of digits/);
  throwsAt('[nodes]\nnode[1]\n', 2, /not start:end/);
  throwsAt('[nodes]\nnode[1:3\n', 2, /without "\]"/);
  throwsAt('[nodes]\nnode[1:3:0]\n', 2, /step "0"/);
  throwsAt('[nodes]\nnode[1:]\n', 2, /no end value/);
});

test('syntax errors name file:line, what and how to fix', () => {
  throwsAt('[masters]\nm1\n[nodes\n', 3, /unknown section syntax.*\[group\]/);
  throwsAt('[masters:hosts]\n', 1, /unknown section type ":hosts"/);
  throwsAt('[my group]\n', 1, /unknown section syntax/);
  throwsAt("[nodes]\nn1 openshift_node_labels=\"{'region': 'infra'}\n", 2, /unterminated " quote at column 26/);
  throwsAt("[nodes]\nn1 a='x\n", 2, /unterminated ' quote/);
  throwsAt('[all:vars]\nfoo="bar\n', 2, /unterminated " quote/);
  throwsAt("[nodes]\nn1 openshift_node_labels={'region': 'infra'}\n", 2, /bad key=value "'infra'}"|bad key=value "infra}"/);
  throwsAt('[nodes]\nn1 schedulable\n', 2, /bad key=value "schedulable".*name=value/);
  throwsAt('[nodes]\nn1 1x=2\n', 2, /bad key=value/);
  throwsAt('[OSEv3:vars]\nthis is not an assignment\n', 2, /bad key=value in \[OSEv3:vars\].*has no "="/);
  throwsAt('[nodes]\nn1 ansible_port=ssh\n', 2, /ansible_port=ssh: the port is not a number/);
  throwsAt('[nodes]\nn1\n[nodes:vars]\nansible_port=70000\n', 4, /not a number from 1 to 65535/);
  throwsAt('[nodes]\nn1:abc\n', 2, /port after ":" is not a number/);
  throwsAt('[nodes]\nn1 ansible_become=maybe\n', 2, /not a boolean/);
  throwsAt('[a:children]\nb c\n', 2, /one group name per line/);
  throwsAt('[OSEV3:vars]\nx=1\n[OSEv3:children]\nmasters\n[masters]\nm\n', 1, /defined nowhere.*case-sensitive/);
});

test('children cycles are errors at the entry that closes the cycle', () => {
  throwsAt('[a:children]\nb\n[b:children]\nc\n[c:children]\na\n', 6, /cycle of groups: a → b → c → a/);
  throwsAt('[a:children]\na\n', 2, /cycle of groups: a → a/);
});

test('an undefined :children entry is a warning and an empty group', () => {
  const inv = parse('[OSEv3:children]\nmasters\nnfs\n[masters]\nm1\n[nodes]\nm1\n[etcd]\nm1\n');
  assert.deepEqual(inv.groups['nfs'], []);
  assert.deepEqual(inv.warnings, [
    { file: F, line: 3, message: '[OSEv3:children] names group "nfs", which is not defined in this file: it is taken as empty' },
  ]);
});

test('warnings: even etcd, masters not in nodes, unparseable labels', () => {
  const inv = parse('[masters]\nm1\nm2\n[etcd]\nm1\nm2\n[nodes]\nm1\nn1 openshift_node_labels="region=infra"\n');
  const msgs = inv.warnings.map((w) => `${w.line}: ${w.message}`);
  assert.ok(
    msgs.some((m) => m.startsWith('4: etcd needs an odd number of members for quorum: 2 found')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => /^3: master m2 is not in \[nodes\]/.test(m)),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => /^9: openshift_node_labels of n1 is not a dict/.test(m)),
    msgs.join('\n'),
  );
  assert.ok(!msgs.some((m) => m.includes('master m1')));
  // Masters are nodes (role) even when missing from [nodes]
  assert.deepEqual(host(inv, 'm2').roles, ['master', 'etcd', 'node']);
});

test('host:port and IPv6 names', () => {
  const inv = parse('[g]\nh1:2222\nh2:2222 ansible_port=2200\nfe80::1\n');
  assert.equal(host(inv, 'h1').port, 2222);
  assert.equal(host(inv, 'h2').port, 2200);
  assert.equal(host(inv, 'fe80::1').port, 22);
});

test('a dynamic inventory script is refused', () => {
  throwsAt('#!/usr/bin/env python\nprint(1)\n', 1, /dynamic inventory script/);
});

test('splitWords, parseBoolean, parseNodeLabels', () => {
  assert.deepEqual(splitWords(`a b="c d" e='f g' h=i\\ j # k`, F, 1), ['a', 'b=c d', 'e=f g', 'h=i j']);
  assert.deepEqual(splitWords(`a b="say \\"hi\\""`, F, 1), ['a', 'b=say "hi"']);
  assert.deepEqual(splitWords('a url=http://x/#frag', F, 1), ['a', 'url=http://x/#frag']);
  for (const t of ['true', 'True', 'TRUE', 'yes', 'Yes', '1', 'on']) assert.equal(parseBoolean(t), true, t);
  for (const t of ['false', 'False', 'no', '0', 'off']) assert.equal(parseBoolean(t), false, t);
  assert.equal(parseBoolean('maybe'), undefined);
  assert.deepEqual(parseNodeLabels("{'region': 'infra', 'zone': 'default'}"), { region: 'infra', zone: 'default' });
  assert.deepEqual(parseNodeLabels('{"region":"primary","logging":True,}'), { region: 'primary', logging: 'true' });
  assert.deepEqual(parseNodeLabels('{}'), {});
  assert.equal(parseNodeLabels('region=infra'), undefined);
  assert.equal(parseNodeLabels("{'region': 'infra'"), undefined);
});

test('BOM and blank/comment-only files', () => {
  const inv = parse('\uFEFF# nothing here\n\n; really\n');
  assert.deepEqual(inv.hosts, []);
  assert.deepEqual(inv.warnings, []);
});

test('host names that could leave a directory, read as an option or hide text are refused at their line', () => {
  throwsAt('[nodes]\nok.example.com\n../../etc/cron.d\n', 3, /^host name "\.\.\/\.\.\/etc\/cron\.d" contains "\/"/);
  throwsAt('[nodes]\n..\n', 2, /is or contains "\.\." or "\."/);
  throwsAt('[nodes]\nnode..x\n', 2, /contains "\.\."/);
  throwsAt('[nodes]\n-node1\n', 2, /starts with "-"/);
  throwsAt('[nodes]\n"a b" ansible_host=10.0.0.1\n', 2, /contains a space, a quote or a backslash/);
  throwsAt('[nodes]\nnode\\\\1\n', 2, /contains a space, a quote or a backslash/);
  throwsAt('[nodes]\nn\uFFFDde\n', 2, /is not valid UTF-8/);
});

test('control characters (NUL, ESC, DEL, C1) are refused at their line, and shown escaped in the message', () => {
  for (const c of ['\u0000', '\u001b', '\u007f', '\u009b']) {
    const code = c.charCodeAt(0).toString(16).padStart(2, '0');
    throwsAt(`[nodes]\nnode${c}1\n`, 2, new RegExp(`control character \\(\\\\u00${code}\\) at column 5`));
  }
  throwsAt('[all:vars]\nansible_user=root\u001b[2J\n', 2, /control character/);
  try {
    parse('[nodes]\nnode\u001b[2J\n');
  } catch (e) {
    assert.ok(!(e as Error).message.includes('\u001b'), 'no raw ESC in the message');
  }
  // a file name with a control character is escaped too (every InventoryError message)
  assert.equal(new InventoryError('/tmp/a\u001bb', 1, 'x').message, '/tmp/a\\u001bb:1: x');
  // comments may hold anything
  assert.equal(parse('# \u0007 bell\n[nodes]\nn1\n').hosts.length, 1);
});

test('address variables take a host name or IP only: nothing for awk -v or a URL to read as an escape', () => {
  throwsAt('[nodes]\nn1 ansible_host=10.0.0.1\\\\n\n', 2, /^ansible_host=10\.0\.0\.1\\n: not a host name or IP address/);
  throwsAt('[nodes:vars]\nopenshift_hostname=a\\tb\n[nodes]\nn1\n', 2, /openshift_hostname=a\\tb: not a host name or IP address/);
  const inv = parse('[nodes]\nn1 ansible_host=fe80::1%eth0 openshift_ip=10.0.0.1 openshift_hostname=n1.example.com\n');
  assert.equal(host(inv, 'n1').address, 'fe80::1%eth0');
});

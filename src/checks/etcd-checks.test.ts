import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { etcdctl, etcdEndpoints, parseV3MemberListView } from '../ocp/etcd.js';
import { etcdHealthCheck } from './etcd-health.js';
import { etcdMembersCheck } from './etcd-members.js';
import { capture, ctxOf, host, judge, labInventory, out } from './test-helpers.js';
import type { CommandOutput } from './types.js';

const inv = labInventory();
const ctx = ctxOf(inv);
const m = (i: number) => inv.hosts[i]!;

/** The words a POSIX shell makes of a command line (run through sh, nothing executed). */
function words(script: string): string[] {
  return execFileSync('sh', ['-c', `set -- ${script}; printf '%s\\n' "$@"`], { encoding: 'utf8' })
    .trimEnd()
    .split('\n');
}

test('etcdctl commands: full flags, every inventory endpoint, quoted', () => {
  const c = etcdHealthCheck.commands(m(0), ctx);
  const eps = 'https://127.0.8.1:2379,https://127.0.8.2:2379,https://127.0.8.3:2379';
  assert.deepEqual(words(c['v2']!.script), [
    'ETCDCTL_API=2',
    'etcdctl',
    '--cert-file',
    '/etc/etcd/peer.crt',
    '--key-file',
    '/etc/etcd/peer.key',
    '--ca-file',
    '/etc/etcd/ca.crt',
    '--endpoints',
    eps,
    'cluster-health',
  ]);
  assert.deepEqual(words(c['v3']!.script), [
    'ETCDCTL_API=3',
    'etcdctl',
    '--cert',
    '/etc/etcd/peer.crt',
    '--key',
    '/etc/etcd/peer.key',
    '--cacert',
    '/etc/etcd/ca.crt',
    '--endpoints',
    eps,
    'endpoint',
    'health',
  ]);
  assert.match(c['v2']!.script, /^ETCDCTL_API=2 etcdctl /); // an env assignment, not a quoted word
  // ansible_host is used when openshift_ip is absent; hostile values stay one word
  const evil = labInventory({ hosts: [host('x', ['etcd'], { ansible_host: '10.0.0.1;rm -rf /' })] });
  const w = words(etcdctl.memberListV3(etcdEndpoints(evil)).script);
  assert.deepEqual(w.slice(-6), ['--endpoints', 'https://10.0.0.1;rm -rf /:2379', 'member', 'list', '-w', 'json']);
});

const health = (v2: string, v3: string) => ({ v2: capture(v2), v3: capture(v3) });

test('etcd-health: all healthy (real 3.4.23)', () => {
  const v = judge(etcdHealthCheck, health('v2-cluster-health-healthy', 'v3-endpoint-health-healthy'), m(0), ctx);
  assert.equal(v.status, 'ok');
  assert.match(v.message, /127\.0\.8\.1/);
});

test('etcd-health: one member down → fail on its host, warn on the others naming it', () => {
  const outputs = health('v2-cluster-health-one-down', 'v3-endpoint-health-one-down');
  const own = judge(etcdHealthCheck, outputs, m(2), ctx);
  assert.equal(own.status, 'fail');
  assert.match(own.message, /127\.0\.8\.3/);
  const other = judge(etcdHealthCheck, outputs, m(0), ctx);
  assert.equal(other.status, 'warn');
  assert.match(other.message, /3c2922b13acbf091/);
});

test('etcd-health: quorum lost → fail everywhere with etcd-restore', () => {
  const v = judge(etcdHealthCheck, health('v2-cluster-health-quorum-lost', 'v3-endpoint-health-quorum-lost'), m(0), ctx);
  assert.equal(v.status, 'fail');
  assert.match(v.message, /quorum lost/);
  assert.equal(v.fix?.procedure, 'etcd-restore');
});

test('etcd-health: v2 API disabled → judged on v3 alone', () => {
  const v = judge(etcdHealthCheck, health('v2-cluster-health-no-v2', 'v3-endpoint-health-healthy'), m(1), ctx);
  assert.equal(v.status, 'ok');
  assert.match(v.message, /v3 only/);
});

test('etcd-health: etcdctl missing → error, not fail; missing cert → error', () => {
  const v = judge(etcdHealthCheck, { v2: capture('etcdctl-missing'), v3: out('', 127, 'bash: etcdctl: command not found') }, m(0), ctx);
  assert.equal(v.status, 'error');
  assert.match(v.message, /etcdctl is not installed/);
  const c = judge(
    etcdHealthCheck,
    { v2: out('', 1, ''), v3: out('', 1, 'Error: open /etc/etcd/peer.crt: no such file or directory') },
    m(0),
    ctx,
  );
  assert.equal(c.status, 'error');
  assert.match(c.message, /peer\.crt/);
});

const members = (v2: string, v3: string, status = 'v3-endpoint-status-json') => ({
  v2list: capture(v2),
  v3list: capture(v3),
  v3status: capture(status),
});

test('etcd-members: 3 members with a leader; http peerURLs of the lab → warn', () => {
  const v = judge(etcdMembersCheck, members('v2-member-list', 'v3-member-list-json'), m(0), ctx);
  assert.equal(v.status, 'warn');
  assert.match(v.message, /not https/);
  assert.equal((v.details as { leader: string }).leader, 'e2 d602f3951c9409b4');
});

test('etcd-members: https members (guide) → ok', () => {
  const g = labInventory({
    hosts: ['8', '12', '13'].map((x, i) => host(`master-${i}.example.com`, ['master', 'etcd'], { openshift_ip: `192.168.55.${x}` })),
  });
  const v2 = out(
    '2a371dd20f21ca8d: name=master-1.example.com peerURLs=https://192.168.55.12:2380 ' +
      'clientURLs=https://192.168.55.12:2379 isLeader=false\n' +
      '40bef1f6c79b3163: name=master-0.example.com peerURLs=https://192.168.55.8:2380 ' +
      'clientURLs=https://192.168.55.8:2379 isLeader=false\n' +
      '95dc17ffcce8ee29: name=master-2.example.com peerURLs=https://192.168.55.13:2380 ' +
      'clientURLs=https://192.168.55.13:2379 isLeader=true\n',
  );
  const v = judge(etcdMembersCheck, { v2list: v2, v3list: out('', 1, 'Error: x'), v3status: out('[]') }, g.hosts[0], ctxOf(g));
  assert.equal(v.status, 'ok');
  assert.equal(v.message, '3 members, leader master-2.example.com');
});

test('etcd-members: localhost peerURL after force-new-cluster → fail, etcd-peerurl-fix', () => {
  const one = labInventory({ hosts: [host('master-0.example.com', ['master', 'etcd'], { openshift_ip: '127.0.8.4' })] });
  const v = judge(
    etcdMembersCheck,
    members('v2-member-list-localhost-peer', 'v3-member-list-json-localhost-peer'),
    one.hosts[0],
    ctxOf(one),
  );
  assert.equal(v.status, 'fail');
  assert.equal(v.fix?.procedure, 'etcd-peerurl-fix');
  assert.match(v.message, /8e9e05c52164694d/);
});

test('etcd-members: even count → warn; missing inventory host → fail; no leader → fail', () => {
  const four = labInventory();
  four.hosts.push(host('etcd-3.example.com', ['etcd'], { openshift_ip: '127.0.8.9' }));
  const v2 =
    `${capture('v2-member-list').stdout}1234abcd: name=etcd-3.example.com peerURLs=http://127.0.8.9:2380 ` +
    `clientURLs=http://127.0.8.9:2379 isLeader=false\n`;
  const even = judge(etcdMembersCheck, { v2list: out(v2), v3list: out('', 1, 'x'), v3status: out('', 1, 'x') }, m(0), ctxOf(four));
  assert.equal(even.status, 'warn');
  assert.match(even.message, /4 members/);
  const missing = judge(etcdMembersCheck, members('v2-member-list', 'v3-member-list-json'), m(0), ctxOf(four));
  assert.equal(missing.status, 'fail');
  assert.match(missing.message, /etcd-3\.example\.com/);
  const noLeader = judge(
    etcdMembersCheck,
    { v2list: capture('v2-member-list-quorum-lost'), v3list: capture('v3-member-list-json-quorum-lost'), v3status: out('', 1, 'Error') },
    m(0),
    ctx,
  );
  assert.equal(noLeader.status, 'fail');
  assert.match(noLeader.message, /no etcd leader/);
});

test('etcd-members: one member down still has a leader (member list from v3 json)', () => {
  const v = judge(
    etcdMembersCheck,
    members('v2-member-list-one-down', 'v3-member-list-json-one-down', 'v3-endpoint-status-json-one-down'),
    m(0),
    ctx,
  );
  assert.notEqual(v.status, 'fail');
  assert.equal((v.details as { count: number }).count, 3);
});

test('etcd-members: unstarted member → warn naming it', () => {
  const inv2 = labInventory({
    hosts: [host('s1', ['etcd'], { openshift_ip: '127.0.8.6' }), host('s2', ['etcd'], { openshift_ip: '127.0.8.7' })],
  });
  const v = judge(etcdMembersCheck, members('v2-member-list-unstarted', 'v3-member-list-json-unstarted'), inv2.hosts[0], ctxOf(inv2));
  assert.equal(v.status, 'warn');
  assert.match(v.message, /80ad0f256fadf0d3/);
});

// Each member's own view, built from the real 3.4.23 captures: `member list -w json` through one endpoint
// says which member answered (header.member_id); `endpoint status` gives the leader each one follows.
const E1 = '13907325859914748375';
const E2 = '15421155895825140148';
const E3 = '4335034260911812753';
const EP = (n: number) => `https://127.0.8.${n}:2379`;
/** member list -w json as member `self` answers it, listing only `ids` (all three by default). */
function view(self: string, ids = [E1, E2, E3]): CommandOutput {
  const doc = capture('v3-member-list-json')
    .stdout.replace(/http:\/\//g, 'https://')
    .replace(`"member_id":${E1}`, `"member_id":${self}`);
  const parsed = JSON.parse(doc.replace(/(\d{16,})/g, '"$1"')) as { members: { ID: string }[] };
  const keep = parsed.members.filter((m) => ids.includes(String(m.ID))).map((m) => JSON.stringify(m).replace(/"ID":"(\d+)"/, '"ID":$1'));
  return out(doc.replace(/"members":\[.*\]/, `"members":[${keep.join(',')}]`));
}
/** endpoint status -w json of the three members, each following the leader given (0: none). */
function status(leaders: [string, string, string]): CommandOutput {
  const doc = capture('v3-endpoint-status-json').stdout.replace(/http:\/\//g, 'https://');
  let i = 0;
  return out(doc.replace(/"leader":\d+/g, () => `"leader":${leaders[i++]}`));
}
const https = labInventory({
  hosts: ['1', '2', '3'].map((x, i) => host(`master-${i}.example.com`, ['master', 'etcd'], { openshift_ip: `127.0.8.${x}` })),
});
const httpsCtx = ctxOf(https);
const v2https = out(capture('v2-member-list').stdout.replace(/http:\/\//g, 'https://'));
const views = (v1: CommandOutput, v2: CommandOutput, v3: CommandOutput) => ({
  [`view ${EP(1)}`]: v1,
  [`view ${EP(2)}`]: v2,
  [`view ${EP(3)}`]: v3,
});
const membersOf = (extra: Record<string, CommandOutput>, st = status([E2, E2, E2])) =>
  judge(etcdMembersCheck, { v2list: v2https, v3list: view(E1), v3status: st, ...extra }, https.hosts[0], httpsCtx);

test('etcd-members asks each member for its own view: member list through each endpoint alone', () => {
  const c = etcdMembersCheck.commands(https.hosts[0], httpsCtx);
  assert.deepEqual(Object.keys(c), ['v2list', 'v3list', 'v3status', `view ${EP(1)}`, `view ${EP(2)}`, `view ${EP(3)}`]);
  assert.deepEqual(words(c[`view ${EP(2)}`]!.script).slice(-6), ['--endpoints', EP(2), 'member', 'list', '-w', 'json']);
  assert.deepEqual(parseV3MemberListView(view(E2).stdout).memberId, 'd602f3951c9409b4');
  // all three agree: ok
  const agree = membersOf(views(view(E1), view(E2), view(E3)));
  assert.equal(agree.status, 'ok', agree.message);
  assert.equal(agree.message, '3 members, leader e2');
});

test('etcd-members: members that disagree on the membership fail, naming who says what', () => {
  // e3 was restored with --force-new-cluster while e1 and e2 ran on: it knows only itself
  const v = membersOf(views(view(E1), view(E2), view(E3, [E3])), status([E2, E2, E3]));
  assert.equal(v.status, 'fail');
  assert.equal(v.message, 'members disagree on the membership: e1 and e2 list e3, e1, e2; e3 lists e3');
  assert.equal(v.fix?.procedure, 'etcd-remove-member');
  // a member that does not answer is not a disagreement
  const down = membersOf(views(view(E1), view(E2), out('', 1, 'Error: context deadline exceeded')));
  assert.equal(down.status, 'ok', down.message);
});

test('etcd-members: members that disagree on the leader fail, naming who follows whom; a member without a leader too', () => {
  const two = membersOf(views(view(E1), view(E2), view(E3)), status([E2, E2, E3]));
  assert.equal(two.status, 'fail');
  assert.equal(two.message, 'members disagree on the leader: e1 and e2 follow e2; e3 follows e3');
  const cut = membersOf(views(view(E1), view(E2), view(E3)), status([E2, E2, '0']));
  assert.equal(cut.status, 'fail');
  assert.equal(cut.message, 'members disagree on the leader: e1 and e2 follow e2; e3 has no leader');
  // one down (absent from endpoint status, as etcdctl leaves it): the two that answer agree
  const oneDown = judge(
    etcdMembersCheck,
    {
      v2list: v2https,
      v3list: view(E1),
      v3status: out(capture('v3-endpoint-status-json-one-down').stdout.replace(/http:\/\//g, 'https://'), 1),
      ...views(view(E1), view(E2), out('', 1, 'Error: context deadline exceeded')),
    },
    https.hosts[0],
    httpsCtx,
  );
  assert.notEqual(oneDown.status, 'fail', oneDown.message);
});

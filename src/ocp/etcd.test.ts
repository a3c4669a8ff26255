import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capture, fixture } from '../checks/test-helpers.js';
import {
  decimalIdToHex,
  parseV2ClusterHealth,
  parseV2MemberList,
  parseV3EndpointHealth,
  parseV3EndpointStatusJson,
  parseV3MemberList,
} from './etcd.js';

const both = (name: string) => {
  const o = capture(name);
  return `${o.stdout}\n${o.stderr}`;
};

test('v2 cluster-health: guide sample, healthy', () => {
  const h = parseV2ClusterHealth(fixture('guide/etcdctl2-cluster-health.txt'));
  assert.equal(h.cluster, 'healthy');
  assert.deepEqual(
    h.members.map((m) => [m.id, m.health, m.urls[0]]),
    [
      ['59df5107484b84df', 'healthy', 'https://10.156.0.5:2379'],
      ['6df7221a03f65299', 'healthy', 'https://10.156.0.6:2379'],
      ['fea6dfedf3eecfa3', 'healthy', 'https://10.156.0.9:2379'],
    ],
  );
});

test('v2 cluster-health: guide sample with an unreachable member (getsockopt)', () => {
  const h = parseV2ClusterHealth(fixture('guide/etcdctl2-cluster-health-unreachable.txt'));
  assert.equal(h.cluster, 'healthy');
  const bad = h.members.find((m) => m.id === '8372784203e11288')!;
  assert.equal(bad.health, 'unreachable');
  assert.deepEqual(bad.urls, ['https://192.168.55.21:2379']);
  assert.match(bad.error!, /getsockopt: connection refused/);
  assert.equal(h.members.filter((m) => m.health === 'healthy').length, 3);
  assert.deepEqual(h.errors, []);
});

test('v2 cluster-health: real 3.4.23 healthy / one down / quorum lost / all down / v2 disabled', () => {
  const ok = parseV2ClusterHealth(both('v2-cluster-health-healthy'));
  assert.equal(ok.cluster, 'healthy');
  assert.equal(ok.members.length, 3);
  const one = parseV2ClusterHealth(both('v2-cluster-health-one-down'));
  assert.equal(one.cluster, 'degraded');
  assert.deepEqual(
    one.members.filter((m) => m.health !== 'healthy').map((m) => m.id),
    ['3c2922b13acbf091'],
  );
  assert.match(one.members[0]!.error!, /connect: connection refused/);
  const lost = parseV2ClusterHealth(both('v2-cluster-health-quorum-lost'));
  assert.equal(lost.cluster, 'unavailable');
  assert.deepEqual(
    lost.members.map((m) => m.health),
    ['unreachable', 'unhealthy', 'unreachable'],
  );
  const all = parseV2ClusterHealth(both('v2-cluster-health-all-down'));
  assert.equal(all.cluster, 'unknown');
  assert.equal(all.members.length, 0);
  assert.ok(all.errors.some((e) => /failed to list members/.test(e)));
  const nov2 = parseV2ClusterHealth(both('v2-cluster-health-no-v2'));
  assert.ok(nov2.errors.some((e) => /404/.test(e)));
});

test('v2 member list: guide samples and real output, unstarted member', () => {
  const g = parseV2MemberList(fixture('guide/etcdctl2-member-list.txt'));
  assert.equal(g.length, 3);
  assert.deepEqual(g[0], {
    id: '295750b7103123e0',
    name: 'ocp-master-zh8d',
    started: true,
    peerURLs: ['https://10.156.0.7:2380'],
    clientURLs: ['https://10.156.0.7:2379'],
    isLeader: true,
  });
  const lh = parseV2MemberList(fixture('guide/etcdctl2-member-list-localhost.txt'));
  assert.deepEqual(lh[0]!.peerURLs, ['http://localhost:2380']);
  const real = parseV2MemberList(capture('v2-member-list').stdout);
  assert.deepEqual(
    real.filter((m) => m.isLeader).map((m) => m.name),
    ['e2'],
  );
  const un = parseV2MemberList(capture('v2-member-list-unstarted').stdout);
  assert.deepEqual(un[0], {
    id: '80ad0f256fadf0d3',
    name: '',
    started: false,
    peerURLs: ['http://127.0.8.7:2380'],
    clientURLs: [],
    isLeader: false,
  });
});

test('v3 endpoint health: guide sample; real output is on stderr, unhealthy exits 1', () => {
  const g = parseV3EndpointHealth(fixture('guide/etcdctl3-endpoint-health.txt'));
  assert.deepEqual(
    g.map((e) => [e.endpoint, e.healthy]),
    [
      ['https://master-0.example.com:2379', true],
      ['https://master-1.example.com:2379', true],
      ['https://master-2.example.com:2379', true],
    ],
  );
  const healthy = capture('v3-endpoint-health-healthy');
  assert.equal(healthy.stdout, '');
  assert.equal(parseV3EndpointHealth(healthy.stderr).length, 3);
  const down = capture('v3-endpoint-health-one-down');
  assert.equal(down.exitCode, 1);
  const d = parseV3EndpointHealth(down.stdout + down.stderr);
  assert.deepEqual(
    d.filter((e) => !e.healthy).map((e) => [e.endpoint, e.detail]),
    [['http://127.0.8.3:2379', 'failed to commit proposal: context deadline exceeded']],
  );
  assert.equal(parseV3EndpointHealth(both('v3-endpoint-health-all-down')).filter((e) => e.healthy).length, 0);
});

test('v3 member list: guide comma format, real comma / table / json, unstarted', () => {
  const g = parseV3MemberList(fixture('guide/etcdctl3-member-list.txt'));
  assert.deepEqual(
    g.map((m) => [m.id, m.name, m.started, m.peerURLs[0]]),
    [
      ['2a371dd20f21ca8d', 'master-1.example.com', true, 'https://192.168.55.12:2380'],
      ['40bef1f6c79b3163', 'master-0.example.com', true, 'https://192.168.55.8:2380'],
      ['95dc17ffcce8ee29', 'master-2.example.com', true, 'https://192.168.55.13:2380'],
    ],
  );
  const comma = parseV3MemberList(capture('v3-member-list').stdout);
  const table = parseV3MemberList(capture('v3-member-list-table').stdout);
  const json = parseV3MemberList(capture('v3-member-list-json').stdout);
  assert.equal(comma.length, 3);
  assert.deepEqual(table, comma);
  // JSON ids are decimal uint64 beyond 2^53: converted losslessly to the hex the other formats print
  assert.deepEqual(
    json.map((m) => m.id),
    comma.map((m) => m.id),
  );
  assert.deepEqual(
    json.map((m) => [m.name, m.peerURLs, m.clientURLs]),
    comma.map((m) => [m.name, m.peerURLs, m.clientURLs]),
  );
  const unJson = parseV3MemberList(capture('v3-member-list-json-unstarted').stdout);
  const unComma = parseV3MemberList(capture('v3-member-list-unstarted').stdout);
  assert.deepEqual(
    unJson.map((m) => [m.id, m.started, m.name]),
    [
      ['80ad0f256fadf0d3', false, ''],
      ['e8014a2b64daa01d', true, 's1'],
    ],
  );
  assert.deepEqual(
    unComma.map((m) => [m.id, m.started, m.name]),
    [
      ['80ad0f256fadf0d3', false, ''],
      ['e8014a2b64daa01d', true, 's1'],
    ],
  );
});

test('decimal uint64 ids: lossless', () => {
  assert.equal(decimalIdToHex('13907325859914748375'), 'c100bf2f77d291d7');
  assert.notEqual(Number('13907325859914748375').toString(16), 'c100bf2f77d291d7');
});

test('v3 endpoint status json: leader as each endpoint sees it', () => {
  const s = parseV3EndpointStatusJson(capture('v3-endpoint-status-json').stdout);
  assert.equal(s.length, 3);
  assert.ok(s.every((e) => e.leaderId === 'd602f3951c9409b4'));
  assert.equal(s[0]!.memberId, 'c100bf2f77d291d7');
  assert.equal(s[0]!.version, '3.4.23');
  assert.equal(parseV3EndpointStatusJson(capture('v3-endpoint-status-json-one-down').stdout).length, 2);
});

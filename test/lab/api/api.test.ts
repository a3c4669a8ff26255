// The lab's cluster API through the REAL kubectl (1.20) and the lab's oc wrapper. Self-contained:
// starts its own server (start.sh) on a free 127.0.0.x port in a temp dir, stops it (stop.sh, by pid).
//   node --import tsx --test test/lab/api/api.test.ts

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KUBECTL = process.env['LAB_KUBECTL'] ?? 'kubectl';
let dir = '';
let listen = '';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[], env: Record<string, string> = {}): Out {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const kubectl = (...args: string[]) =>
  run(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), ...args]);
const oc = (...args: string[]) => run(path.join(HERE, 'oc'), args, { LAB_API_DIR: dir, LAB_KUBECONFIG: '' });
const ctl = (...args: string[]) => run(path.join(HERE, 'ctl.sh'), [dir, ...args]);
function ok(o: Out, what: string): string {
  assert.equal(o.code, 0, `${what} failed (${o.code}):\n${o.stdout}\n${o.stderr}`);
  return o.stdout;
}
function json(o: Out, what: string): any {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(ok(o, what));
}
/** Table text → rows split on runs of 2+ spaces (cells here have single spaces at most). */
function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}
function scenario(name: string): void {
  const r = ctl('scenario', name);
  ok(r, `scenario ${name}`);
  assert.match(r.stdout, new RegExp(`"scenario":"${name}"`));
}

async function freeAddress(): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const host = `127.0.0.${2 + Math.floor(Math.random() * 250)}`;
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(0));
      s.listen(0, host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (port) return `${host}:${port}`;
  }
  throw new Error('no free 127.0.0.x port');
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-api-'));
  listen = await freeAddress();
  ok(run(path.join(HERE, 'start.sh'), [dir, 'healthy'], { LAB_API_LISTEN: listen, LAB_API_FRESH: '1' }), 'start.sh');
});
after(() => {
  if (dir) {
    run(path.join(HERE, 'stop.sh'), [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('lab cluster API', () => {
  it('is driven by kubectl 1.20', () => {
    const v = json(run(KUBECTL, ['version', '--client', '-o', 'json']), 'kubectl version');
    assert.equal(
      `${v.clientVersion.major}.${v.clientVersion.minor}`,
      '1.20',
      `kubectl on PATH is ${v.clientVersion.gitVersion}; set LAB_KUBECTL to a kubectl 1.20`,
    );
    const sv = json(
      run(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), 'version', '-o', 'json']),
      'kubectl version (server)',
    );
    assert.equal(sv.serverVersion.gitVersion, 'v1.10.0+b81c8f8');
  });

  it('writes a kubeconfig with a CA, a token and namespace default; refuses a wrong token', () => {
    const cfg = readFileSync(path.join(dir, 'kubeconfig'), 'utf8');
    assert.match(cfg, new RegExp(`server: https://${listen.replace(/\./g, '\\.')}`));
    assert.match(cfg, /certificate-authority: .*pki\/ca\.crt/);
    assert.match(cfg, /token: [0-9a-f]{48}/);
    assert.match(cfg, /namespace: default/);
    const bad = kubectl('--token', 'wrong', 'get', 'nodes');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unauthorized/);
  });

  it('oc get nodes: the guide-shaped table, masters SchedulingDisabled, lb not a node', () => {
    const t = rows(ok(oc('get', 'nodes'), 'oc get nodes'));
    assert.deepEqual(t[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    const byName = new Map(t.slice(1).map((r) => [r[0], r]));
    assert.equal(byName.size, 6);
    for (const m of ['master-0', 'master-1', 'master-2']) {
      const r = byName.get(`${m}.lab.example.com`)!;
      assert.equal(r[1], 'Ready,SchedulingDisabled');
      assert.equal(r[2], 'master');
    }
    assert.deepEqual(byName.get('infra-0.lab.example.com')!.slice(1, 3), ['Ready', 'infra']);
    assert.deepEqual(byName.get('node-0.lab.example.com')!.slice(1, 3), ['Ready', 'compute']);
    for (const r of byName.values()) {
      assert.equal(r[4], 'v1.10.0+b81c8f8');
      assert.match(r[3]!, /^\d+[smhdy]$/);
    }
    assert.ok(!byName.has('lb-0.lab.example.com'));
    const nodes = json(kubectl('get', 'nodes', '-o', 'json'), 'get nodes -o json');
    assert.equal(nodes.items.length, 6);
    assert.equal(
      ok(
        kubectl('get', 'node', 'node-1.lab.example.com', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'),
        'jsonpath',
      ),
      '127.0.12.2',
    );
    assert.equal(
      ok(kubectl('get', 'nodes', '-l', 'node-role.kubernetes.io/infra=true', '-o', 'name'), 'label selector').trim(),
      'node/infra-0.lab.example.com',
    );
  });

  it('default project: router and registry DCs, pods on infra nodes (-o wide), services', () => {
    for (const dc of ['router', 'docker-registry']) {
      const t = rows(ok(oc('-n', 'default', 'get', `deploymentconfigs/${dc}`), `get dc ${dc}`));
      assert.deepEqual(t[0], ['NAME', 'REVISION', 'DESIRED', 'CURRENT', 'TRIGGERED BY']);
      assert.deepEqual(t[1], [dc, '1', '1', '1', 'config']);
    }
    assert.equal(rows(ok(oc('get', 'dc', '-n', 'default'), 'get dc')).length, 3);
    assert.equal(rows(ok(oc('get', 'deploymentconfig', 'router', '-n', 'default'), 'get deploymentconfig')).length, 2);
    const t = rows(ok(oc('-n', 'default', 'get', 'pods', '-o', 'wide'), 'get pods -o wide'));
    assert.deepEqual(t[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    const pods = t.slice(1);
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.match(p[0]!, /^(router|docker-registry)-1-[a-z0-9]{5}$/);
      assert.deepEqual([p[1], p[2], p[6]], ['1/1', 'Running', 'infra-0.lab.example.com']);
    }
    const svc = rows(ok(oc('get', 'svc/docker-registry', '-n', 'default'), 'get svc'));
    assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.match(svc[1]![2]!, /^127\.30\.\d+\.\d+$/); // the lab's service network (SERVICE_NETWORK in cluster.ts)
    const reg = ok(
      oc(
        'get',
        'dc',
        'docker-registry',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.template.spec.containers[].env[?(@.name=="OPENSHIFT_DEFAULT_REGISTRY")].value}',
      ),
      'jsonpath env',
    );
    assert.equal(reg, 'docker-registry.default.svc:5000');
    const desc = ok(oc('describe', 'svc', 'kubernetes', '-n', 'default'), 'describe svc');
    assert.match(desc, /Endpoints:\s+127\.0\.10\.1:8443,127\.0\.10\.2:8443,127\.0\.10\.3:8443/);
  });

  it('one default storage class; the controllers leader on master-0', () => {
    const t = rows(ok(oc('get', 'storageclass'), 'get sc'));
    assert.deepEqual(t[0], ['NAME', 'PROVISIONER', 'AGE']);
    assert.deepEqual(
      t.slice(1).map((r) => r[0]),
      ['ssd', 'standard (default)'],
    );
    const cm = json(oc('get', '-n', 'kube-system', 'cm', 'openshift-master-controllers', '-o', 'json'), 'get cm');
    const leader = JSON.parse(cm.metadata.annotations['control-plane.alpha.kubernetes.io/leader']);
    assert.match(leader.holderIdentity, /^master-master-0\.lab\.example\.com-127\.0\.10\.1-[0-9a-z]{8}$/);
  });

  it('oc whoami, version, project; unsupported verbs say so', () => {
    assert.equal(ok(oc('whoami'), 'whoami').trim(), 'system:admin');
    assert.match(ok(oc('version'), 'version'), /^oc v3\.10\.\d+\nkubernetes v1\.10\.0\+b81c8f8\n[\s\S]*openshift v3\.10\.\d+/);
    assert.match(ok(oc('project'), 'project'), /^Using project "default" on server "https:\/\//);
    const bad = oc('rollout', 'latest', 'dc/router');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^lab oc: rollout not supported$/m);
    assert.equal(oc('adm', 'top', 'nodes').code, 1);
  });

  it('oc auth can-i as kubectl answers it: the admin may list nodes; the limited login viewer (bin/oc-viewer) may not', () => {
    assert.equal(ok(oc('auth', 'can-i', 'list', 'nodes'), 'can-i').trim(), 'yes');
    const viewer = (...args: string[]) => run(path.join(dir, 'bin', 'oc-viewer'), args, { LAB_KUBECONFIG: '' });
    assert.equal(ok(viewer('whoami'), 'viewer whoami').trim(), 'viewer');
    const no = viewer('auth', 'can-i', 'list', 'nodes');
    assert.equal(no.code, 1, no.stderr);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(ok(viewer('auth', 'can-i', 'list', 'pods', '-n', 'default'), 'viewer can-i pods').trim(), 'yes');
    const forbidden = viewer('get', 'nodes');
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /Forbidden.*User "viewer" cannot list nodes/);
  });

  it('scenarios switch at runtime: NotReady node, degraded router, no default class, leader on master-1', () => {
    try {
      scenario('node-notready');
      const n = rows(ok(oc('get', 'nodes'), 'get nodes')).find((r) => r[0] === 'node-1.lab.example.com')!;
      assert.equal(n[1], 'NotReady');
      const cond = ok(
        kubectl('get', 'node', 'node-1.lab.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'),
        'cond',
      );
      assert.equal(cond, 'Unknown');

      scenario('router-degraded');
      const dc = rows(ok(oc('-n', 'default', 'get', 'deploymentconfigs/router'), 'get dc'));
      assert.deepEqual(dc[1]!.slice(0, 4), ['router', '1', '3', '2']);
      const st = json(oc('-n', 'default', 'get', 'dc', 'router', '-o', 'json'), 'dc json').status;
      assert.equal(st.availableReplicas, 2);
      const pods = rows(ok(oc('-n', 'default', 'get', 'pods', '-l', 'deploymentconfig=router'), 'router pods')).slice(1);
      assert.deepEqual(pods.map((p) => p[2]).sort(), ['Pending', 'Running', 'Running']);

      scenario('no-default-sc');
      const sc = rows(ok(oc('get', 'storageclass'), 'get sc')).slice(1);
      assert.ok(sc.length > 0 && sc.every((r) => !r[0]!.includes('(default)')));

      scenario('leader-master-1');
      const cm = json(oc('get', '-n', 'kube-system', 'cm', 'openshift-master-controllers', '-o', 'json'), 'get cm');
      assert.match(
        JSON.parse(cm.metadata.annotations['control-plane.alpha.kubernetes.io/leader']).holderIdentity,
        /^master-master-1\.lab\.example\.com-127\.0\.10\.2-[0-9a-z]{8}$/,
      );
      assert.equal(ok(ctl('state'), 'state').includes('"scenario":"leader-master-1"'), true);
    } finally {
      scenario('healthy');
    }
  });

  it('manage-node --schedulable=false|true cordons and uncordons (spec.unschedulable)', () => {
    const off = ok(oc('adm', 'manage-node', 'node-0.lab.example.com', '--schedulable=false'), 'manage-node false');
    assert.match(off, /node-0\.lab\.example\.com\s+Ready,SchedulingDisabled\s+compute/);
    assert.equal(ok(kubectl('get', 'node', 'node-0.lab.example.com', '-o', 'jsonpath={.spec.unschedulable}'), 'jsonpath'), 'true');
    const on = ok(oc('adm', 'manage-node', 'node-0.lab.example.com', '--schedulable=true'), 'manage-node true');
    assert.match(on, /node-0\.lab\.example\.com\s+Ready\s+compute/);
    assert.equal(ok(kubectl('get', 'node', 'node-0.lab.example.com', '-o', 'jsonpath={.spec.unschedulable}'), 'jsonpath'), '');
    // kubectl's own cordon/uncordon against the same API
    ok(kubectl('cordon', 'node-1.lab.example.com'), 'kubectl cordon');
    assert.equal(ok(kubectl('get', 'node', 'node-1.lab.example.com', '-o', 'jsonpath={.spec.unschedulable}'), 'jsonpath'), 'true');
    ok(kubectl('uncordon', 'node-1.lab.example.com'), 'kubectl uncordon');
  });

  it('oc adm drain: refuses the bare pod without --force; with it evicts (the PDB blocks once), leaves the DS pod', () => {
    const node = 'node-0.lab.example.com';
    const podsOn = () =>
      rows(ok(oc('adm', 'manage-node', node, '--list-pods'), 'list-pods')).filter((r) => r[0] !== 'NAME' && !r[0]!.startsWith('Listing'));
    const before = podsOn().map((r) => r[0]!);
    assert.ok(before.includes('bare-httpd'));
    assert.ok(before.some((p) => p.startsWith('sdn-')));
    assert.ok(before.some((p) => p.startsWith('frontend-1-')));
    assert.ok(before.some((p) => p.startsWith('cache-')));

    const refused = oc('adm', 'drain', node, '--ignore-daemonsets', '--delete-local-data');
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet \(use --force to override\): myproject\/bare-httpd/,
    );
    assert.deepEqual(
      podsOn()
        .map((r) => r[0])
        .sort(),
      [...before].sort(),
      'a refused drain evicts nothing',
    );

    const noLocal = oc('adm', 'drain', node, '--ignore-daemonsets', '--force');
    assert.notEqual(noLocal.code, 0);
    assert.match(noLocal.stderr, /local storage \(use --delete-local-data to override\): myproject\/cache-/);

    const d = oc('adm', 'drain', node, '--ignore-daemonsets', '--delete-local-data', '--force');
    ok(d, 'drain');
    const all = d.stdout + d.stderr;
    assert.equal(
      (
        all.match(
          new RegExp(
            String.raw`error when evicting pod "frontend-1-[a-z0-9]+" \(will retry after 5s\): Cannot evict pod ` +
              String.raw`as it would violate the pod's disruption budget\.`,
            'g',
          ),
        ) ?? []
      ).length,
      1,
      all,
    );
    assert.match(d.stdout, /^pod "frontend-1-[a-z0-9]+" evicted$/m);
    assert.match(d.stdout, /^pod "bare-httpd" evicted$/m);
    assert.match(d.stdout, /^pod "cache-[a-z0-9]+" evicted$/m);
    assert.match(d.stdout, new RegExp(`^node "${node}" drained$`, 'm'));
    assert.match(d.stderr, /ignoring DaemonSet-managed Pods: openshift-sdn\/sdn-/);

    const left = podsOn();
    assert.equal(left.length, 1);
    assert.match(left[0]![0]!, /^sdn-/);
    assert.equal(ok(kubectl('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'), 'cordoned'), 'true');
    // controller-owned pods came back elsewhere; the bare pod is gone for good
    const app = rows(ok(oc('get', 'pods', '-n', 'myproject', '-o', 'wide'), 'app pods')).slice(1);
    assert.ok(!app.some((r) => r[0] === 'bare-httpd'));
    assert.equal(app.filter((r) => r[0]!.startsWith('frontend-1-') && r[2] === 'Running' && r[6] === 'node-1.lab.example.com').length, 2);
    assert.equal(app.filter((r) => r[0]!.startsWith('cache-') && r[6] === 'node-1.lab.example.com').length, 1);
    ok(oc('adm', 'manage-node', node, '--schedulable=true'), 'uncordon');
  });

  it('oc scale dc/router --replicas=2', () => {
    const s = oc('scale', 'dc/router', '--replicas=2', '-n', 'default');
    assert.match(ok(s, 'scale'), /^deploymentconfig\.apps\.openshift\.io "router" scaled$/m);
    const dc = rows(ok(oc('-n', 'default', 'get', 'dc', 'router'), 'get dc'));
    assert.equal(dc[1]![2], '2');
    assert.equal(ok(kubectl('-n', 'default', 'get', 'dc', 'router', '-o', 'jsonpath={.spec.replicas}'), 'jsonpath'), '2');
    const pods = rows(ok(oc('-n', 'default', 'get', 'pods', '-l', 'deploymentconfig=router'), 'router pods')).slice(1);
    assert.equal(pods.length, 2);
    // one infra node, host ports 80/443: the second router cannot be placed
    assert.deepEqual(pods.map((p) => p[2]).sort(), ['Pending', 'Running']);
    ok(oc('scale', 'dc/router', '--replicas=1', '-n', 'default'), 'scale back');
    assert.equal(rows(ok(oc('-n', 'default', 'get', 'pods', '-l', 'deploymentconfig=router'), 'router pods')).length, 2);
  });

  it('oc delete node removes it and its pods; the state survives a restart', () => {
    const del = oc('delete', 'node', 'node-1.lab.example.com');
    assert.match(ok(del, 'delete node'), /^node "node-1\.lab\.example\.com" deleted$/m);
    const names = () =>
      rows(ok(oc('get', 'nodes'), 'get nodes'))
        .slice(1)
        .map((r) => r[0]);
    assert.ok(!names().includes('node-1.lab.example.com'));
    const onIt = json(
      kubectl('get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-1.lab.example.com', '-o', 'json'),
      'pods on node',
    );
    assert.equal(onIt.items.length, 0);
    assert.notEqual(oc('get', 'node', 'node-1.lab.example.com').code, 0);

    ok(run(path.join(HERE, 'stop.sh'), [dir]), 'stop.sh');
    assert.ok(!existsSync(path.join(dir, 'server.pid')));
    ok(run(path.join(HERE, 'start.sh'), [dir], { LAB_API_LISTEN: listen }), 'start.sh again');
    assert.ok(!names().includes('node-1.lab.example.com'), 'the deleted node stays deleted after a restart');
    ok(run(path.join(dir, 'bin', 'oc'), ['get', 'nodes'], { LAB_API_DIR: '', LAB_KUBECONFIG: '' }), 'DIR/bin/oc');
  });
});

describe('lab DNS (dns.ts) through the real dig', () => {
  it('A records, the wildcard, NXDOMAIN and NODATA like an authoritative server', async () => {
    const { serveDns } = await import('./dns.js');
    const data = {
      names: new Map([
        ['docker-registry.default.svc.cluster.local', ['127.30.150.7']],
        ['lb-0.lab.example.com', ['127.0.13.1']],
      ]),
      wildcards: new Map([['apps.lab.example.com', ['127.0.13.1']]]),
    };
    const errors: Error[] = [];
    const sock = serveDns(
      '127.0.0.1',
      () => data,
      (e) => errors.push(e),
      0,
    );
    await new Promise<void>((r) => sock.once('listening', () => r()));
    const port = sock.address().port;
    const dig = (...a: string[]) =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        import('node:child_process').then(({ execFile }) =>
          execFile('dig', [`@127.0.0.1`, '-p', String(port), '+time=2', '+tries=1', ...a], (err, stdout) =>
            resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }),
          ),
        );
      });
    try {
      assert.deepEqual(await dig('+short', 'docker-registry.default.svc.cluster.local'), { status: 0, stdout: '127.30.150.7\n' });
      assert.deepEqual(await dig('+short', 'day2-tui-wildcard-check.apps.lab.example.com'), { status: 0, stdout: '127.0.13.1\n' });
      assert.deepEqual(await dig('+short', 'LB-0.lab.example.com.'), { status: 0, stdout: '127.0.13.1\n' });
      assert.deepEqual(await dig('+short', 'nothing.example.org'), { status: 0, stdout: '' });
      assert.match((await dig('nothing.example.org')).stdout, /status: NXDOMAIN/);
      const aaaa = await dig('AAAA', 'lb-0.lab.example.com');
      assert.match(aaaa.stdout, /status: NOERROR/);
      assert.match(aaaa.stdout, /ANSWER: 0,/);
      assert.deepEqual(errors, []);
    } finally {
      sock.close();
    }
  });
});

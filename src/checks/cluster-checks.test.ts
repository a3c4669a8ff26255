import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controllersLeaderCheck, parseHolderIdentity } from './controllers-leader.js';
import { defaultStorageClassCheck } from './default-storageclass.js';
import { ALL_CHECKS } from './index.js';
import { nodesReadyCheck } from './nodes-ready.js';
import { parseOcDeploymentConfigs, parseOcNodes, parseOcPods, parseOcServices, parseOcStorageClasses } from './parse/oc-table.js';
import { registryCheck } from './registry.js';
import { registryRouteCheck } from './registry-route.js';
import { routerCheck } from './router.js';
import { routerDnsCheck } from './router-dns.js';
import { ctxOf, fixture, guideInventory, host, judge, labInventory, out, TEST_NOW } from './test-helpers.js';

const gctx = ctxOf(guideInventory());

test('oc tables: the guide samples', () => {
  const nodes = parseOcNodes(fixture('guide/oc-get-nodes.txt'));
  assert.equal(nodes.length, 9);
  assert.deepEqual(nodes[3], {
    name: 'ocp-master-94zd',
    conditions: ['Ready', 'SchedulingDisabled'],
    ready: true,
    schedulingDisabled: true,
    version: 'v1.6.1+5115d708d7',
  });
  assert.deepEqual(parseOcDeploymentConfigs(fixture('guide/oc-get-dc-router.txt')), [
    { name: 'router', revision: 1, desired: 3, current: 3, triggeredBy: 'config' },
  ]);
  assert.deepEqual(parseOcStorageClasses(fixture('guide/oc-get-storageclass.txt')), [
    { name: 'ssd', isDefault: false, provisioner: 'kubernetes.io/gce-pd' },
    { name: 'standard', isDefault: true, provisioner: 'kubernetes.io/gce-pd' },
  ]);
  const pods = parseOcPods(fixture('guide/oc-get-pods-wide.txt'));
  assert.deepEqual(pods[4], {
    name: 'router-1-6zhf8',
    ready: '1/1',
    status: 'Running',
    restarts: 0,
    ip: '10.156.0.4',
    node: 'ocp-infra-node-62rc',
  });
  assert.deepEqual(parseOcServices(fixture('guide/oc-get-svc-docker-registry.txt')), [
    { name: 'docker-registry', clusterIP: '172.30.150.7', ports: '5000/TCP' },
  ]);
  const roles = parseOcNodes(
    'NAME      STATUS    ROLES           AGE   VERSION\nm1        Ready     master          1d    v1.11.0\nn1       ' +
      ' Ready     <none>          1d    v1.11.0\n',
  );
  assert.deepEqual(
    roles.map((n) => n.roles),
    [['master'], []],
  );
});

test('default-storageclass: one default ok; none → warn; two → fail', () => {
  const sc = (s: string) => judge(defaultStorageClassCheck, { storageclass: out(s) }, undefined, gctx);
  assert.equal(sc(fixture('guide/oc-get-storageclass.txt')).status, 'ok');
  assert.equal(sc(fixture('guide/oc-get-storageclass.txt')).message, 'default storage class: standard');
  assert.equal(sc('NAME   TYPE\nssd    kubernetes.io/gce-pd\n').status, 'warn');
  const two = sc('NAME                 TYPE\nssd (default)        kubernetes.io/gce-pd\nstandard (default)   kubernetes.io/gce-pd\n');
  assert.equal(two.status, 'fail');
  assert.match(two.message, /ssd and standard/);
  assert.equal(judge(defaultStorageClassCheck, { storageclass: out('', 0, 'No resources found.') }, undefined, gctx).status, 'warn');
  const forbidden = judge(
    defaultStorageClassCheck,
    { storageclass: out('', 1, 'Error from server (Forbidden): storageclasses.storage.k8s.io is forbidden') },
    undefined,
    gctx,
  );
  assert.equal(forbidden.status, 'error');
  const noOc = judge(defaultStorageClassCheck, { storageclass: out('', 127, 'sh: oc: command not found') }, undefined, gctx);
  assert.equal(noOc.status, 'error');
  assert.match(noOc.message, /oc is not installed/);
});

test('nodes-ready: guide sample ok; NotReady → fail naming the node with the 10250 hint; missing node → fail', () => {
  const ok = judge(nodesReadyCheck, { nodes: out(fixture('guide/oc-get-nodes.txt')) }, undefined, gctx);
  assert.equal(ok.status, 'ok');
  const bad = judge(nodesReadyCheck, { nodes: out(fixture('guide/oc-get-nodes-notready.txt')) }, undefined, gctx);
  assert.equal(bad.status, 'fail');
  assert.match(bad.message, /ocp-node-w135/);
  assert.match(bad.message, /10250/);
  const missing = fixture('guide/oc-get-nodes.txt')
    .split('\n')
    .filter((l) => !l.startsWith('ocp-node-ghxn'))
    .join('\n');
  const mv = judge(nodesReadyCheck, { nodes: out(missing) }, undefined, gctx);
  assert.equal(mv.status, 'fail');
  assert.match(mv.message, /ocp-node-ghxn/);
  const cordoned = fixture('guide/oc-get-nodes.txt').replace(/^(ocp-node-c5dg\s+)Ready {19}/m, '$1Ready,SchedulingDisabled');
  assert.equal(judge(nodesReadyCheck, { nodes: out(cordoned) }, undefined, gctx).status, 'warn');
});

const dc = (name: string, desired: number, current: number) =>
  out(
    `NAME${' '.repeat(14)}REVISION   DESIRED   CURRENT   TRIGGERED BY\n${name.padEnd(18)}1          ` +
      `${String(desired).padEnd(10)}${String(current).padEnd(10)}config\n`,
  );

test('router: guide sample ok (3 infra nodes); 2 of 3 → fail; replicas ≠ infra → warn; none → fail', () => {
  const pods = out(fixture('guide/oc-get-pods-wide.txt'));
  const ok = judge(routerCheck, { dc: out(fixture('guide/oc-get-dc-router.txt')), pods }, undefined, gctx);
  assert.equal(ok.status, 'ok');
  assert.match(ok.message, /3\/3/);
  const podsDown = out(fixture('guide/oc-get-pods-wide.txt').replace(/^(router-1-zqxbl\s+)1\/1 {7}Running/m, '$10/1       Pending'));
  const two = judge(routerCheck, { dc: dc('router', 3, 2), pods: podsDown }, undefined, gctx);
  assert.equal(two.status, 'fail');
  assert.match(two.message, /2 of 3/);
  assert.match(two.message, /router-1-zqxbl \(Pending on ocp-infra-node-xrtz\)/);
  assert.equal(judge(routerCheck, { dc: dc('router', 2, 2), pods }, undefined, gctx).status, 'warn');
  const none = judge(
    routerCheck,
    { dc: out('', 1, 'Error from server (NotFound): deploymentconfigs.apps.openshift.io "router" not found'), pods },
    undefined,
    gctx,
  );
  assert.equal(none.status, 'fail');
  // a pod listing that failed is not "every pod is fine"
  const unlisted = judge(
    routerCheck,
    { dc: out(fixture('guide/oc-get-dc-router.txt')), pods: out('', 1, 'Error from server (Forbidden): pods is forbidden') },
    undefined,
    gctx,
  );
  assert.equal(unlisted.status, 'error');
  assert.match(unlisted.message, /oc -n default get pods failed: Error from server \(Forbidden\)/);
});

test('registry: guide sample ok; one replica ok; none → warn (external registry possible)', () => {
  const pods = out(fixture('guide/oc-get-pods-wide.txt'));
  assert.equal(judge(registryCheck, { dc: out(fixture('guide/oc-get-dc-docker-registry.txt')), pods }, undefined, gctx).status, 'ok');
  const one = judge(
    registryCheck,
    { dc: dc('docker-registry', 1, 1), pods: out('NAME   READY   STATUS\ndocker-registry-1-54nhl   1/1   Running\n') },
    undefined,
    gctx,
  );
  assert.equal(one.status, 'ok');
  assert.match(one.message, /single writer/);
  const none = judge(
    registryCheck,
    { dc: out('', 1, 'Error from server (NotFound): deploymentconfigs.apps.openshift.io "docker-registry" not found'), pods },
    undefined,
    gctx,
  );
  assert.equal(none.status, 'warn');
  assert.match(none.message, /external/);
});

test('controllers-leader: the guide holderIdentity; leader on master-1; missing annotation; Forbidden', () => {
  assert.deepEqual(parseHolderIdentity('master-ose-master-0.example.com-10.19.115.212-dnwrtcl4'), {
    hostname: 'ose-master-0.example.com',
    ip: '10.19.115.212',
  });
  const inv = labInventory({ hosts: [0, 1, 2].map((i) => host(`ose-master-${i}.example.com`, ['master'])) });
  // read 7 s after the guide's renewTime (2018-02-19T13:50:33Z)
  const g = judge(
    controllersLeaderCheck,
    { configmap: out(fixture('guide/oc-get-cm-controllers.json')) },
    undefined,
    ctxOf(inv, Date.parse('2018-02-19T13:50:40Z')),
  );
  assert.equal(g.status, 'ok');
  assert.equal(g.message, 'controllers run on ose-master-0.example.com');
  const cm = (holder: string) =>
    out(
      JSON.stringify({
        metadata: {
          annotations: {
            'control-plane.alpha.kubernetes.io/leader': JSON.stringify({
              holderIdentity: holder,
              leaseDurationSeconds: 15,
              renewTime: new Date(TEST_NOW - 3000).toISOString().replace(/\.\d+Z$/, 'Z'),
            }),
          },
        },
      }),
    );
  const m1 = judge(
    controllersLeaderCheck,
    { configmap: cm('master-master-1.example.com-127.0.8.2-abcd1234') },
    undefined,
    ctxOf(labInventory()),
  );
  assert.equal(m1.status, 'ok');
  assert.equal(m1.message, 'controllers run on master-1.example.com');
  const none = judge(controllersLeaderCheck, { configmap: out('{"metadata":{"annotations":{}}}') }, undefined, gctx);
  assert.equal(none.status, 'error');
  const forbidden = judge(
    controllersLeaderCheck,
    {
      configmap: out(
        '',
        1,
        'Error from server (Forbidden): configmaps "openshift-master-controllers" is forbidden: User "dev" cannot ' +
          'get configmaps in the namespace "kube-system"',
      ),
    },
    undefined,
    gctx,
  );
  assert.equal(forbidden.status, 'error');
  assert.match(forbidden.message, /cluster-admin/);
});

test(
  "controllers-leader: a lease nobody renews fails (time from the context's clock), naming since when and the lease; " +
    'no renewTime → warn',
  () => {
    const lease = (fields: Record<string, unknown>) =>
      out(
        JSON.stringify({
          metadata: {
            annotations: {
              'control-plane.alpha.kubernetes.io/leader': JSON.stringify({
                holderIdentity: 'master-master-0.example.com-127.0.8.1-dnwrtcl4',
                ...fields,
              }),
            },
          },
        }),
      );
    const at = (iso: string) => ctxOf(labInventory(), Date.parse(iso));
    const renewed = { leaseDurationSeconds: 15, acquireTime: '2018-10-01T08:00:00Z', renewTime: '2018-10-04T09:12:33Z' };
    // the guide's cluster read 7 s after the last renewal: fine; 10 min after: nobody runs the controllers
    assert.equal(judge(controllersLeaderCheck, { configmap: lease(renewed) }, undefined, at('2018-10-04T09:12:40Z')).status, 'ok');
    const stale = judge(controllersLeaderCheck, { configmap: lease(renewed) }, undefined, at('2018-10-04T09:22:33Z'));
    assert.equal(stale.status, 'fail');
    assert.match(
      stale.message,
      /^no controllers have renewed the lease since 2018-10-04T09:12:33Z \(lease 15 s, 10 min ago; last holder master-0\.example\.com\)$/,
    );
    assert.match(stale.fix!.text, /master-logs controllers controllers/);
    assert.match(stale.fix!.text, /master-restart controllers/);
    // the answer's own receivedAt (set by the health run) is "now" when there is one
    const read = { ...lease(renewed), receivedAt: Date.parse('2018-10-04T09:12:40Z') };
    assert.equal(judge(controllersLeaderCheck, { configmap: read }, undefined, at('2019-01-01T00:00:00Z')).status, 'ok');
    // within the lease and the clock tolerance: not stale
    assert.equal(judge(controllersLeaderCheck, { configmap: lease(renewed) }, undefined, at('2018-10-04T09:12:52Z')).status, 'ok');
    assert.equal(judge(controllersLeaderCheck, { configmap: lease(renewed) }, undefined, at('2018-10-04T09:12:54Z')).status, 'fail');
    const noRenew = judge(
      controllersLeaderCheck,
      { configmap: lease({ leaseDurationSeconds: 15 }) },
      undefined,
      at('2018-10-04T09:12:40Z'),
    );
    assert.equal(noRenew.status, 'warn');
    assert.match(noRenew.message, /no renewTime/);
    const ahead = judge(controllersLeaderCheck, { configmap: lease(renewed) }, undefined, at('2018-10-04T09:10:00Z'));
    assert.equal(ahead.status, 'warn');
    assert.match(ahead.message, /ahead of this machine's clock/);
  },
);

test('router-dns and registry-route: skipped without a subdomain; guide samples', () => {
  assert.equal(judge(routerDnsCheck, {}, undefined, gctx).status, 'skipped');
  assert.equal(judge(registryRouteCheck, {}, undefined, gctx).status, 'skipped');
  const inv = labInventory({ groupVars: { OSEv3: { openshift_master_default_subdomain: 'apps.example.com' } } });
  const ctx = ctxOf(inv);
  assert.match(routerDnsCheck.commands(undefined, ctx)['dig']!.script, /^dig \+short day2-tui-wildcard-check\.apps\.example\.com$/);
  // the guide's answer (a CNAME, then the balancer's address) with that balancer as the inventory's [lb]
  const withLb = labInventory({ groupVars: { OSEv3: { openshift_master_default_subdomain: 'apps.example.com' } } });
  withLb.hosts.push(host('lb-0.example.com', ['lb'], { ansible_host: '35.0.0.92' }));
  const lbOk = judge(routerDnsCheck, { dig: out(fixture('guide/dig-short-wildcard.txt')) }, undefined, ctxOf(withLb));
  assert.equal(lbOk.status, 'ok');
  assert.equal(lbOk.message, '*.apps.example.com → 35.0.0.92 (lb-0.example.com)');
  assert.equal(judge(routerDnsCheck, { dig: out('') }, undefined, ctx).status, 'fail');
  assert.equal(judge(registryRouteCheck, { curl: out('', 0, fixture('guide/curl-registry-route.stderr')) }, undefined, ctx).status, 'ok');
  assert.equal(
    judge(
      registryRouteCheck,
      { curl: out('', 6, 'curl: (6) Could not resolve host: docker-registry-default.apps.example.com') },
      undefined,
      ctx,
    ).status,
    'fail',
  );
});

test(
  "router-dns: the wildcard must be the [lb] host's address, else an infra node's; anything else fails naming the " +
    'address and what was expected',
  () => {
    const sub = { OSEv3: { openshift_master_default_subdomain: 'apps.example.com' } };
    // no [lb]: the infra nodes (10.0.1.1–3) are what the wildcard may point at
    const noLb = ctxOf(labInventory({ groupVars: sub }));
    assert.deepEqual(Object.keys(routerDnsCheck.commands(undefined, noLb)), ['dig']);
    assert.equal(
      judge(routerDnsCheck, { dig: out('10.0.1.2\n') }, undefined, noLb).message,
      '*.apps.example.com → 10.0.1.2 (infra-1.example.com)',
    );
    const elsewhere = judge(routerDnsCheck, { dig: out(fixture('guide/dig-short-wildcard.txt')) }, undefined, noLb);
    assert.equal(elsewhere.status, 'fail');
    assert.equal(
      elsewhere.message,
      '*.apps.example.com → 35.0.0.92, which is not an infra node (no [lb] in the inventory): expected ' +
        'infra-0.example.com 10.0.1.1, infra-1.example.com 10.0.1.2 and infra-2.example.com 10.0.1.3',
    );
    assert.match(elsewhere.fix!.text, /Point the wildcard DNS record \*\.apps\.example\.com at the load balancer/);
    // with an [lb], an infra node's address is wrong too: the balancer is bypassed
    const lbInv = labInventory({ groupVars: sub });
    lbInv.hosts.push(host('lb-0.example.com', ['lb'], { openshift_ip: '10.0.3.1' }));
    const lb = ctxOf(lbInv);
    const bypass = judge(routerDnsCheck, { dig: out('10.0.1.1\n') }, undefined, lb);
    assert.equal(bypass.status, 'fail');
    assert.equal(bypass.message, '*.apps.example.com → 10.0.1.1, which is not the [lb] host: expected lb-0.example.com 10.0.3.1');
    // one round-robin address of two outside → fail naming only that one
    const rr = judge(routerDnsCheck, { dig: out('10.0.3.1\n10.9.9.9\n') }, undefined, lb);
    assert.equal(rr.status, 'fail');
    assert.match(rr.message, /→ 10\.9\.9\.9, which is not the \[lb\] host/);
    // an [lb] given by name only: resolved on the bastion too; unresolvable → warn, never ok
    const named = labInventory({ groupVars: sub });
    named.hosts.push(host('lb.example.com', ['lb']));
    const nctx = ctxOf(named);
    const cmds = routerDnsCheck.commands(undefined, nctx);
    assert.deepEqual(Object.keys(cmds), ['dig', 'resolve lb.example.com']);
    assert.equal(cmds['resolve lb.example.com']!.script, 'dig +short lb.example.com');
    assert.equal(
      judge(
        routerDnsCheck,
        { dig: out('apps.example.com.\n203.0.113.7\n'), 'resolve lb.example.com': out('203.0.113.7\n') },
        undefined,
        nctx,
      ).status,
      'ok',
    );
    const unknown = judge(routerDnsCheck, { dig: out('203.0.113.7\n'), 'resolve lb.example.com': out('') }, undefined, nctx);
    assert.equal(unknown.status, 'warn');
    assert.match(unknown.message, /cannot tell whether that is right/);
  },
);

// the order is the guide's, which the catalogue knows (sections and lines): procedures/catalogue.test.ts
test('ALL_CHECKS: 17 checks, each id once', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(ids.length, 17);
  assert.equal(new Set(ids).size, ids.length, ids.join(' '));
});

// Lab test of 5.2.1 master-decommission through the real CLI (`day2-tui run … --yes`), `oc` being the lab's,
// on either control plane (units, or OCP 3.10's static pods):
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/master-decommission.test.ts
//   (LAB_UP_ARGS='--control-plane systemd' for the unit form)
// - master-2 refused without allow-even=yes (3 → 2), nothing changed;
// - with it: out of backend mgmt8443, its API and controllers stopped for good the way it ran them (units
//   disabled, or the static pods' manifests moved to pods-stopped/), its etcd member removed, the other
//   masters' etcdClientInfo.urls without it before their restart, the node deleted, the kubernetes service
//   without 127.0.10.3 — then the lab is put back (API and controllers started again the way they ran,
//   the etcd member re-added as etcd-remove-member.test.ts does, cluster API state reset, haproxy.cfg restored).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withoutLines } from '../../procedures/node-common.js';
import {
  apiEndpoints,
  assertLabUp,
  audited,
  controlPlane,
  ensureHealthyEtcd,
  fingerprint,
  haproxyCfgPath,
  loggedSsh,
  M2_PEER,
  MASTERS,
  memberList,
  nodeNames,
  numberedOcDay2,
  putBack,
  resetCluster,
  SURVIVORS,
  show,
  ssh,
  threeHealthy,
  waitHealthy,
} from './lab-helpers.js';

const M2 = MASTERS[2]!;
const UNITS = 'atomic-openshift-master-api.service atomic-openshift-master-controllers.service';
const PODS = '/etc/origin/node/pods';
const STOPPED = '/etc/origin/node/pods-stopped';

let tmp = '';
let cfg0 = '';
let fp0 = '';

/** `day2-tui run … --yes` with the lab's `oc` on PATH and a numbered state dir of its own (returned as `state`). */
const day2 = numberedOcDay2(() => tmp, 900_000);

/** master-2's API and controllers as the host itself says: `running enabled` per line (api, then controllers). */
async function apiAndControllers(): Promise<string> {
  const container = (c: string) =>
    `docker ps -q --filter label=io.kubernetes.container.name=${c} --filter label=io.kubernetes.pod.namespace=kube-system`;
  const pod = (c: string, manifest: string) =>
    `echo "$(test -n "$(${container(c)})" && echo running || echo stopped) $(test -e ${PODS}/` +
    `${manifest} && echo enabled || echo disabled)"`;
  const cmd =
    controlPlane() === 'static'
      ? `${pod('api', 'apiserver.yaml')}; ${pod('controllers', 'controller.yaml')}`
      : `for u in ${UNITS}; do echo "$(systemctl is-active $u | sed 's/^active$/running/; ` +
        `s/^inactive$/stopped/') $(systemctl is-enabled $u)"; done`;
  const r = await ssh(M2, cmd);
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim();
}

/** master-2 back (the test, not the product): API and controllers started again the way they ran; etcd member re-added (putBack). */
async function putMaster2Back(): Promise<string> {
  const log: string[] = [];
  const start =
    controlPlane() === 'static'
      ? `for f in apiserver.yaml controller.yaml; do if test -e ${STOPPED}/$f; then mv ${STOPPED}/$f ${PODS}/; fi; done; ls ${PODS}`
      : `systemctl enable --now ${UNITS}; systemctl is-active ${UNITS}`;
  await loggedSsh(log)(M2, start);
  if (!(await threeHealthy())) return putBack('decommission', log);
  return log.join('\n');
}

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-master-decommission-test-'));
  assert.ok(existsSync(haproxyCfgPath()), `lb-0 has no haproxy.cfg (${haproxyCfgPath()})`);
  cfg0 = readFileSync(haproxyCfgPath(), 'utf8');
  await ensureHealthyEtcd();
  fp0 = await fingerprint();
});

after(async () => {
  try {
    if (!tmp) return;
    if ((await apiAndControllers()) !== 'running enabled\nrunning enabled' || !(await waitHealthy(3))) {
      const log = await putMaster2Back();
      if (!(await waitHealthy(60))) console.error(`after: master-2 could not be put back; run lab.sh down/up\n${log}`);
    }
    await resetCluster(cfg0);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('master-decommission master-2: refused without allow-even=yes (3 → 2), nothing changed', async () => {
  const r = await day2('master-decommission', { node: M2 });
  assert.notEqual(r.code, 0, show(r));
  assert.match(r.stdout + r.stderr, /allow-even=yes/, show(r));
  assert.equal(readFileSync(haproxyCfgPath(), 'utf8'), cfg0);
  assert.equal(await apiAndControllers(), 'running enabled\nrunning enabled');
  assert.ok(await threeHealthy(), 'still 3 healthy etcd members');
  assert.ok(!audited(r.state).some((c) => /member remove|systemctl disable|pods-stopped|backup/.test(c)), audited(r.state).join('\n'));
});

test('master-decommission master-2 with allow-even=yes: out of mgmt8443, API and controllers ' +
  'stopped for good, etcd member removed, clients without it, node deleted, kubernetes ' +
  'endpoints without it; then put back', {
  timeout: 1_200_000,
}, async () => {
  const pods = controlPlane() === 'static';
  try {
    assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2', '127.0.10.3']);
    const r = await day2('master-decommission', { node: M2, 'allow-even': 'yes' });
    assert.equal(r.code, 0, show(r));
    // the load balancer: master-2's mgmt8443 line gone, nothing else
    const cfg = readFileSync(haproxyCfgPath(), 'utf8');
    const dropped = cfg0
      .split('\n')
      .map((l, i) => [l, i + 1] as const)
      .filter(([l]) => /^\s*server\s+master-2\.lab\.example\.com\s/.test(l))
      .map(([, i]) => i);
    assert.equal(dropped.length, 1);
    assert.equal(cfg, withoutLines(cfg0, dropped));
    // API and controllers stopped and not started again, the way they ran (static pods: manifests kept aside)
    assert.equal(await apiAndControllers(), 'stopped disabled\nstopped disabled');
    if (pods) {
      const kept = await ssh(M2, `ls ${STOPPED}`);
      assert.match(kept.stdout, /apiserver\.yaml\ncontroller\.yaml\netcd\.yaml/, show(kept));
    }
    // etcd: 2 members, master-2 gone; the other masters' etcdClientInfo.urls without it
    const l = await memberList(SURVIVORS);
    assert.equal(l.stdout.trim().split('\n').length, 2, l.stdout);
    assert.ok(!l.stdout.includes(M2_PEER), l.stdout);
    for (const m of MASTERS.slice(0, 2)) {
      const c = await ssh(m, "awk '/^etcdClientInfo:/{f=1;next} f&&/^[^ ]/{f=0} f' /etc/origin/master/master-config.yaml");
      assert.doesNotMatch(c.stdout, /127\.0\.10\.3|master-2\.lab/, `${m}: ${c.stdout}`);
    }
    // the node is gone; the kubernetes service lists the two others
    assert.ok(!(await nodeNames()).includes(M2));
    assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2']);
    // the backup was taken on master-2 first
    const b = await ssh(M2, 'ls /backup/master-2.lab.example.com/*/etc/origin/master/master-config.yaml');
    assert.equal(b.code, 0, show(b));
    // the order: every refusal check before the first change; backup before the load balancer edit; the
    // API off before the member goes; the clients edited before the other masters restart
    const cmds = audited(r.state);
    const at = (re: RegExp) => {
      const i = cmds.findIndex((c) => re.test(c));
      assert.ok(i >= 0, `${re} not in:\n${cmds.join('\n')}`);
      return i;
    };
    const apiOff = pods
      ? /^master-2\S* .*mv \/etc\/origin\/node\/pods\/apiserver\.yaml \/etc\/origin\/node\/pods-stopped\/apiserver\.yaml/
      : /^master-2\S* systemctl disable --now atomic-openshift-master-api\.service$/;
    const restart0 = pods ? /^master-0\S* master-restart api$/ : /^master-0\S* systemctl restart atomic-openshift-master-api\.service$/;
    assert.ok(at(/member list/) < at(/ cp -aR \/etc\/origin /));
    assert.ok(at(/ cp -aR \/etc\/origin /) < at(/^lb-0\S* sed -e /));
    assert.ok(at(/^lb-0\S* sed -e /) < at(apiOff));
    assert.ok(at(apiOff) < at(/member remove [0-9a-f]+$/));
    assert.ok(at(/^master-0\S* .*master-config\.yaml\.day2-tui-edit/) < at(restart0));
    assert.ok(at(restart0) < at(/^master-0\S* .*curl -sk --max-time 5 https:\/\/127\.0\.10\.1:8443\/healthz/));
    assert.ok(at(/member remove/) < at(/^bastion oc delete node master-2\.lab\.example\.com$/));
    assert.match(r.stdout, /remove master-2\.lab\.example\.com from \[masters\], \[nodes\], \[etcd\]/, show(r));
  } finally {
    const log = await putMaster2Back();
    await resetCluster(cfg0);
    await ssh(M2, 'rm -rf /backup/master-2.lab.example.com');
    assert.ok(await waitHealthy(90), `not 3 healthy members after putting master-2 back:\n${log}`);
  }
  assert.equal(await fingerprint(), fp0, 'etcd data unchanged');
  assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2', '127.0.10.3']);
  assert.ok((await nodeNames()).includes(M2));
});

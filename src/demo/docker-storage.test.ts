// The DEMO cluster's disks, LVM and docker storage (docker-storage.ts), through the runner's real shell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHealthRun } from '../checks/run.js';
import { cellKey } from '../model/health.js';
import { lsblkCommand, lvsCommand, parseLsblkPairs, parseLvs, parsePvs, parseVgs, pvsCommand, vgsCommand } from '../ocp/lvm.js';
import type { ShellCommand } from '../transport/shell.js';
import { lvmSize } from './docker-storage.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const fast = () => new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
const APP0 = 'app-node-0.demo.example.com';
const APP1 = 'app-node-1.demo.example.com';

function on(r: DemoRunner, name: string) {
  const host = r.cluster.hosts.find((h) => h.name === name)!.host;
  return async (cmd: string | ShellCommand) => {
    const res = await r.run({ kind: 'host', host }, typeof cmd === 'string' ? ({ script: cmd } as ShellCommand) : cmd);
    return { code: res.exitCode, out: res.stdout.replace(/\n$/, ''), err: res.stderr.replace(/\n$/, '') };
  };
}

test('lvmSize: LVM units (r: "<" when rounded, b with --nosuffix)', () => {
  assert.equal(lvmSize(26_839_351_296, 'r', false), '<25.00g');
  assert.equal(lvmSize(25 * 1024 ** 3, 'r', false), '25.00g');
  assert.equal(lvmSize(0, 'r', false), '0 ');
  assert.equal(lvmSize(26_839_351_296, 'b', true), '26839351296');
});

test('DEMO storage: each node as installed — the reports the procedures parse, and the default tables', async () => {
  const r = fast();
  try {
    const app1 = on(r, APP1);
    assert.deepEqual(parseVgs((await app1(vgsCommand())).out), [
      { name: 'docker-vg', pvCount: 1, lvCount: 1, sizeBytes: 6399 * 4 * 1024 ** 2, freeBytes: (6399 - 6079 - 7 - 7) * 4 * 1024 ** 2 },
    ]);
    assert.deepEqual(
      parseLvs((await app1(lvsCommand())).out).map((l) => `${l.vg}/${l.name} ${l.attr}`),
      ['docker-vg/docker-pool twi-a-t---'],
    );
    assert.deepEqual(
      parsePvs((await app1(pvsCommand())).out).map((p) => `${p.name} ${p.vg}`),
      ['/dev/xvdb1 docker-vg'],
    );
    const blocks = parseLsblkPairs((await app1(lsblkCommand())).out);
    assert.ok(
      blocks.some((b) => b.name === '/dev/xvdc' && b.type === 'disk' && b.parent === ''),
      'a free disk for expand',
    );
    assert.equal((await app1('lvs docker-vg/nope')).code, 5);
    assert.match((await app1('vgs nope')).err, /Volume group "nope" not found/);
    const app0 = on(r, APP0);
    assert.equal((await app0('vgs')).out, '  VG        #PV #LV #SN Attr   VSize   VFree\n  docker-vg   1   1   0 wz--n- <25.00g    0 ');
    assert.equal((await app0('findmnt -rn -o SOURCE /var/lib/docker')).out, '/dev/mapper/docker--vg-docker--root--lv');
    assert.equal((await app0('mountpoint -q /var/lib/docker')).code, 0);
    assert.deepEqual(r.unanswered, []);
  } finally {
    await r.close();
  }
});

test('DEMO storage: devicemapper to overlay2 by hand (7.1.3) — docker info and the docker-storage check say overlay2', async () => {
  const r = fast();
  try {
    const app1 = on(r, APP1);
    assert.match((await app1('lvremove /dev/docker-vg/docker-pool -y')).err, /is used by another device/, 'docker runs on the pool');
    await app1('systemctl stop docker atomic-openshift-node');
    assert.equal((await app1('systemctl is-active docker')).out, 'inactive');
    assert.match((await app1('docker info')).err, /Cannot connect to the Docker daemon/);
    assert.match((await app1('lvremove /dev/docker-vg/docker-pool -y')).out, /Logical volume "docker-pool" successfully removed/);
    assert.match((await app1('wipefs -a /dev/xvdb')).err, /Device or resource busy/, 'the partition is still a PV of the VG');
    assert.match((await app1('vgremove docker-vg -y')).out, /Volume group "docker-vg" successfully removed/);
    assert.match((await app1('pvremove /dev/xvdb1 -y')).out, /Labels on physical volume "\/dev\/xvdb1" successfully wiped/);
    assert.match((await app1('wipefs -a /dev/xvdb')).out, /2 bytes were erased at offset 0x000001fe \(dos\)/);
    assert.equal((await app1('lsblk -nlp -o NAME,TYPE /dev/xvdb')).out, '/dev/xvdb disk');
    const setup =
      'DEVS=/dev/xvdb VG=docker-vg DATA_SIZE=95%VG STORAGE_DRIVER=overlay2 CONTAINER_ROOT_LV_NAME=dockerlv ' +
      'CONTAINER_ROOT_LV_MOUNT_PATH=/var/lib/docker CONTAINER_ROOT_LV_SIZE=100%FREE';
    await app1(`printf '%s\\n' ${setup} > /etc/sysconfig/docker-storage-setup`);
    const refused = await app1('docker-storage-setup');
    assert.equal(refused.code, 1, 'the old docker-storage still says devicemapper');
    assert.match(refused.err, /Storage is already configured with devicemapper driver/);
    await app1('rm -Rf /var/lib/docker/*; rm -f /etc/sysconfig/docker-storage');
    const ran = await app1('docker-storage-setup');
    assert.equal(ran.code, 0, ran.err);
    assert.match(ran.out, /Logical volume "dockerlv" created/);
    assert.equal((await app1('cat /etc/sysconfig/docker-storage')).out, 'DOCKER_STORAGE_OPTIONS="--storage-driver overlay2 "');
    assert.equal((await app1('findmnt -rn -o SOURCE /var/lib/docker')).out, '/dev/mapper/docker--vg-dockerlv');
    await app1('systemctl start docker atomic-openshift-node');
    assert.match((await app1('docker info')).out, /^Storage Driver: overlay2$/m);
    const health = await startHealthRun({ inventory: demoInventory('showcase'), runner: r, only: ['docker-storage'] }).finished();
    assert.equal(
      health.results.get(cellKey('docker-storage', APP1))?.status,
      'ok',
      health.results.get(cellKey('docker-storage', APP1))?.message,
    );
    assert.deepEqual(r.unanswered, []);
  } finally {
    await r.close();
  }
});

test('DEMO storage: a new disk joins the volume group (7.1.2); a partitioned disk is refused', async () => {
  const r = fast();
  try {
    const app0 = on(r, APP0);
    await app0(`sed -i 's|^DEVS=.*|DEVS="/dev/xvdb /dev/xvdc"|' /etc/sysconfig/docker-storage-setup`);
    const ran = await app0('docker-storage-setup');
    assert.equal(ran.code, 0, ran.err);
    assert.match(ran.err, /Device \/dev\/xvdb is already partitioned and is part of volume group docker-vg/);
    assert.match(ran.out, /Volume group "docker-vg" successfully extended/);
    assert.deepEqual(
      parsePvs((await app0(pvsCommand())).out).map((p) => `${p.name} ${p.vg}`),
      ['/dev/xvdb1 docker-vg', '/dev/xvdc1 docker-vg'],
    );
    assert.match((await app0('lvextend -l +100%FREE docker-vg/docker-root-lv')).out, /successfully resized/);
    assert.match((await app0('vgs')).out, /docker-vg\s+2\s+1\s+0 wz--n- 54\.99g\s+0 $/m);
    await app0(`sed -i 's|^DEVS=.*|DEVS="/dev/sdc"|' /etc/sysconfig/docker-storage-setup`);
    assert.deepEqual(r.unanswered, []);
  } finally {
    await r.close();
  }
});

test('DEMO storage: docker ps lists a master’s control-plane containers while their manifests are in pods/ (master-decommission)', async () => {
  const r = fast();
  try {
    const m2 = on(r, 'master-2.demo.example.com');
    const api = 'docker ps -q --filter label=io.kubernetes.container.name=api --filter label=io.kubernetes.pod.namespace=kube-system';
    assert.match((await m2(api)).out, /^[0-9a-f]{12}$/);
    const bastion = async (s: string) => (await r.run({ kind: 'bastion' }, { script: s } as ShellCommand)).stdout.trim();
    const endpoints = `oc get endpoints kubernetes -n default -o 'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}'`;
    assert.equal((await bastion(endpoints)).split('\n').length, 3);
    await m2('mkdir -p /etc/origin/node/pods-stopped && mv /etc/origin/node/pods/apiserver.yaml /etc/origin/node/pods-stopped/');
    assert.equal((await m2(api)).out, '', 'the kubelet stopped the pod');
    const ip2 = r.cluster.hosts.find((h) => h.name === 'master-2.demo.example.com')!.ip;
    assert.deepEqual(
      (await bastion(endpoints)).split('\n').filter((x) => x === ip2),
      [],
      'the kubernetes service no longer lists master-2',
    );
    assert.equal((await on(r, APP0)(api)).out, '', 'no control plane on a node');
    assert.deepEqual(r.unanswered, []);
  } finally {
    await r.close();
  }
});

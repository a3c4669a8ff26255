// Lab test of 5.4.3 etcd-replace through the real CLI (`day2-tui run … --yes`) against the lab's
// 3-member TLS etcd 3.4, on either control plane (on static-pod masters node-0 joins as the RPM's unit and
// master-2 comes back as its static pod again):
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-replace.test.ts
// master-2's member is replaced by node-0 (a host with no etcd: the product installs it, makes its
// certificates on the CA host, adds it, then removes master-2), and then node-0's by master-2 again, with
// an inventory whose [etcd] group says node-0. A poll of `endpoint health` on master-0 and master-1 (every
// ~0.5 s, for both runs) never sees quorum lost; each run ends with 3 healthy members, the right ones, and
// the same fingerprint of all v2 and v3 keys; the masters' etcdClientInfo.urls follow. `after` puts the
// lab back to master-0/1/2 by hand if a run failed half-way, so that the tests after this file find it.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertLabUp,
  audited,
  CERTS,
  CERTS3,
  controlPlane,
  day2,
  ensureHealthyEtcd,
  fingerprint,
  labDir,
  MASTERS,
  memberList,
  putBack,
  type Result,
  SURVIVORS,
  show,
  ssh,
  startPoll,
  threeHealthy,
  waitHealthy,
} from './lab-helpers.js';

const NODE0 = 'node-0.lab.example.com';
const NODE0_PEER = 'https://127.0.12.1:2380';
const NODE0_CLIENT = 'https://127.0.12.1:2379';
const WITH_NODE0 = `${SURVIVORS},${NODE0_CLIENT}`;

let tmp = '';
let fp0 = '';

/** `day2-tui run etcd-replace … --yes` with the inventory `inventory`. */
const replace = (params: Record<string, string>, inventory: string, stateDir: string): Promise<Result> =>
  day2('etcd-replace', params, stateDir, { inventory, timeoutMs: 600_000 });

/**
 * The lab's hosts.ini as the operator has it for a replacement (5.4.4): `etcd` the [etcd] group's host lines,
 * `newEtcd` the host line of the [new_etcd] group, which [OSEv3:children] then lists too.
 */
function inventoryFor(name: string, etcd: string[], newEtcd: string): string {
  const ini = readFileSync(join(labDir, 'hosts.ini'), 'utf8');
  const m = /^\[etcd\]\n(?:[^\n[]+\n)+/m.exec(ini);
  assert.ok(m, 'hosts.ini has an [etcd] section');
  let out = ini.replace(m[0], `[etcd]\n${etcd.join('\n')}\n\n[new_etcd]\n${newEtcd}\n`);
  assert.match(out, /^\[OSEv3:children\]\n/m, 'hosts.ini has [OSEv3:children]');
  out = out.replace(/^\[OSEv3:children\]\n/m, '[OSEv3:children]\nnew_etcd\n');
  const f = join(tmp, name);
  writeFileSync(f, out);
  return f;
}
const line = (host: string) => `${host} ansible_host=${host === NODE0 ? '127.0.12.1' : `127.0.10.${MASTERS.indexOf(host) + 1}`}`;

/** Runs `body` with the health poll on master-0 and master-1 going; returns body's result and the polls. */
async function polled<T>(tag: string, body: () => Promise<T>): Promise<{ result: T; polls: string[]; lost: string[]; raw: Result }> {
  const stopFile = `/tmp/day2-replace-poll-stop-${tag}-${process.pid}`;
  const poll = startPoll(stopFile);
  await new Promise((f) => setTimeout(f, 1500));
  let result: T;
  try {
    result = await body();
  } finally {
    await new Promise((f) => setTimeout(f, 1500));
    await ssh(MASTERS[0]!, `touch ${stopFile}`);
  }
  const raw = await poll.done;
  const polls = raw.stdout.split('\n').filter((l) => l.startsWith('POLL '));
  return { result, polls, lost: polls.filter((l) => l.startsWith('POLL lost')), raw };
}

/** etcdClientInfo.urls of master-config.yaml on every master. */
async function clientUrls(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of MASTERS) {
    const c = await ssh(m, "awk '/^etcdClientInfo:/{f=1;next} f&&/^[^ ]/{f=0} f' /etc/origin/master/master-config.yaml");
    out.set(m, c.stdout);
  }
  return out;
}

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-etcd-replace-test-'));
  await ensureHealthyEtcd();
  fp0 = await fingerprint();
});

after(async () => {
  try {
    if (labDir && !(await waitHealthy(3))) {
      // a run failed half-way: node-0 out (by id, through master-0 and master-1), master-2 back in
      const log: string[] = [];
      const l = await memberList(SURVIVORS);
      const id = new RegExp(`^([0-9a-f]+).*peerURLs=${NODE0_PEER.replace(/\./g, '\\.')}`, 'm').exec(l.stdout)?.[1];
      if (id) log.push(show(await ssh(MASTERS[0]!, `ETCDCTL_API=2 etcdctl ${CERTS} --endpoints ${SURVIVORS} member remove ${id}`)));
      log.push(show(await ssh(NODE0, 'systemctl disable etcd.service; systemctl stop etcd.service; true')));
      // the clients back to master-2 (the run may have moved them to node-0), before the log is read
      for (const m of MASTERS) {
        log.push(
          show(
            await ssh(
              m,
              `sed -i -e 's#https://node-0\\.lab\\.example\\.com:2379#https://master-2.lab.example.com:` +
                `2379#' -e 's#https://127\\.0\\.12\\.1:2379#https://127.0.10.3:2379#' ` +
                `/etc/origin/master/master-config.yaml /etc/sysconfig/flanneld`,
            ),
          ),
        );
      }
      const back = await putBack('replacetest', log);
      if (!(await waitHealthy(60))) console.error(`after: the lab could not be put back to 3 members; run lab.sh down/up\n${back}`);
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('etcd-replace master-2 by node-0, then node-0 by master-2: quorum never lost, 3 healthy members each time, the same data', {
  timeout: 1_500_000,
}, async () => {
  // 1. master-2 → node-0 (node-0 in [nodes] and [new_etcd]; ip from its ansible_host, the CA on master-0)
  const s1 = join(tmp, 'state-1');
  // in a fresh lab node-0 has no etcd package and the run installs it; after an earlier try it has one
  const hadEtcd = (await ssh(NODE0, 'rpm -q etcd')).code === 0;
  const one = await polled('1', () =>
    replace({ old: MASTERS[2]!, new: NODE0 }, inventoryFor('hosts-1.ini', MASTERS.map(line), line(NODE0)), s1),
  );
  assert.equal(one.result.code, 0, show(one.result));
  assert.ok(one.polls.length >= 10, `too few polls (${one.polls.length}):\n${show(one.raw)}`);
  assert.deepEqual(one.lost, [], `quorum lost during master-2 → node-0 (${one.lost.length} of ${one.polls.length} polls)`);
  console.log(`master-2 → node-0: ${one.polls.length} health polls, none lost`);
  // the plan's arithmetic: 3 → 4 → 3
  assert.match(one.result.stdout, /members before: 3; quorum: 2; failures tolerated: 1/, show(one.result));

  const l1 = await memberList(WITH_NODE0);
  assert.equal(l1.code, 0, show(l1));
  assert.equal(l1.stdout.trim().split('\n').length, 3, l1.stdout);
  assert.match(l1.stdout, /name=master-0\.lab\.example\.com peerURLs=https:\/\/127\.0\.10\.1:2380 /, l1.stdout);
  assert.match(l1.stdout, /name=master-1\.lab\.example\.com peerURLs=https:\/\/127\.0\.10\.2:2380 /, l1.stdout);
  assert.match(l1.stdout, /name=node-0\.lab\.example\.com peerURLs=https:\/\/127\.0\.12\.1:2380 /, l1.stdout);
  assert.ok(!l1.stdout.includes('127.0.10.3'), l1.stdout);
  const h1 = await ssh(MASTERS[0]!, `ETCDCTL_API=3 etcdctl ${CERTS3} --endpoints ${WITH_NODE0} endpoint health`);
  assert.equal(h1.code, 0, show(h1));
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after master-2 → node-0');
  // the clients: node-0's URL in, master-2's out
  for (const [m, urls] of await clientUrls()) {
    assert.match(urls, /https:\/\/(127\.0\.12\.1|node-0\.lab\.example\.com):2379/, `${m}: ${urls}`);
    assert.doesNotMatch(urls, /127\.0\.10\.3|master-2\.lab\.example\.com/, `${m}: ${urls}`);
  }
  // master-2's etcd stopped and disabled, its data kept; the backup of this run on the survivor
  const m2 = await ssh(
    MASTERS[2]!,
    'systemctl is-active etcd.service; systemctl is-enabled etcd.service; ls -A /var/lib/etcd; ls /etc/origin/node/pods-stopped 2>&1',
  );
  assert.match(m2.stdout, /^(inactive|failed)\ndisabled\nmember$/m, show(m2));
  if (controlPlane() === 'static') assert.match(m2.stdout, /^etcd\.yaml$/m, `master-2's etcd manifest kept in pods-stopped/: ${m2.stdout}`);
  const b = await ssh(MASTERS[0]!, 'ls -d /backup/etcd-replace-*/db /backup/etcd-replace-*/etcd/etcd.conf 2>&1');
  assert.equal(b.code, 0, show(b));
  const a1 = audited(s1);
  const has = (cmds: string[], re: RegExp) =>
    assert.ok(
      cmds.some((c) => re.test(c)),
      `${re} not in:\n${cmds.join('\n')}`,
    );
  has(a1, /member add node-0\.lab\.example\.com https:\/\/127\.0\.12\.1:2380/);
  has(a1, /^master-0\S* ETCDCTL_API=2 etcdctl .* member remove [0-9a-f]+$/);
  if (!hadEtcd) has(a1, /^node-0\S* .*yum install -y etcd/);
  // the addition came first: member add before member remove in the audit log
  assert.ok(a1.findIndex((c) => /member add /.test(c)) < a1.findIndex((c) => /member remove /.test(c)), 'member add before member remove');

  // 2. node-0 → master-2, with the inventory as the operator would have it now: node-0 in [etcd], master-2 in [new_etcd]
  const s2 = join(tmp, 'state-2');
  const two = await polled('2', () =>
    replace(
      { old: NODE0, new: MASTERS[2]! },
      inventoryFor('hosts-2.ini', [MASTERS[0]!, MASTERS[1]!, NODE0].map(line), line(MASTERS[2]!)),
      s2,
    ),
  );
  assert.equal(two.result.code, 0, show(two.result));
  assert.ok(two.polls.length >= 10, `too few polls (${two.polls.length}):\n${show(two.raw)}`);
  assert.deepEqual(two.lost, [], `quorum lost during node-0 → master-2 (${two.lost.length} of ${two.polls.length} polls)`);
  console.log(`node-0 → master-2: ${two.polls.length} health polls, none lost`);

  assert.ok(await waitHealthy(30), 'not 3 healthy members master-0/1/2 with https peer URLs after node-0 → master-2');
  assert.ok(await threeHealthy());
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after node-0 → master-2');
  for (const [m, urls] of await clientUrls()) {
    assert.match(urls, /https:\/\/(127\.0\.10\.3|master-2\.lab\.example\.com):2379/, `${m}: ${urls}`);
    assert.doesNotMatch(urls, /127\.0\.12\.1|node-0\.lab\.example\.com/, `${m}: ${urls}`);
  }
  const n0 = await ssh(NODE0, 'systemctl is-active etcd.service; systemctl is-enabled etcd.service');
  assert.match(n0.stdout, /^(inactive|failed)\ndisabled$/m, show(n0));
  // master-2 runs etcd as before: its static pod again with etcd.service disabled, or the unit
  const how = await ssh(MASTERS[2]!, 'systemctl is-enabled etcd.service; ls /etc/origin/node/pods');
  if (controlPlane() === 'static') assert.match(how.stdout, /^disabled\n(.*\n)*etcd\.yaml$/m, `the topology changed: ${how.stdout}`);
  else assert.match(how.stdout, /^enabled\n/, show(how));
  const a2 = audited(s2);
  has(a2, /member add master-2\.lab\.example\.com https:\/\/127\.0\.10\.3:2380/);
  has(a2, /member remove [0-9a-f]+$/);
});

// Lab test of 5.4.5 etcd-remove-member through the real CLI (`day2-tui run … --yes`) against the lab's
// 3-member TLS etcd 3.4, on either control plane (units, or OCP 3.10's static pods):
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/procedures/etcd-remove-member.test.ts
// Without allow-even=yes the 3 → 2 removal is refused with nothing changed. With it, master-2's member is
// removed while a poll of `endpoint health` on master-0 and master-1 (every ~0.5 s, for the whole run)
// never sees quorum lost → 2 healthy members. Then the test (not the product) puts the lab back to 3
// members the way etcd-restore's join step does (member add, ETCD_INITIAL_CLUSTER_STATE=existing, data
// dir moved aside, start), and checks 3 healthy members and the same fingerprint; `after` does it again
// if anything was left behind.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertLabUp,
  CERTS3,
  controlPlane,
  day2,
  EPS,
  ensureHealthyEtcd,
  fingerprint,
  labDir,
  M2_PEER,
  MASTERS,
  memberList,
  putBack,
  SURVIVORS,
  show,
  ssh,
  startPoll,
  threeHealthy,
  waitHealthy,
} from './lab-helpers.js';

let tmp = '';
let fp0 = '';

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-etcd-remove-test-'));
  await ensureHealthyEtcd();
  fp0 = await fingerprint();
});

after(async () => {
  try {
    if (labDir && !(await waitHealthy(3))) {
      const log = await putBack('rmtest');
      if (!(await waitHealthy(60))) console.error(`after: the lab could not be put back to 3 members; run lab.sh down/up\n${log}`);
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('etcd-remove-member: 3 → 2 is refused without allow-even=yes, nothing changed', async () => {
  const state = join(tmp, 'state-refused');
  const r = await day2('etcd-remove-member', { member: MASTERS[2]! }, state);
  assert.notEqual(r.code, 0, show(r));
  assert.match(r.stdout + r.stderr, /allow-even=yes/, show(r));
  const audit = existsSync(join(state, 'audit.log')) ? readFileSync(join(state, 'audit.log'), 'utf8') : '';
  assert.ok(!audit.includes('member remove'), 'nothing was removed');
  assert.ok(await threeHealthy(), 'still 3 healthy members');
});

test('etcd-remove-member: master-2 removed with quorum kept all along → 2 healthy members; then put back to 3', async () => {
  // the hard case: master-2 is the leader (leadership must move before the removal, or the survivors
  // have no leader for an election timeout)
  const l0 = await memberList();
  const m2id = new RegExp(`^([0-9a-f]+): name=${MASTERS[2]!.replace(/\./g, '\\.')} .*isLeader=(true|false)`, 'm').exec(l0.stdout);
  assert.ok(m2id, l0.stdout);
  if (m2id[2] !== 'true') {
    const mv = await ssh(MASTERS[0]!, `ETCDCTL_API=3 etcdctl ${CERTS3} --endpoints ${EPS} move-leader ${m2id[1]}`);
    assert.equal(mv.code, 0, show(mv));
  }
  assert.ok(await waitHealthy(10));
  // what the survivors' etcd.conf say before: a member that joined by `member add` after a restore may
  // never have named master-2 (its ETCD_INITIAL_CLUSTER is what that add printed); only those that do change
  const namedBefore = new Map<string, boolean>();
  for (const m of MASTERS.slice(0, 2)) {
    const c = await ssh(m, `grep '^ETCD_INITIAL_CLUSTER=' /etc/etcd/etcd.conf`);
    namedBefore.set(m, c.stdout.includes(`${MASTERS[2]}=`));
  }
  const stopFile = `/tmp/day2-rm-poll-stop-${process.pid}`;
  const poll = startPoll(stopFile);
  await new Promise((f) => setTimeout(f, 1500));
  const state = join(tmp, 'state-remove');
  const r = await day2('etcd-remove-member', { member: MASTERS[2]!, 'allow-even': 'yes' }, state);
  await new Promise((f) => setTimeout(f, 1500));
  await ssh(MASTERS[0]!, `touch ${stopFile}`);
  const p = await poll.done;
  assert.equal(r.code, 0, show(r));

  const polls = p.stdout.split('\n').filter((l) => l.startsWith('POLL '));
  const lost = polls.filter((l) => l.startsWith('POLL lost'));
  assert.ok(polls.length >= 6, `too few polls (${polls.length}):\n${show(p)}`);
  assert.deepEqual(lost, [], `quorum lost during the run (${lost.length} of ${polls.length} polls)`);
  console.log(`${polls.length} health polls during the run, none lost`);

  assert.match(r.stdout, /is the leader: moving leadership to [0-9a-f]+ first/, show(r));
  // the output shows the arithmetic and what remains to do
  assert.match(r.stdout, /members before: 3; quorum: 2; failures tolerated: 1/, show(r));
  assert.match(r.stdout, /members after: {2}2; quorum: 2; failures tolerated: 0/, show(r));
  // the clients no longer name master-2 (done before the one restart)
  for (const m of MASTERS) {
    const c = await ssh(
      m,
      "awk '/^etcdClientInfo:/{f=1;next} f&&/^[^ ]/{f=0} f' " +
        '/etc/origin/master/master-config.yaml; grep ^FLANNEL_ETCD_ENDPOINTS= ' +
        '/etc/sysconfig/flanneld',
    );
    assert.equal(c.code, 0, `${m}: ${show(c)}`);
    assert.doesNotMatch(c.stdout, /127\.0\.10\.3|master-2\.lab/, `${m} still names master-2: ${c.stdout}`);
    assert.match(c.stdout, /https:\/\/(127\.0\.10\.1|master-0\.lab\.example\.com):2379/, `${m}: ${c.stdout}`);
  }

  // 2 healthy members, master-2 gone
  const l = await memberList(SURVIVORS);
  assert.equal(l.code, 0, show(l));
  assert.equal(l.stdout.trim().split('\n').length, 2, l.stdout);
  assert.ok(!l.stdout.includes(M2_PEER) && !l.stdout.includes(MASTERS[2]!), l.stdout);
  const h = await ssh(MASTERS[0]!, `ETCDCTL_API=3 etcdctl ${CERTS3} --endpoints ${SURVIVORS} endpoint health`);
  assert.equal(h.code, 0, show(h));
  // etcd stopped for good on master-2 the way it ran there (the topology unchanged), its data left in place
  const m2 = await ssh(
    MASTERS[2]!,
    'systemctl is-active etcd.service; systemctl is-enabled etcd.service; ls -A /var/lib/etcd; ' +
      'ls /etc/origin/node/pods /etc/origin/node/pods-stopped 2>&1',
  );
  assert.match(m2.stdout, /^(inactive|failed)\ndisabled\nmember$/m, show(m2));
  if (controlPlane() === 'static')
    assert.match(
      m2.stdout,
      /pods:\napiserver\.yaml\ncontroller\.yaml\n\n\/etc\/origin\/node\/pods-stopped:\netcd\.yaml/,
      `the etcd manifest moved aside, kept: ${m2.stdout}`,
    );
  // survivors: ETCD_INITIAL_CLUSTER without master-2; a .bak kept where the line changed
  for (const m of MASTERS.slice(0, 2)) {
    const c = await ssh(m, `grep '^ETCD_INITIAL_CLUSTER=' /etc/etcd/etcd.conf; ls /etc/etcd/etcd.conf.bak-${'*'} 2>/dev/null | wc -l`);
    assert.equal(c.code, 0, `${m}: ${show(c)}`);
    const [line = '', baks = '0'] = c.stdout.trim().split('\n');
    assert.ok(!line.includes(MASTERS[2]!) && line.includes('=https://'), `${m}: ${c.stdout}`);
    if (namedBefore.get(m)) assert.ok(Number(baks) > 0, `${m}: ETCD_INITIAL_CLUSTER named master-2 and changed, but no .bak copy was kept`);
  }
  // the audit log: member remove by id on master-0, the API and controllers restarted on both masters, each
  // master's /healthz waited for; etcd stopped for good on master-2 the way it runs there
  const cmds = readFileSync(join(state, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((x) => JSON.parse(x) as { kind: string; host: string | null; command?: string })
    .filter((x) => x.kind === 'command')
    .map((x) => `${x.host} ${x.command}`);
  const has = (re: RegExp) =>
    assert.ok(
      cmds.some((c) => re.test(c)),
      `${re} not in:\n${cmds.join('\n')}`,
    );
  has(
    /^master-0\S* ETCDCTL_API=2 etcdctl .*--endpoints https:\/\/127\.0\.10\.1:2379,https:\/\/127\.0\.10\.2:2379 member remove [0-9a-f]+$/,
  );
  const pods = controlPlane() === 'static';
  has(pods ? /^master-0\S* master-restart api$/ : /^master-0\S* systemctl restart atomic-openshift-master-api\.service$/);
  has(pods ? /^master-1\S* master-restart controllers$/ : /^master-1\S* systemctl restart atomic-openshift-master-controllers\.service$/);
  has(/^master-1\S* .*curl -sk --max-time 5 https:\/\/127\.0\.10\.2:8443\/healthz/);
  has(
    pods
      ? /^master-2\S* .*mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/
      : /^master-2\S* systemctl disable --now etcd\.service$/,
  );
  assert.ok(
    cmds.findIndex((c) => /master-config\.yaml\.day2-tui-edit/.test(c)) <
      cmds.findIndex((c) => /^master-0\S* (master-restart api|systemctl restart atomic-openshift-master-api)/.test(c)),
    'master-config.yaml edited before the restart',
  );

  // put the lab back: 3 healthy members, same data
  const log = await putBack('rmtest');
  assert.ok(await waitHealthy(90), `not 3 healthy members after putting master-2 back:\n${log}`);
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after putting master-2 back');
});

test('etcd-remove-member then etcd-add-member: master-2 out and back in by the product, quorum ' +
  'never lost; 3 healthy members, the same data', {
  timeout: 900_000,
}, async () => {
  if (!(await waitHealthy(10))) await putBack('rmtest'); // the test before failed half-way
  assert.ok(await waitHealthy(60), 'etcd is not healthy with 3 members before the test');
  const cert0 = await ssh(MASTERS[2]!, 'sha256sum /etc/etcd/peer.crt /etc/etcd/server.crt');
  const stopFile = `/tmp/day2-add-poll-stop-${process.pid}`;
  const poll = startPoll(stopFile);
  await new Promise((f) => setTimeout(f, 1500));
  const removed = await day2('etcd-remove-member', { member: MASTERS[2]!, 'allow-even': 'yes' }, join(tmp, 'state-remove-2'));
  const addState = join(tmp, 'state-add');
  const added = removed.code === 0 ? await day2('etcd-add-member', { host: MASTERS[2]! }, addState) : undefined;
  await new Promise((f) => setTimeout(f, 1500));
  await ssh(MASTERS[0]!, `touch ${stopFile}`);
  const p = await poll.done;
  assert.equal(removed.code, 0, show(removed));
  assert.ok(added);
  assert.equal(added.code, 0, show(added));

  const polls = p.stdout.split('\n').filter((l) => l.startsWith('POLL '));
  const lost = polls.filter((l) => l.startsWith('POLL lost'));
  assert.ok(polls.length >= 10, `too few polls (${polls.length}):\n${show(p)}`);
  assert.deepEqual(lost, [], `quorum lost during the runs (${lost.length} of ${polls.length} polls)`);
  console.log(`${polls.length} health polls during remove + add, none lost`);

  // the arithmetic of the addition is shown before the member add
  assert.match(added.stdout, /members before: 2; quorum: 2; failures tolerated: 0/, show(added));
  assert.match(added.stdout, /members after: {2}3; quorum: 2; failures tolerated: 1/, show(added));
  assert.ok(await waitHealthy(30), 'not 3 healthy members with their names and https peer URLs after etcd-add-member');
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after remove + add');
  // master-2 runs with new certificates from the lab's etcd CA; its old configuration was moved aside, not deleted
  const cert1 = await ssh(
    MASTERS[2]!,
    'sha256sum /etc/etcd/peer.crt /etc/etcd/server.crt; openssl verify -CAfile ' +
      '/etc/etcd/ca.crt /etc/etcd/peer.crt /etc/etcd/server.crt; ls -d /backup/etcd-config-* | ' +
      'wc -l; grep ^ETCD_INITIAL_CLUSTER_STATE= /etc/etcd/etcd.conf',
  );
  assert.equal(cert1.code, 0, show(cert1));
  assert.notEqual(cert1.stdout.split('\n').slice(0, 2).join('\n'), cert0.stdout.trim(), 'new certificates');
  assert.match(cert1.stdout, /peer\.crt: OK\n.*server\.crt: OK\n[1-9]\d*\nETCD_INITIAL_CLUSTER_STATE=existing\n/, show(cert1));
  // every master's master-config.yaml lists master-2's client URL again
  for (const m of MASTERS) {
    const c = await ssh(m, "awk '/^etcdClientInfo:/{f=1;next} f&&/^[^ ]/{f=0} f' /etc/origin/master/master-config.yaml");
    assert.match(c.stdout, /https:\/\/(127\.0\.10\.3|master-2\.lab\.example\.com):2379/, `${m}: ${show(c)}`);
  }
  const cmds = readFileSync(join(addState, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((x) => JSON.parse(x) as { kind: string; host: string | null; command?: string })
    .filter((x) => x.kind === 'command')
    .map((x) => `${x.host} ${x.command}`);
  assert.ok(
    cmds.some((c) => /^master-0\S* .*openssl ca -name etcd_ca -config \/etc\/etcd\/ca\/openssl\.cnf .*-extensions etcd_v3_ca_peer/.test(c)),
    'the peer certificate was signed on the CA host',
  );
  assert.ok(
    cmds.some((c) => /member add master-2\.lab\.example\.com https:\/\/127\.0\.10\.3:2380/.test(c)),
    'member add with the name and https peer URL',
  );
  // master-2 runs etcd as it did before: its static pod again (etcd.service stays disabled), or the unit
  const how = await ssh(MASTERS[2]!, 'systemctl is-enabled etcd.service; ls /etc/origin/node/pods');
  if (controlPlane() === 'static') assert.match(how.stdout, /^disabled\n(.*\n)*etcd\.yaml$/m, `the topology changed: ${how.stdout}`);
  else assert.match(how.stdout, /^enabled\n/, show(how));
});

// The etcd CA on the first etcd host: real key material, so the guide's openssl commands sign with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CA_DIR, certPairCommands } from '../../procedures/etcd-add-member.js';
import type { Host } from '../inventory/types.js';
import { sh } from '../transport/shell.js';
import type { Target } from '../transport/types.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const inv = demoInventory();
const on = (short: string): Target => ({ kind: 'host', host: inv.hosts.find((h) => h.name.startsWith(`${short}.`)) as Host });
const fast = () => new DemoRunner({ lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });

test('the first etcd host holds /etc/etcd/ca as openshift-ansible leaves it; every member’s ca.crt is its certificate', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const ls = await r.run(on('master-0'), sh`ls ${CA_DIR}; cat ${`${CA_DIR}/serial`}; echo; grep -c . ${`${CA_DIR}/index.txt`}`);
  assert.equal(ls.stdout, 'ca.crt\nca.key\ncerts\ncrl\nfragments\nindex.txt\nopenssl.cnf\nserial\n01\n0\n');
  const cnf = await r.run(on('master-0'), sh`grep -E '^(dir|database) ' ${`${CA_DIR}/openssl.cnf`}`);
  assert.equal(cnf.stdout, 'dir = /etc/etcd/ca\ndatabase = /etc/etcd/ca/index.txt\n', 'the operator sees the host’s paths');
  const subject = await r.run(on('master-0'), sh`openssl x509 -in ${`${CA_DIR}/ca.crt`} -noout -subject`);
  assert.match(subject.stdout, /^subject=CN ?= ?etcd-signer@\d+$/m);
  assert.equal((await r.run(on('master-1'), sh`test -d ${CA_DIR} || echo none`)).stdout, 'none\n');
  const same = await r.run(on('master-1'), sh`cat /etc/etcd/ca.crt`);
  assert.equal(same.stdout, (await r.run(on('master-0'), sh`cat ${`${CA_DIR}/ca.crt`}`)).stdout);
});

test('the guide’s openssl req / openssl ca sign a server certificate with the IP in its SAN; serial and index move on', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const prefix = '/etc/etcd/generated_certs/etcd-new/';
  for (const c of [sh`mkdir -p ${prefix}`, ...certPairCommands('server', prefix, 'new.example.com', 'IP:10.0.0.9,DNS:new.example.com')]) {
    const res = await r.run(on('master-0'), c);
    assert.equal(res.exitCode, 0, res.stderr);
  }
  const check = await r.run(
    on('master-0'),
    sh`openssl verify -CAfile ${`${CA_DIR}/ca.crt`} ${`${prefix}server.crt`} && openssl x509 -in ${`${prefix}server.crt`} -noout -text`,
  );
  assert.equal(check.exitCode, 0, check.stderr);
  assert.match(check.stdout, /IP Address:10\.0\.0\.9/);
  assert.match(check.stdout, /TLS Web Server Authentication/);
  const db = await r.run(on('master-0'), sh`cat ${`${CA_DIR}/serial`} ${`${CA_DIR}/index.txt`}`);
  assert.match(db.stdout, /^02\nV\t\S+\t\t01\tunknown\t\/CN=new\.example\.com\n$/);
});

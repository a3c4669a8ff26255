import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argv, sh } from '../transport/shell.js';
import { LineRedactor, makeRedactor, redact, REDACTED } from './redact.js';

test('well-known secret forms', () => {
  const cases: [string, string][] = [
    ['oc create secret docker-registry r --docker-username=u --docker-password=hunter2 --docker-email=a@b', `oc create secret docker-registry r --docker-username=u --docker-password=${REDACTED} --docker-email=a@b`],
    ["x --docker-password='a b c' y", `x --docker-password=${REDACTED} y`],
    ['htpasswd --password hunter2 user', `htpasswd --password ${REDACTED} user`],
    ['oc login --token=sha256~abc https://api', `oc login --token=${REDACTED} https://api`],
    ['docker login -u admin -p hunter2 registry.example.com', `docker login -u admin -p ${REDACTED} registry.example.com`],
    ['Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
    ['token: abc.def', `token: ${REDACTED}`],
    ['{"access_token":"abc"}', `{"access_token":"${REDACTED}"}`],
    ['client_secret = hunter2', `client_secret = ${REDACTED}`],
  ];
  for (const [input, want] of cases) assert.equal(redact(input), want, input);
});

test('ordinary text is left alone', () => {
  for (const t of ['etcdctl snapshot save /var/lib/etcd/snapshot.db', 'oc get secrets -n default', 'mv /var/lib/etcd /var/lib/etcd.old-20261125', 'password-file /etc/x', 'type: kubernetes.io/service-account-token']) {
    assert.equal(redact(t), t);
  }
});

test('private key blocks, whole or cut off', () => {
  const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADAN\nqhkiG9w0B\n-----END RSA PRIVATE KEY-----';
  assert.equal(redact(`before\n${key}\nafter`), `before\n-----BEGIN RSA PRIVATE KEY----- ${REDACTED} -----END RSA PRIVATE KEY-----\nafter`);
  assert.equal(redact('x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n'), `x\n-----BEGIN PRIVATE KEY----- ${REDACTED}`);
});

test('secret parameter values, bare and as quoted into a command', () => {
  const secret = "it's a $ecret";
  const r = makeRedactor({ secrets: [secret, ''] });
  const cmd = sh`podman login -u admin --password-stdin <<< ${secret}`;
  assert.ok(!r(cmd.script).includes('ecret'), r(cmd.script));
  assert.equal(r(`echo ${secret}`), `echo ${REDACTED}`);
  assert.equal(r(argv('printf', '%s', secret).script), `printf %s ${REDACTED}`);
  assert.equal(r(JSON.stringify({ v: 'x"' + secret })).includes('ecret'), false);
});

test('streamed lines: the body of a key block is dropped', () => {
  const lr = new LineRedactor(makeRedactor());
  const out = ['a', '-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEI', 'oAoGCCqGSM49', '-----END EC PRIVATE KEY-----', 'token: zzz', 'b'].map((l) => lr.line(l));
  assert.deepEqual(out, ['a', `-----BEGIN EC PRIVATE KEY----- ${REDACTED}`, undefined, undefined, '-----END EC PRIVATE KEY-----', `token: ${REDACTED}`, 'b']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argv, sh } from '../transport/shell.js';
import { LineRedactor, makeRedactor, outputRedactor, printsSecret, REDACTED, redact } from './redact.js';

test('well-known secret forms', () => {
  const cases: [string, string][] = [
    [
      'oc create secret docker-registry r --docker-username=u --docker-password=hunter2 --docker-email=a@b',
      `oc create secret docker-registry r --docker-username=u --docker-password=${REDACTED} --docker-email=a@b`,
    ],
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
  for (const t of [
    'etcdctl snapshot save /var/lib/etcd/snapshot.db',
    'oc get secrets -n default',
    'mv /var/lib/etcd /var/lib/etcd.old-20261125',
    'password-file /etc/x',
    'type: kubernetes.io/service-account-token',
  ]) {
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
  assert.equal(r(JSON.stringify({ v: `x"${secret}` })).includes('ecret'), false);
});

test('streamed lines: the body of a key block is dropped', () => {
  const lr = new LineRedactor(makeRedactor());
  const out = ['a', '-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEI', 'oAoGCCqGSM49', '-----END EC PRIVATE KEY-----', 'token: zzz', 'b'].map(
    (l) => lr.line(l),
  );
  assert.deepEqual(out, [
    'a',
    `-----BEGIN EC PRIVATE KEY----- ${REDACTED}`,
    undefined,
    undefined,
    '-----END EC PRIVATE KEY-----',
    `token: ${REDACTED}`,
    'b',
  ]);
});

test('more secret forms: headers, URLs, curl -u, oc login -p, secret data, multi-word and quoted values', () => {
  const cases: [string, string][] = [
    ['curl -H "Authorization: Basic dXNlcjpwdw==" https://x', `curl -H "Authorization: Basic ${REDACTED}" https://x`],
    ['Authorization: token ghp_abc123', `Authorization: token ${REDACTED}`],
    ['git clone https://admin:hunter2@git.example.com/r.git', `git clone https://admin:${REDACTED}@git.example.com/r.git`],
    ['curl -u admin:hunter2 https://x', `curl -u ${REDACTED} https://x`],
    ["curl -s --user 'admin:a b' https://x", `curl -s --user ${REDACTED} https://x`],
    ['oc login https://api:8443 -u admin -p hunter2', `oc login https://api:8443 -u admin -p ${REDACTED}`],
    ["oc login -u admin --password='a b c' https://api", `oc login -u admin --password=${REDACTED} https://api`],
    ['  .dockerconfigjson: eyJhdXRocyI6e319', `  .dockerconfigjson: ${REDACTED}`],
    ['{"tls.key":"LS0tLS1CRUdJTg=="}', `{"tls.key":"${REDACTED}"}`],
    ['  tls.key: LS0tLS1CRUdJTg==', `  tls.key: ${REDACTED}`],
    ['password="correct horse battery staple"', `password="${REDACTED}"`],
    ["secret: 'correct horse'", `secret: '${REDACTED}'`],
    ['password: correct horse battery staple', `password: ${REDACTED}`],
  ];
  for (const [input, want] of cases) assert.equal(redact(input), want, input);
  // a port and a path with an @ are not a password
  assert.equal(redact('curl https://api.example.com:8443/a@b'), 'curl https://api.example.com:8443/a@b');
});

test('a secret value inside a larger quoted word, whatever quoting that word got', () => {
  for (const secret of ["QQ's!", 'a "QQ" $ZZ', 'QQ ZZ', 'QQ;ZZ&YY', "o'QQZZ", 'QQ\\ZZ`YY']) {
    const r = makeRedactor({ secrets: [secret] });
    for (const word of [`user:${secret}`, `--password=${secret} x`, `${secret}'!`, `!${secret}"`, `a:${secret}`]) {
      const script = sh`curl -u ${word}`.script;
      assert.doesNotMatch(r(script), /QQ|ZZ|YY/, `${script} → ${r(script)}`);
    }
  }
});

test('streamed lines: consecutive key blocks, even on one line, are all dropped', () => {
  const lr = new LineRedactor(makeRedactor());
  const lines = [
    '-----BEGIN RSA PRIVATE KEY-----',
    'AAAA',
    '-----END RSA PRIVATE KEY----------BEGIN EC PRIVATE KEY-----',
    'BBBB',
    '-----END EC PRIVATE KEY-----',
    '-----BEGIN PRIVATE KEY-----',
    'CCCC',
    '-----END PRIVATE KEY-----',
    'after',
  ];
  const out = lines
    .map((l) => lr.line(l))
    .filter((l) => l !== undefined)
    .join('\n');
  for (const body of ['AAAA', 'BBBB', 'CCCC']) assert.ok(!out.includes(body), out);
  assert.match(out, /after$/);
  const whole = redact(lines.join('\n'));
  for (const body of ['AAAA', 'BBBB', 'CCCC']) assert.ok(!whole.includes(body), whole);
});

test('the output of a command that prints a token (oc whoami -t) is a secret, and so is that token elsewhere', () => {
  const r = makeRedactor();
  const out = outputRedactor(r, 'oc whoami -t');
  assert.equal(out('Xb4kq9Zr1aTt0kenWithoutAnyPrefix'), REDACTED);
  assert.equal(
    r('curl -k https://api/healthz -H X-Token:Xb4kq9Zr1aTt0kenWithoutAnyPrefix'),
    `curl -k https://api/healthz -H X-Token:${REDACTED}`,
  );
  assert.equal(outputRedactor(r, 'oc get nodes')('node-1 Ready'), 'node-1 Ready');
  for (const s of [
    'oc whoami --show-token',
    "'/usr/bin/oc' whoami -t",
    'oc sa get-token builder',
    'oc serviceaccounts get-token x',
    'kubectl create token x',
  ]) {
    assert.ok(printsSecret(s), s);
  }
});

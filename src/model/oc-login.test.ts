import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OC_READS, type OcLoginFacts } from '../ocp/oc-login.js';
import { ocLoginLine, ocLoginVerdict } from './oc-login.js';

const ok = (stdout: string) => ({ exitCode: 0, stdout: `${stdout}\n`, stderr: '' });
const fail = (stderr: string, exitCode: number | null = 1) => ({ exitCode, stdout: '', stderr: `${stderr}\n` });
const server = ok('https://master.example.com:8443');

function loggedIn(user: string, no: string[] = []): OcLoginFacts {
  return {
    whoami: ok(user),
    server,
    canI: OC_READS.map((read) => ({ read, out: no.includes(read.resource) ? { exitCode: 1, stdout: 'no\n', stderr: '' } : ok('yes') })),
  };
}

test('a cluster-admin: who and on which server', () => {
  const v = ocLoginVerdict(loggedIn('system:admin'));
  assert.equal(v.state, 'ok');
  assert.equal(v.tone, 'ok');
  assert.equal(ocLoginLine(v, 80), 'oc: system:admin on https://master.example.com:8443');
});

test('a login that cannot list nodes: what it cannot read, the checks that breaks, what to do', () => {
  const v = ocLoginVerdict(loggedIn('dev', ['nodes', 'deploymentconfigs']));
  assert.equal(v.state, 'limited');
  assert.equal(v.tone, 'warn');
  assert.deepEqual(
    v.cannot.map((r) => r.resource),
    ['nodes', 'deploymentconfigs'],
  );
  assert.match(v.lines[0]!, /^oc: dev on https:\/\/master\.example\.com:8443 cannot list nodes, get deploymentconfigs in default/);
  assert.match(v.lines[0]!, /nodes-ready, router, registry, mtu will fail/);
  assert.match(v.lines[0]!, /export KUBECONFIG=\/etc\/origin\/master\/admin\.kubeconfig/);
  const line = ocLoginLine(v, 78);
  assert.ok([...line].length <= 78, line);
  assert.match(line, /dev .*cannot list nodes.*oc login as a cluster-admin/);
});

test('not logged in, oc missing, API down and other failures each say so in their own words', () => {
  const notIn = ocLoginVerdict({ whoami: fail('error: You must be logged in to the server (Unauthorized)'), server, canI: [] });
  assert.equal(notIn.state, 'not-logged-in');
  assert.match(notIn.lines[0]!, /not logged in — oc login as a cluster-admin, or on a master: export KUBECONFIG=/);
  const noConfig = ocLoginVerdict({
    whoami: fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?'),
    canI: [],
  });
  assert.equal(noConfig.state, 'not-logged-in', 'no kubeconfig at all: oc falls back to localhost:8080');
  const missing = ocLoginVerdict({ whoami: fail('bash: oc: command not found', 127), canI: [] });
  assert.equal(missing.state, 'missing');
  assert.match(missing.lines[0]!, /pass --oc PATH/);
  assert.equal(ocLoginVerdict({ unavailable: 'oc not found: install the OpenShift client or pass --oc PATH', canI: [] }).state, 'missing');
  const down = ocLoginVerdict({
    whoami: fail('The connection to the server master.example.com:8443 was refused - did you specify the right host or port?'),
    server,
    canI: [],
  });
  assert.equal(down.state, 'api-down');
  assert.match(down.lines[0]!, /API server https:\/\/master\.example\.com:8443 cannot be reached/);
  const other = ocLoginVerdict({ whoami: fail('error: something odd'), canI: [] });
  assert.equal(other.state, 'error');
  assert.match(other.lines[0]!, /oc whoami failed: error: something odd/);
  for (const v of [notIn, missing, down, other]) assert.equal(v.tone, 'bad');
});

test('every verdict has a line that fits 40 columns, cut when none does', () => {
  const v = ocLoginVerdict(loggedIn('a-very-long-user-name-from-ldap', ['nodes']));
  assert.ok([...ocLoginLine(v, 40)].length <= 40);
});

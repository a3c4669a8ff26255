// A master's own API address in the lab follows whether that master's API runs (api/master-api.ts), as on a
// real host: `master-restart api` on master-1 makes `https://127.0.10.2:8443/healthz` fail for a moment (refused
// while the API is down, not ready just after it started) and then say ok again; the API stopped by hand (a
// static pod: apiserver.yaml moved to pods-stopped/; units: systemctl stop atomic-openshift-master-api) makes
// that address refuse connections and takes 127.0.10.2 out of the kubernetes endpoints; started again, both
// come back. Behaviour only, polled with generous deadlines. Against either lab:
//   bash scripts/with-lab.sh node --import tsx --test test/lab/master-api-down.test.ts
//   LAB_UP_ARGS='--control-plane systemd' bash scripts/with-lab.sh node --import tsx --test test/lab/master-api-down.test.ts

import assert from 'node:assert/strict';
import https from 'node:https';
import { before, test } from 'node:test';
import { apiEndpoints, assertLabUp, controlPlane, MASTERS, show, sleep, ssh } from '../procedures/lab-helpers.js';

const M1 = MASTERS[1]!;
const M1_ADDR = '127.0.10.2';
const OTHERS = ['127.0.10.1', '127.0.10.3'];
const PODS = '/etc/origin/node/pods';
const STOPPED = '/etc/origin/node/pods-stopped';
const DEADLINE_S = 180; // a busy machine, and the kubelet's crash-loop back-off (10 s base on a default lab)

/** `curl -k https://<master-1>:8443/healthz` on master-1: curl's exit code and the body. */
async function curlHealthz(): Promise<{ exit: number; body: string }> {
  const r = await ssh(M1, `curl -sk --max-time 5 https://${M1_ADDR}:8443/healthz; echo " curl-exit=$?"`);
  const m = / curl-exit=(\d+)\s*$/.exec(r.stdout);
  assert.ok(m, show(r));
  return { exit: Number(m[1]), body: r.stdout.slice(0, m.index).trim() };
}
const healthzOk = async () => (await curlHealthz()).body === 'ok';

/** The kubernetes service's endpoint addresses (the lab's oc), sorted. */
const endpoints = async () => (await apiEndpoints()).sort();

/** Polls `cond` every half second until it holds; fails after DEADLINE_S naming `what` and the last observation. */
async function until(what: string, cond: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + DEADLINE_S * 1000;
  let last: unknown;
  while (Date.now() < end) {
    if ((last = await cond()) === true) return;
    await sleep(500);
  }
  assert.fail(`not within ${DEADLINE_S} s: ${what} (last: ${JSON.stringify(last)})`);
}

/** One GET /healthz from here, a new connection each time (like curl -k): 'ok', or what went wrong. */
function healthzOnce(address: string): Promise<string> {
  return new Promise((done) => {
    const req = https.get(
      { host: address, port: 8443, path: '/healthz', rejectUnauthorized: false, agent: false, timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () =>
          done(
            res.statusCode === 200 && body.trim() === 'ok'
              ? 'ok'
              : `HTTP ${res.statusCode}: ${
                  body
                    .trim()
                    .split('\n')
                    .find((l) => l.startsWith('[-]')) ?? body.trim()
                }`,
          ),
        );
        res.on('error', (e) => done(e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** /healthz of `address` polled every 0.1 s until stopped; `seen` holds each answer in order. */
function watchHealthz(address: string): { seen: string[]; stop: () => Promise<void> } {
  const seen: string[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      seen.push(await healthzOnce(address));
      await sleep(100);
    }
  })();
  const stop = async () => {
    on = false;
    await loop;
  };
  return { seen, stop };
}
/** A failure seen, and ok after it. */
const failedThenOk = (seen: string[]): boolean => {
  const i = seen.findIndex((s) => s !== 'ok');
  return i >= 0 && seen.slice(i).includes('ok');
};

/** How the lab runs master-1's API: stopping and starting it by hand (not the product). */
const byHand = () =>
  controlPlane() === 'static'
    ? {
        stop: `mkdir -p ${STOPPED} && mv ${PODS}/apiserver.yaml ${STOPPED}/`,
        start: `if test -e ${STOPPED}/apiserver.yaml; then mv ${STOPPED}/apiserver.yaml ${PODS}/; fi`,
      }
    : { stop: 'systemctl stop atomic-openshift-master-api', start: 'systemctl start atomic-openshift-master-api' };

before(async () => {
  await assertLabUp();
  await until('master-1 /healthz ok before the tests', healthzOk);
});

test('master-restart api on master-1: its /healthz fails for a while, then says ok again', async (t) => {
  const watch = watchHealthz(M1_ADDR);
  try {
    await until('master-1 /healthz ok as seen from here', async () => watch.seen.includes('ok'));
    const r = await ssh(M1, 'master-restart api', 120_000);
    assert.equal(r.code, 0, show(r));
    await until('a failed /healthz on master-1, then ok', async () => failedThenOk(watch.seen) || watch.seen.slice(-3));
  } finally {
    await watch.stop();
    t.diagnostic(`/healthz seen: ${watch.seen.filter((s, i) => s !== watch.seen[i - 1]).join(' → ')}`);
  }
  assert.ok(await healthzOk());
});

test('master-1 API stopped by hand: its 8443 refuses and the kubernetes endpoints drop it; started: both back', async () => {
  const cmd = byHand();
  try {
    assert.deepEqual(await endpoints(), [...OTHERS, M1_ADDR].sort());
    const stop = await ssh(M1, cmd.stop);
    assert.equal(stop.code, 0, show(stop));
    // curl exit 7: connection refused — nothing listens there any more
    await until('curl to master-1:8443 refused', async () => {
      const c = await curlHealthz();
      return c.exit === 7 || c;
    });
    await until('master-1 out of the kubernetes endpoints', async () => {
      const eps = await endpoints();
      return JSON.stringify(eps) === JSON.stringify(OTHERS) || eps;
    });
    assert.notEqual((await curlHealthz()).body, 'ok', 'still down: /healthz does not say ok');
    const start = await ssh(M1, cmd.start);
    assert.equal(start.code, 0, show(start));
    await until('master-1 /healthz ok again', healthzOk);
    await until('master-1 back in the kubernetes endpoints', async () => {
      const eps = await endpoints();
      return eps.includes(M1_ADDR) || eps;
    });
  } finally {
    await ssh(M1, cmd.start);
  }
  assert.deepEqual(await endpoints(), [...OTHERS, M1_ADDR].sort());
  await until('master-1 /healthz ok at the end', healthzOk);
});

// ProxyJump through real OpenSSH servers (private sshds, no lab needed; root, as the lab tests): hosts
// configured only in an ~/.ssh/config of a temporary HOME, reached through one and two jump hosts.
// The lab test with a host that only a jump host can reach: test/lab/ssh-config.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Host } from '../../src/inventory/types.js';
import { sh } from '../../src/transport/shell.js';
import { SshRunner } from '../../src/transport/ssh.js';
import { loadSshConfig } from '../../src/transport/ssh-config.js';
import { TransportError } from '../../src/transport/types.js';
import { type PrivateSshd, startPrivateSshd } from './sshd-fixture.js';

let jumpA: PrivateSshd;
let jumpB: PrivateSshd;
let target: PrivateSshd;
const home = mkdtempSync(join(tmpdir(), 'day2-jump-home-'));
const runners: SshRunner[] = [];

/** An inventory host known only by its address: everything else comes from the ssh config. */
function bare(name: string, address: string): Host {
  return { name, address, port: 22, become: false, roles: ['node'], groups: [], vars: {}, file: 'test', line: 1 };
}

function sshdBlock(name: string, s: PrivateSshd, extra: string[] = []): string {
  return [
    `Host ${name}`,
    `  HostName ${s.address}`,
    `  Port ${s.port}`,
    `  IdentityFile ${s.keyFile}`,
    `  UserKnownHostsFile ${s.knownHostsPath}`,
    ...extra,
  ].join('\n');
}

/** A runner reading this config; the runners of earlier tests are closed first (their jump connections counted). */
async function runnerWith(config: string): Promise<SshRunner> {
  for (const r of runners.splice(0)) await r.close();
  await until('earlier jump connections are closed', () => [jumpA, jumpB].every((s) => s.connectionPids().length === 0));
  writeFileSync(join(home, '.ssh', 'config'), `${config}\n`);
  const r = new SshRunner({
    sshConfig: loadSshConfig(home, 'root', join(home, 'no-system-config')),
    agentSocket: null,
    defaultIdentityFiles: [],
    connectTimeoutMs: 5000,
  });
  runners.push(r);
  return r;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(ok(), what);
}

before(async () => {
  mkdirSync(join(home, '.ssh'), { recursive: true });
  jumpA = await startPrivateSshd([], '127.0.9.21');
  jumpB = await startPrivateSshd([], '127.0.9.22');
  target = await startPrivateSshd([], '127.0.9.23');
});
after(async () => {
  for (const r of runners) await r.close();
  await Promise.all([jumpA?.stop(), jumpB?.stop(), target?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

describe('ProxyJump', () => {
  it('runs commands on hosts behind a jump host, over one shared connection to it, closed by close()', async () => {
    const r = await runnerWith([sshdBlock('app-*', target, ['  ProxyJump jump-a']), sshdBlock('jump-a', jumpA)].join('\n'));
    const hosts = [bare('app-1', 'app-1'), bare('app-2', 'app-2')];
    const results = await Promise.all(hosts.map((h) => r.run({ kind: 'host', host: h }, sh`echo "$SSH_CONNECTION"`)));
    for (const res of results) assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(jumpA.connectionPids().length, 1, 'one connection to the jump host for both hosts');
    assert.equal(target.connectionPids().length, 2);
    await r.close();
    await until('the jump connection is closed', () => jumpA.connectionPids().length === 0);
  });

  it('goes through two hops in order', async () => {
    const r = await runnerWith(
      [sshdBlock('app-1', target, ['  ProxyJump jump-a,jump-b']), sshdBlock('jump-a', jumpA), sshdBlock('jump-b', jumpB)].join('\n'),
    );
    const res = await r.run({ kind: 'host', host: bare('app-1', 'app-1') }, sh`echo reached`);
    assert.equal(res.stdout, 'reached\n');
    assert.equal(jumpA.connectionPids().length, 1);
    assert.equal(jumpB.connectionPids().length, 1);
    await r.close();
  });

  it('names the jump host whose key is not known, with what to do', async () => {
    const emptyKnown = join(home, 'empty_known_hosts');
    writeFileSync(emptyKnown, '');
    const r = await runnerWith(
      [
        sshdBlock('app-1', target, ['  ProxyJump jump-a']),
        `Host jump-a\n  HostName ${jumpA.address}\n  Port ${jumpA.port}\n  UserKnownHostsFile ${emptyKnown}`,
      ].join('\n'),
    );
    const c = await r.probe(bare('app-1', 'app-1'));
    assert.equal(c.state, 'host-key-unknown');
    assert.match(c.reason ?? '', /^via jump-a: host key of jump-a \(127\.0\.9\.21\) is not in /);
    assert.match(c.hint ?? '', /ssh-keyscan -p \d+ 127\.0\.9\.21 >> /);
  });

  it('says which hop cannot reach the next one', async () => {
    const r = await runnerWith(
      [`Host app-1\n  HostName ${target.address}\n  Port 1\n  ProxyJump jump-a`, sshdBlock('jump-a', jumpA)].join('\n'),
    );
    const c = await r.probe(bare('app-1', 'app-1'));
    assert.equal(c.state, 'unreachable');
    assert.match(c.reason ?? '', /app-1 \(127\.0\.9\.23\) port 1 via jump-a: /);
    assert.match(c.hint ?? '', /from jump-a: nc -zv 127\.0\.9\.23 1/);
  });

  it('a lost jump connection makes the hosts behind it lost', async () => {
    const r = await runnerWith([sshdBlock('app-1', target, ['  ProxyJump jump-a']), sshdBlock('jump-a', jumpA)].join('\n'));
    const host = bare('app-1', 'app-1');
    assert.equal((await r.run({ kind: 'host', host }, sh`true`)).exitCode, 0);
    const running = r.run({ kind: 'host', host }, sh`sleep 30`);
    await until('the jump connection is up', () => jumpA.connectionPids().length === 1);
    for (const pid of jumpA.connectionPids()) process.kill(pid, 'SIGKILL');
    await assert.rejects(running, (e: unknown) => e instanceof TransportError && e.state === 'connection-lost');
    // the next command connects again, through a new jump connection
    assert.equal((await r.run({ kind: 'host', host }, sh`true`)).exitCode, 0);
  });
});

// The SSH runner against real OpenSSH servers: the lab (LAB_DIR, started by scripts/test.sh with
// `test/lab/lab.sh up --dir DIR`) and, for the tests that must disturb the server, a private sshd.
// Never skips: without a running lab every test here fails with the reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Host, Role } from '../../src/inventory/types.js';
import { hostLookupName } from '../../src/transport/known-hosts.js';
import { literal, sh } from '../../src/transport/shell.js';
import { SshRunner, type SshRunnerOptions } from '../../src/transport/ssh.js';
import { type Target, TransportError } from '../../src/transport/types.js';
import { type PrivateSshd, startPrivateSshd } from './sshd-fixture.js';

interface Lab {
  dir: string;
  hosts: Host[];
  knownHostsPath: string;
  keyFile: string;
}

function labHost(raw: Record<string, unknown>, keyFile: string): Host {
  const name = String(raw.name);
  return {
    name,
    address: String(raw.address ?? raw.ansible_host ?? name),
    port: Number(raw.port ?? raw.ansible_port ?? 22),
    user: String(raw.user ?? raw.ansible_user ?? 'root'),
    keyFile,
    become: false,
    roles: (Array.isArray(raw.roles) ? raw.roles : []) as Role[],
    groups: [],
    vars: {},
    file: 'lab.json',
    line: 0,
  };
}

function loadLab(): Lab {
  const dir = process.env.LAB_DIR;
  if (!dir) {
    throw new Error(
      'LAB_DIR is not set: start the lab with `bash test/lab/lab.sh up --dir DIR` and run with LAB_DIR=DIR (scripts/test.sh does both)',
    );
  }
  const labJson = join(dir, 'lab.json');
  if (!existsSync(labJson)) throw new Error(`LAB_DIR=${dir} has no lab.json: the lab is not up (bash test/lab/lab.sh up --dir ${dir})`);
  const parsed = JSON.parse(readFileSync(labJson, 'utf8')) as {
    hosts?: Record<string, unknown>[];
    knownHosts?: string;
    identity?: string;
  };
  const keyFile = parsed.identity ?? join(dir, 'id_ed25519');
  const hosts = (parsed.hosts ?? []).map((h) => labHost(h, keyFile));
  if (hosts.length === 0) throw new Error(`${labJson} lists no hosts`);
  return { dir, hosts, knownHostsPath: parsed.knownHosts ?? join(dir, 'known_hosts'), keyFile };
}

const tag = (what: string): string => `day2-transport-${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
/** A pgrep pattern that matches the tag but not the shell running pgrep (whose text holds the pattern). */
const pgrepPattern = (t: string): string => `${t.slice(0, -1)}[${t.slice(-1)}]`;

let lab: Lab;
let host: Host;
let target: Target;
let runner: SshRunner;
const scratch = mkdtempSync(join(tmpdir(), 'day2-ssh-test-'));
const extraRunners: SshRunner[] = [];

function newRunner(opts: SshRunnerOptions = {}): SshRunner {
  const r = new SshRunner({ knownHostsPath: lab?.knownHostsPath, agentSocket: null, defaultIdentityFiles: [], ...opts });
  extraRunners.push(r);
  return r;
}

async function remotePids(t: string): Promise<string> {
  const r = await runner.run(target, sh`pgrep -f ${pgrepPattern(t)} || true`);
  return r.stdout.trim();
}

async function waitGone(t: string, ms = 3000): Promise<string> {
  const until = Date.now() + ms;
  let pids = await remotePids(t);
  while (pids !== '' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    pids = await remotePids(t);
  }
  return pids;
}

// A failing `before` hook makes node:test report the tests as cancelled, not failed; so the lab is
// checked once here and every lab test fails on its own with the reason.
let labError: Error | undefined;
before(async () => {
  try {
    lab = loadLab();
    host = lab.hosts.find((h) => h.roles.includes('master')) ?? lab.hosts[0]!;
    target = { kind: 'host', host };
    runner = new SshRunner({ knownHostsPath: lab.knownHostsPath, agentSocket: null, defaultIdentityFiles: [], killGraceMs: 1000 });
    const c = await runner.probe(host);
    if (c.state !== 'ok') {
      throw new Error(`the lab in ${lab.dir} is down or unusable: ${host.name}: ${c.state}: ${c.reason} (${c.hint ?? ''})`);
    }
  } catch (err) {
    labError = err as Error;
  }
});

/** A test that needs the lab: fails (never skips) when the lab is not there. */
function labIt(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    if (labError) throw labError;
    await fn();
  });
}

after(async () => {
  await runner?.close();
  for (const r of extraRunners) await r.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('ssh runner on the lab', () => {
  labIt('probes every lab host', async () => {
    for (const h of lab.hosts) {
      const c = await runner.probe(h);
      assert.equal(c.state, 'ok', `${h.name}: ${c.reason}`);
    }
  });

  labIt('returns exit codes, stdout and stderr', async () => {
    const r = await runner.run(target, literal('echo out; echo err >&2; exit 42'));
    assert.equal(r.exitCode, 42);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n', 'the process-group line is not part of stderr');
    assert.equal(r.timedOut, false);
    assert.equal(r.cancelled, false);
    assert.equal((await runner.run(target, literal('true'))).exitCode, 0);
    assert.equal((await runner.run(target, literal('false'))).exitCode, 1);
    assert.equal((await runner.run(target, literal('hostname'))).exitCode, 0);
  });

  labIt('passes quoted arguments through unchanged', async () => {
    const words = ['a b', "it's", '$(touch /tmp/pwned)', '`id`', '*', '\\n', 'é'];
    const r = await runner.run(target, sh`printf '%s\n' ${words}`);
    assert.equal(r.stdout, words.map((w) => `${w}\n`).join(''));
  });

  labIt('streams lines as they arrive, in order, stdout and stderr apart', async () => {
    const events: { stream: string; line: string; at: number }[] = [];
    const t0 = Date.now();
    const r = await runner.run(
      target,
      literal('for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 1; echo late; printf "no-newline"'),
      {
        onStdout: (line) => events.push({ stream: 'out', line, at: Date.now() - t0 }),
        onStderr: (line) => events.push({ stream: 'err', line, at: Date.now() - t0 }),
      },
    );
    const out = events.filter((e) => e.stream === 'out').map((e) => e.line);
    const err = events.filter((e) => e.stream === 'err').map((e) => e.line);
    assert.deepEqual(out, ['out1', 'out2', 'out3', 'late', 'no-newline']);
    assert.deepEqual(err, ['err1', 'err2', 'err3']);
    const first = events.find((e) => e.line === 'out1')!;
    const late = events.find((e) => e.line === 'late')!;
    assert.ok(late.at - first.at >= 800, `out1 at ${first.at} ms, late at ${late.at} ms: lines must arrive as printed`);
    assert.equal(r.stdout, 'out1\nout2\nout3\nlate\nno-newline');
  });

  labIt('writes stdin to the command and closes it', async () => {
    const r = await runner.run(target, literal('cat; echo end'), { stdin: 'line 1\nline 2\n' });
    assert.equal(r.stdout, 'line 1\nline 2\nend\n');
    const r2 = await runner.run(target, literal('cat; echo eof'), { timeoutMs: 5000 });
    assert.equal(r2.stdout, 'eof\n', 'without stdin the command reads end of file');
  });

  labIt('streams 10 MB of output, every line, and keeps only the tail', async () => {
    let lines = 0;
    let bad = 0;
    const r = await runner.run(target, literal("head -c 10485760 /dev/zero | tr '\\0' x | fold -w 1024; echo; echo END"), {
      onStdout: (l) => {
        lines++;
        if (l.length !== 1024 && l !== 'END') bad++;
      },
    });
    assert.equal(r.exitCode, 0);
    assert.equal(lines, 10241);
    assert.equal(bad, 0);
    assert.equal(r.truncated, true);
    assert.equal(Buffer.byteLength(r.stdout), 1024 * 1024);
    assert.ok(r.stdout.endsWith('x\nEND\n'));
    const small = await runner.run(target, literal('seq 1 100000'), { maxBufferBytes: 100 });
    assert.equal(Buffer.byteLength(small.stdout), 100);
    assert.ok(small.stdout.endsWith('99999\n100000\n'));
  });

  labIt('times out and ends the remote process', async () => {
    const t = tag('timeout');
    const t0 = Date.now();
    const r = await runner.run(target, literal(`echo started; sleep 600; : ${t}`), { timeoutMs: 700 });
    assert.equal(r.timedOut, true);
    assert.equal(r.cancelled, false);
    assert.equal(r.exitCode, null);
    assert.equal(r.stdout, 'started\n');
    assert.ok(Date.now() - t0 < 4000, `returned after ${Date.now() - t0} ms`);
    assert.equal(await waitGone(t), '', 'no process of the command is left on the host');
  });

  labIt('cancel (AbortSignal) ends the remote process and its children', async () => {
    const t = tag('cancel');
    const ac = new AbortController();
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const p = runner.run(target, literal(`sh -c 'sleep 600; : ${t}-child' & echo started; sleep 600; : ${t}`), {
      signal: ac.signal,
      onStdout: (l) => l === 'started' && started(),
    });
    await isStarted;
    const before = await remotePids(t);
    assert.ok(before.split('\n').length >= 2, `the command and its child run on the host (pids: ${before})`);
    ac.abort();
    const r = await p;
    assert.equal(r.cancelled, true);
    assert.equal(r.exitCode, null);
    assert.equal(await waitGone(t), '', 'no process of the command is left on the host');
  });

  labIt('cancel ends a command that ignores SIGTERM (SIGKILL after the grace period)', async () => {
    const t = tag('stubborn');
    const ac = new AbortController();
    const p = runner.run(target, literal(`trap '' TERM; echo started; sleep 600; : ${t}`), {
      signal: ac.signal,
      onStdout: (l) => l === 'started' && ac.abort(),
    });
    const r = await p;
    assert.equal(r.cancelled, true);
    assert.equal(await waitGone(t, 4000), '');
  });

  labIt('cancel right after the start still ends the remote process', async () => {
    const t = tag('early');
    const ac = new AbortController();
    const p = runner.run(target, literal(`sleep 600; : ${t}`), { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    const r = await p;
    assert.equal(r.cancelled, true);
    assert.equal(await waitGone(t), '');
  });

  labIt('an aborted signal runs nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = `/tmp/${tag('aborted')}`;
    const r = await runner.run(target, sh`touch ${f}`, { signal: ac.signal });
    assert.equal(r.cancelled, true);
    assert.equal((await runner.run(target, sh`test -e ${f}`)).exitCode, 1);
  });

  labIt('reuses one connection for many commands, 20 of them in parallel', async () => {
    const r = newRunner({ concurrency: 32 });
    const dir = `/tmp/${tag('inflight')}`;
    await runner.run(target, sh`mkdir -p ${dir}`);
    // each command leaves a file in the directory while it runs and reports how many it saw
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const report = sh`rm -f ${dir}/$$; echo ${String(i)} "$SSH_CLIENT" inflight=$n; exit ${String(i % 3)}`;
        return r.run(target, sh`touch ${dir}/$$; sleep 1; n=$(ls ${dir} | wc -l); ${report}`);
      }),
    );
    results.forEach((res, i) => {
      assert.equal(res.exitCode, i % 3);
      assert.match(res.stdout, new RegExp(`^${i} `));
    });
    const inflight = results.map((res) => Number(/inflight=\s*(\d+)/.exec(res.stdout)![1]));
    const clients = new Set(
      results.map((res) =>
        res.stdout
          .replace(/ inflight=.*$/s, '')
          .split(' ')
          .slice(1)
          .join(' ')
          .trim(),
      ),
    );
    assert.equal(clients.size, 1, `every command came over the same TCP connection: ${[...clients].join(' | ')}`);
    for (let i = 0; i < 10; i++) await r.run(target, literal('true'));
    assert.equal(r.connectionCount(host), 1);
    // at most 9 channels at once (OpenSSH MaxSessions 10, one kept for cancel), and more than one
    assert.ok(Math.max(...inflight) <= 9 && Math.max(...inflight) > 1, `commands seen running together: ${inflight.join(' ')}`);
  });

  labIt('limits the commands in flight (concurrency option)', async () => {
    const r = newRunner({ concurrency: 2 });
    const dir = `/tmp/${tag('limit')}`;
    await runner.run(target, sh`mkdir -p ${dir}`);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => r.run(target, sh`touch ${dir}/$$; sleep 0.5; ls ${dir} | wc -l; rm -f ${dir}/$$`)),
    );
    const inflight = results.map((res) => Number(res.stdout.trim()));
    assert.equal(Math.max(...inflight), 2, `commands seen running together (limit 2): ${inflight.join(' ')}`);
  });

  labIt('reports an unreachable host', async () => {
    const dead: Host = { ...host, name: 'dead.lab.example.com', address: '127.0.99.1', port: 22 };
    const c = await runner.probe(dead);
    assert.equal(c.state, 'unreachable');
    assert.match(c.reason ?? '', /refused/);
    assert.match(c.hint ?? '', /127\.0\.99\.1/);
    await assert.rejects(runner.run({ kind: 'host', host: dead }, literal('true')), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.state, 'unreachable');
      assert.equal(e.host, 'dead.lab.example.com');
      return true;
    });
  });

  labIt('refuses an unknown host key (empty known_hosts) and runs nothing', async () => {
    const empty = join(scratch, 'known_hosts.empty');
    writeFileSync(empty, '');
    const r = newRunner({ knownHostsPath: empty });
    const f = `/tmp/${tag('unknown-key')}`;
    const c = await r.probe(host);
    assert.equal(c.state, 'host-key-unknown');
    assert.match(c.reason ?? '', /SHA256:/);
    assert.ok(c.hint?.includes(`ssh-keyscan -p ${host.port} ${host.address} >> ${empty}`), c.hint);
    assert.match(c.hint ?? '', /out of band/);
    await assert.rejects(r.run(target, sh`touch ${f}`), (e: unknown) => e instanceof TransportError && e.state === 'host-key-unknown');
    // a missing file behaves the same
    const missing = newRunner({ knownHostsPath: join(scratch, 'no-such-file') });
    assert.equal((await missing.probe(host)).state, 'host-key-unknown');
    assert.equal((await runner.run(target, sh`test -e ${f}`)).exitCode, 1, 'the command did not run');
  });

  labIt('refuses a changed host key and runs nothing', async () => {
    const keyFile = join(scratch, 'otherkey');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const [type, b64] = readFileSync(`${keyFile}.pub`, 'utf8').split(' ');
    const changed = join(scratch, 'known_hosts.changed');
    const names = [host.name, host.address].map((n) => hostLookupName(n, host.port)).join(',');
    writeFileSync(changed, `# another key for the host\n${names} ${type} ${b64}\n`);
    const r = newRunner({ knownHostsPath: changed });
    const f = `/tmp/${tag('changed-key')}`;
    const c = await r.probe(host);
    assert.equal(c.state, 'host-key-changed');
    assert.match(c.reason ?? '', new RegExp(`${changed.replace(/[.]/g, '\\.')}:2`));
    assert.match(c.hint ?? '', /attack/);
    assert.match(c.hint ?? '', /ssh-keygen -f \S+ -R /);
    await assert.rejects(r.run(target, sh`touch ${f}`), (e: unknown) => e instanceof TransportError && e.state === 'host-key-changed');
    assert.equal((await runner.run(target, sh`test -e ${f}`)).exitCode, 1, 'the command did not run');
  });

  labIt('accepts hashed known_hosts entries (ssh-keygen -H)', async () => {
    const hashed = join(scratch, 'known_hosts.hashed');
    writeFileSync(hashed, readFileSync(lab.knownHostsPath));
    execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'ignore' });
    assert.doesNotMatch(readFileSync(hashed, 'utf8'), new RegExp(host.address.replace(/\./g, '\\.')));
    const r = newRunner({ knownHostsPath: hashed });
    assert.equal((await r.probe(host)).state, 'ok');
  });

  labIt('reports an authentication failure for a key that is not authorized', async () => {
    const keyFile = join(scratch, 'unauthorized');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const r = newRunner({ identityFile: keyFile });
    const noKeyHost: Host = { ...host };
    delete noKeyHost.keyFile;
    const c = await r.probe(noKeyHost);
    assert.equal(c.state, 'auth-failed');
    assert.ok(c.reason?.includes(keyFile), c.reason);
    assert.match(c.hint ?? '', /ssh-copy-id|authorized|Authorize/);
    await assert.rejects(
      r.run({ kind: 'host', host: noKeyHost }, literal('true')),
      (e: unknown) => e instanceof TransportError && e.state === 'auth-failed',
    );
  });
});

describe('ssh runner on a private sshd (server-side disturbances)', () => {
  let sshd: PrivateSshd;
  before(async () => {
    sshd = await startPrivateSshd(['MaxSessions 3']);
  });
  after(async () => {
    await sshd?.stop();
  });

  it('uses the [host]:port known_hosts form for a non-22 port', async () => {
    const r = newRunner({ knownHostsPath: sshd.knownHostsPath });
    assert.equal((await r.probe(sshd.host)).state, 'ok');
  });

  it('queues when the server allows fewer sessions than we would open', async () => {
    const r = newRunner({ knownHostsPath: sshd.knownHostsPath, maxSessionsPerHost: 10 });
    const tgt: Target = { kind: 'host', host: sshd.host };
    const authsBefore = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const res = await Promise.all(Array.from({ length: 12 }, (_, i) => r.run(tgt, literal(`sleep 0.3; echo ${i}`))));
    for (const [i, x] of res.entries()) assert.equal(x.stdout, `${i}\n`);
    assert.equal(r.connectionCount(sshd.host), 1);
    const log = sshd.log();
    assert.equal((log.match(/Accepted publickey/g) ?? []).length - authsBefore, 1, 'one authentication in the server log');
  });

  it('fails running commands with connection-lost when the connection drops, then reconnects', async () => {
    const r = newRunner({ knownHostsPath: sshd.knownHostsPath });
    const tgt: Target = { kind: 'host', host: sshd.host };
    const t = tag('lost');
    assert.equal((await r.run(tgt, literal('true'))).exitCode, 0);
    let started!: () => void;
    const isStarted = new Promise<void>((res) => (started = res));
    const running = r.run(tgt, literal(`echo started; sleep 60; : ${t}`), { onStdout: () => started() });
    await isStarted;
    const conns = sshd.connectionPids();
    assert.ok(conns.length >= 1, 'sshd has a connection process');
    const t0 = Date.now();
    for (const pid of conns) process.kill(pid, 'SIGKILL');
    await assert.rejects(running, (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.state, 'connection-lost');
      assert.match(e.message, new RegExp(`connection to ${sshd.host.name} lost`));
      return true;
    });
    assert.ok(Date.now() - t0 < 3000);
    // the next command connects again
    const again = await r.run(tgt, literal('echo back'));
    assert.equal(again.stdout, 'back\n');
    // the orphaned remote command was started by this test: end its process group (it leads it)
    const left = await r.run(tgt, sh`pgrep -f ${pgrepPattern(t)} || true`);
    for (const pid of left.stdout.trim().split('\n').filter(Boolean)) process.kill(-Number(pid), 'SIGKILL');
  });
});

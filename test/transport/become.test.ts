// Become (ansible_become) over a real sudo: the SSH runner wraps every command in `sudo -n sh -c` when
// the host asks for become and the SSH user is not root. Runs against a private sshd (see sshd-fixture)
// as two local non-root users made here (idempotently): day2op, with passwordless sudo from the drop-in
// /etc/sudoers.d/day2op, and day2nosudo, with no sudo rights. Needs root and Debian's sudo
// (test/lab/install-packages.sh installs it). The users stay; the sudoers drop-in is removed in `after`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Host } from '../../src/inventory/types.js';
import { literal, type ShellCommand, sh } from '../../src/transport/shell.js';
import { SshRunner } from '../../src/transport/ssh.js';
import type { CommandResult, RunOptions, Target } from '../../src/transport/types.js';
import { type PrivateSshd, startPrivateSshd } from './sshd-fixture.js';

const OP = 'day2op';
const NOSUDO = 'day2nosudo';
const SUDOERS_DROPIN = `/etc/sudoers.d/${OP}`;

const scratch = mkdtempSync(join(tmpdir(), 'day2-become-test-'));
const keyFile = join(scratch, 'id_ed25519');
let sshd: PrivateSshd | undefined;
let runner: SshRunner | undefined;
let opUid: number;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function userExists(name: string): boolean {
  try {
    run('getent', ['passwd', name]);
    return true;
  } catch {
    return false;
  }
}

/** A login-capable user whose ~/.ssh/authorized_keys holds exactly the test key. */
function ensureUser(name: string, pub: string): void {
  if (!userExists(name)) run('useradd', ['-m', '-s', '/bin/sh', name]);
  // useradd leaves the password locked ('!'); with UsePAM no, sshd refuses locked accounts even for
  // key logins. '*' means "no password can match" without being "locked".
  run('usermod', ['-p', '*', name]);
  const [uid, gid, home] = run('getent', ['passwd', name])
    .trim()
    .split(':')
    .filter((_, i) => i === 2 || i === 3 || i === 5);
  const sshDir = join(home!, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(sshDir, 'authorized_keys'), `${pub}\n`, { mode: 0o600 });
  for (const p of [home!, sshDir, join(sshDir, 'authorized_keys')]) chownSync(p, Number(uid), Number(gid));
  chmodSync(sshDir, 0o700);
  chmodSync(join(sshDir, 'authorized_keys'), 0o600);
}

function installSudoersDropin(): void {
  const candidate = join(scratch, 'sudoers');
  writeFileSync(candidate, `${OP} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  run('visudo', ['-cf', candidate]);
  // install(1) puts it in place with the owner and mode sudo insists on.
  run('install', ['-o', 'root', '-g', 'root', '-m', '0440', candidate, SUDOERS_DROPIN]);
  run('visudo', ['-c']);
}

function hostFor(user: string, become: boolean): Host {
  return { ...sshd!.host, name: `${user}${become ? '-become' : ''}.test`, user, keyFile, become };
}

/** runner.run, no retry: every command must come back with its exit status. */
async function runOnce(t: Target, cmd: ShellCommand, opts: RunOptions = {}): Promise<CommandResult> {
  return runner!.run(t, cmd, opts);
}

const target = (user: string, become: boolean): Target => ({ kind: 'host', host: hostFor(user, become) });

// A failing `before` hook reports the tests as cancelled; remember the error and fail each test with it.
let setupError: Error | undefined;
before(async () => {
  try {
    if (process.getuid?.() !== 0) throw new Error('the become tests need root (they create users and a sudoers drop-in)');
    if (!existsSync('/usr/bin/sudo'))
      throw new Error('sudo is not installed: run bash test/lab/install-packages.sh as root (or apt-get install sudo)');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const pub = readFileSync(`${keyFile}.pub`, 'utf8').trim();
    ensureUser(OP, pub);
    ensureUser(NOSUDO, pub);
    rmSync(`/etc/sudoers.d/${NOSUDO}`, { force: true });
    installSudoersDropin();
    opUid = Number(run('id', ['-u', OP]).trim());
    // The fixture reads the root-owned key list in its private directory, which the users cannot read:
    // for them sshd reads their own ~/.ssh/authorized_keys.
    sshd = await startPrivateSshd([`Match User ${OP},${NOSUDO}`, '  AuthorizedKeysFile .ssh/authorized_keys']);
    runner = new SshRunner({ knownHostsPath: sshd.knownHostsPath, agentSocket: null, defaultIdentityFiles: [], killGraceMs: 1000 });
  } catch (err) {
    setupError = err as Error;
  }
});

after(async () => {
  await runner?.close();
  await sshd?.stop(); // SIGTERM to the fixture's own sshd pid
  rmSync(SUDOERS_DROPIN, { force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function bIt(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    if (setupError) throw setupError;
    await fn();
  });
}

describe('become through a real sudo', () => {
  bIt('probe: ok as day2op with become, and says sudo works', async () => {
    const c = await runner!.probe(hostFor(OP, true));
    assert.equal(c.state, 'ok', `${c.reason} ${sshd!.log()}`);
    assert.match(c.reason ?? '', /sudo -n works/);
  });

  bIt('day2op + become runs as root', async () => {
    const r = await runOnce(target(OP, true), literal('id -u; id -un'));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, '0\nroot\n');
    assert.equal(r.stderr, '');
  });

  bIt('day2op without become runs as day2op', async () => {
    const r = await runOnce(target(OP, false), literal('id -u'));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `${opUid}\n`);
  });

  bIt('quoting-sensitive scripts behave exactly as without sudo', async () => {
    const scripts = [
      literal(`printf '%s\\n' "a b" '$HOME'`),
      sh`printf '%s\n' ${['a b', "it's", '$(echo pwned)', '`id`', '*', '\\n', '"q"', 'é']}`,
      literal(`echo out; echo err >&2; exit 42`),
      literal(`x='a  b'; echo "$x" $x`),
    ];
    for (const s of scripts) {
      const plain = await runOnce(target(OP, false), s);
      const sudo = await runOnce(target(OP, true), s);
      assert.deepEqual(
        { exitCode: sudo.exitCode, stdout: sudo.stdout, stderr: sudo.stderr },
        { exitCode: plain.exitCode, stdout: plain.stdout, stderr: plain.stderr },
        s.script,
      );
    }
    const r = await runOnce(target(OP, true), literal(`printf '%s\\n' "a b" '$HOME'`));
    assert.equal(r.stdout, 'a b\n$HOME\n');
  });

  bIt('stdin reaches the command under sudo, bytes unchanged (no pty)', async () => {
    const input = 'line one\n\ttab \'q\' "dq" $HOME\nlast';
    const r = await runOnce(target(OP, true), literal('cat; echo; [ -t 0 ] && echo tty || echo notty'), { stdin: input });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `${input}\nnotty\n`);
  });

  bIt('cancelling a command under sudo ends the root process on the host', async () => {
    const tag = `day2-become-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const ac = new AbortController();
    const started = runner!.run(target(OP, true), literal(`sleep 300 # ${tag}`), { signal: ac.signal });
    const pids = (): string => {
      try {
        return run('pgrep', ['-f', tag]).trim();
      } catch {
        return '';
      }
    };
    const until = Date.now() + 5000;
    while (pids() === '' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.notEqual(pids(), '', 'the sleep started');
    ac.abort();
    const r = await started;
    assert.equal(r.cancelled, true);
    const goneBy = Date.now() + 5000;
    while (pids() !== '' && Date.now() < goneBy) await new Promise((res) => setTimeout(res, 100));
    assert.equal(pids(), '', 'no process of the cancelled command is left');
  });

  bIt('day2nosudo + become: probe says auth-failed because of sudo', async () => {
    const c = await runner!.probe(hostFor(NOSUDO, true));
    assert.equal(c.state, 'auth-failed', c.reason);
    assert.match(c.reason ?? '', /connected as day2nosudo, but sudo -n fails: .*password is required/);
    assert.match(c.hint ?? '', /NOPASSWD/);
  });

  bIt('day2nosudo + become: run fails at once, not waiting for a password', async () => {
    const r = await runOnce(target(NOSUDO, true), literal('id -u'), { timeoutMs: 10_000 });
    assert.equal(r.timedOut, false);
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /sudo: .*password is required/);
    // Without become the same user is fine: it is sudo, not the login, that fails.
    assert.equal((await runner!.probe(hostFor(NOSUDO, false))).state, 'ok');
  });

  bIt('fast commands always come back with their exit status (ssh2 emits exit before an awaiting caller listens)', async () => {
    // A non-root user's /bin/sh answers so fast that exit-status shares a read with the exec confirmation.
    for (let i = 0; i < 150; i++) {
      const r = await runner!.run(target('day2op', false), sh`exit ${i % 3}`);
      assert.equal(r.exitCode, i % 3, `run ${i}: ${JSON.stringify(r)}`);
    }
  });
});

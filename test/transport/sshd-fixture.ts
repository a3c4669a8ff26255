// A private OpenSSH server for the transport tests that must disturb the server (kill its connection
// process, lower MaxSessions) without touching the shared lab. Runs as the current user (root here).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../src/inventory/types.js';

export interface PrivateSshd {
  dir: string;
  address: string;
  port: number;
  host: Host;
  knownHostsPath: string;
  keyFile: string;
  /** The listening sshd; its children are the per-connection processes. */
  pid: number;
  /** pids of sshd's per-connection processes right now. */
  connectionPids(): number[];
  log(): string;
  stop(): Promise<void>;
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

async function waitListening(address: string, port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: address, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`private sshd did not listen on ${address}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startPrivateSshd(extraConfig: string[] = [], address = '127.0.9.7'): Promise<PrivateSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'day2-sshd-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const hostPub = keygen(join(dir, 'hostkey'));
  const userPub = keygen(join(dir, 'id_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), `${userPub}\n`);
  const [type, b64] = hostPub.split(' ');
  writeFileSync(join(dir, 'known_hosts'), `[${address}]:${port} ${type} ${b64}\n`);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${join(dir, 'hostkey')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin yes',
      'LogLevel VERBOSE',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const logFile = join(dir, 'log');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  await waitListening(address, port, 5000);
  const pid = child.pid!;
  const host: Host = {
    name: 'private-sshd.test',
    address,
    port,
    user: userInfo().username,
    keyFile: join(dir, 'id_ed25519'),
    become: false,
    roles: [],
    groups: [],
    vars: {},
    file: 'fixture',
    line: 1,
  };
  return {
    dir,
    address,
    port,
    host,
    knownHostsPath: join(dir, 'known_hosts'),
    keyFile: join(dir, 'id_ed25519'),
    pid,
    connectionPids() {
      try {
        return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    },
    log: () => {
      writeFileSync(logFile, log);
      return log;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

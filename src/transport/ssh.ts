// Commands on cluster hosts over SSH (ssh2): one verified connection per host, reused by every command
// (several exec channels on it, at most MaxSessions at a time), a global limit on commands in flight,
// host keys checked against known_hosts (never turned off), cancellation that ends the remote process.
//
// How a command runs on the host. sshd runs `$SHELL -c <text>` in a new session (it calls setsid(), so
// that shell's pid is also its process group and session id). The text we send is
//     printf '@@day2-tui-pgid %s\n' "$$" >&2; exec sh -c '<script>'
// (with `exec sudo -n sh -c '<script>'` when the host needs become and the user is not root): the first
// stderr line carries the process group of everything the script starts, and is removed from the
// output. To cancel (or on timeout) a second channel on the same connection runs
//     kill -TERM -PGID; (wait up to the grace period) kill -KILL -PGID
// which ends the whole group on the host, not only our wait for it.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AgentAuthMethod, Client, ClientChannel, ConnectConfig, ParsedKey, PublicKeyAuthMethod, SFTPWrapper } from 'ssh2';
import type { Host } from '../inventory/types.js';
import {
  checkHostKey,
  entryMatchesName,
  fingerprintSha256,
  type HostKeyVerdict,
  hostLookupName,
  KnownHostsError,
  type KnownHostsParseResult,
  keyTypeOfBlob,
  knownKeyTypes,
  loadKnownHostsFiles,
} from './known-hosts.js';
import { quoteWord, type ShellCommand } from './shell.js';
import {
  type EndpointSettings,
  localUserName,
  type ResolvedSsh,
  resolveSshHost,
  type Setting,
  type SshClientConfig,
  SshConfigError,
  type SshDefaults,
  sshSettingRows,
} from './ssh-config.js';
import { DEFAULT_MAX_BUFFER_BYTES, MarkerSplitter, OutputCollector, safeCallback } from './stream.js';
import {
  type BatchCommand,
  type CommandResult,
  type ConnectionSetting,
  type Connectivity,
  type DownloadOptions,
  type DownloadResult,
  type Runner,
  type RunOptions,
  type Target,
  TransportError,
  type UploadOptions,
  type UploadResult,
} from './types.js';

/** How each exec channel ended (exit-status / exit-signal), recorded as soon as the channel exists. */
const CHANNEL_EXIT = new WeakMap<ClientChannel, { code: number | null; signalName?: string }>();

export interface SshRunnerOptions {
  /** `--known-hosts`: replaces the user's known_hosts files (default: the ssh config's UserKnownHostsFile,
   * else ~/.ssh/known_hosts and known_hosts2); the system's files are consulted too. A missing file is empty. */
  knownHostsPath?: string;
  /** The operator's OpenSSH client config (loadSshConfig). Default: none (the inventory and defaults only). */
  sshConfig?: SshClientConfig;
  /** `--identity`: a private key tried after the host's own keyFile. */
  identityFile?: string;
  /** User when the inventory gives none. Default: the operator's own user name. */
  defaultUser?: string;
  /** Commands in flight over all hosts. Default 16. */
  concurrency?: number;
  /** Exec channels open at once on one connection (sshd's MaxSessions, default 10 there). Default 10;
   * one of them is kept for cancellation. */
  maxSessionsPerHost?: number;
  /** TCP connect + SSH handshake limit. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** SSH keepalive interval (a silent dead host is noticed after 3 missed). Default 15 000 ms; 0 = off. */
  keepaliveIntervalMs?: number;
  /** Time between SIGTERM and SIGKILL of a cancelled command's process group. Default 2000 ms. */
  killGraceMs?: number;
  /** ssh-agent socket. Default $SSH_AUTH_SOCK; null: do not use an agent. */
  agentSocket?: string | null;
  /** Private keys tried when neither the host's keyFile nor identityFile is given.
   * Default ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa (those that exist). */
  defaultIdentityFiles?: string[];
  /** ssh2 debug output (one line per call). */
  debug?: (line: string) => void;
}

const PGID_MARKER = '@@day2-tui-pgid ';
const PGID_RE = /(?:^|\n)@@day2-tui-pgid (\d+)\n/;

/** The text sent in the exec request for a script (see the header comment). */
export function remoteCommandText(script: string, sudo: boolean, becomeUser?: string): string {
  const run = sudo ? `exec ${sudoWords(becomeUser)} sh -c ${quoteWord(script)}` : `exec sh -c ${quoteWord(script)}`;
  return `printf '${PGID_MARKER}%s\\n' "$$" >&2; ${run}`;
}

/** `sudo -n`, with `-u USER` for an `ansible_become_user` other than root. */
export function sudoWords(becomeUser: string | undefined): string {
  return becomeUser && becomeUser !== 'root' ? `sudo -n -u ${quoteWord(becomeUser)}` : 'sudo -n';
}

const BATCH_MARKER = '@@day2-tui-end-';

/**
 * The script of a batch (several commands in one session, see runBatch): each command runs in its own
 * `sh -c` with stdin from /dev/null, then a marker line carrying its index and exit status is printed
 * on stdout, and one with its index on stderr (`\n<marker><nonce> <index> <status>\n`). The leading
 * newline is removed again with the marker, so output without a final newline stays as it was. The
 * nonce is fresh per batch: a command cannot print a marker it does not know.
 */
export function batchScript(scripts: readonly string[], nonce: string): string {
  const mark = `${BATCH_MARKER}${nonce}`;
  return scripts
    .map((s, i) => `sh -c ${quoteWord(s)} </dev/null; printf '\\n${mark} ${i} %s\\n' "$?"; printf '\\n${mark} ${i}\\n' >&2`)
    .join('\n');
}

/** The script that ends a process group: TERM, wait up to graceMs for it to go, then KILL. */
export function killGroupScript(pgid: number, graceMs: number): string {
  const steps = Math.max(1, Math.ceil(graceMs / 100));
  return (
    `kill -TERM -${pgid} 2>/dev/null || exit 0; i=0; ` +
    `while kill -0 -${pgid} 2>/dev/null && [ $i -lt ${steps} ]; do sleep 0.1; i=$((i+1)); done; ` +
    `kill -KILL -${pgid} 2>/dev/null; exit 0`
  );
}

// ---------------------------------------------------------------------------------------------------
// Small concurrency helpers

class Semaphore {
  private waiters: (() => void)[] = [];
  constructor(private available: number) {}

  get free(): number {
    return this.available;
  }

  /** Resolves to a release function; rejects with 'aborted' when the signal fires first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let done = false;
      const release = (): void => {
        if (done) return;
        done = true;
        const next = this.waiters.shift();
        if (next) next();
        else this.available++;
      };
      if (this.available > 0) {
        this.available--;
        resolve(release);
        return;
      }
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AbortedError());
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

// ---------------------------------------------------------------------------------------------------

type Ssh2 = typeof import('ssh2');
let ssh2Promise: Promise<Ssh2> | undefined;
/**
 * ssh2, loaded once, when the first host is reached (the demo never loads it). dist/day2-tui.js keeps it
 * external: copied without node_modules, the import fails, and that is said once as a missing dependency
 * (the command line loads it before any check: src/cli/main.ts), never as every check's error.
 */
export function loadSsh2(): Promise<Ssh2> {
  ssh2Promise ??= import('ssh2').then(
    (m) => ((m as { default?: Ssh2 }).default ?? m) as Ssh2,
    (err: unknown) => {
      throw new Error(ssh2LoadFailure(err));
    },
  );
  return ssh2Promise;
}

/** The sentence for an ssh2 that cannot be imported: the dependency and the two ways to have it. */
export function ssh2LoadFailure(err: unknown): string {
  const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  return `ssh2 could not be loaded (${why}): run from the release file dist/day2-tui or \`npm install\``;
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return DEFAULT_HOST_KEY_ALGORITHMS.includes(keyType) ? [keyType] : [];
}

/** Where one SSH connection goes: an inventory host, or a jump host on the way to one. */
export interface Endpoint {
  /** The inventory name, or the jump host as ProxyJump names it. */
  name: string;
  address: string;
  port: number;
  user: string;
  identity: Setting<string[]>;
  /** The user's files (the first is where a new key is added) and the system's. */
  knownHosts: { user: string[]; global: string[] };
  /** Names looked up in known_hosts. */
  lookupNames: string[];
  /** The jump host in front of it (for hints: where to try from). */
  via?: string;
}

function endpointLabel(ep: Pick<Endpoint, 'name' | 'address'>): string {
  return ep.address === ep.name ? ep.name : `${ep.name} (${ep.address})`;
}

function endpointKey(ep: Endpoint): string {
  return `${ep.user}@${ep.address}:${ep.port}`;
}

/** One endpoint from its resolved settings; `via`: the jump host in front of it. */
function endpointFrom(name: string, s: EndpointSettings, lookupNames: string[], via: string | undefined): Endpoint {
  const ep: Endpoint = {
    name,
    address: s.hostName.value,
    port: s.port.value,
    user: s.user.value,
    identity: s.identityFiles,
    knownHosts: { user: s.userKnownHostsFiles.value, global: s.globalKnownHostsFiles.value },
    lookupNames: [...new Set(lookupNames)],
  };
  if (via !== undefined) ep.via = via;
  return ep;
}

/** The inventory host and its jump hosts as endpoints, from the resolved settings. */
export function endpointsOf(host: Host, r: ResolvedSsh): { endpoint: Endpoint; jumps: Endpoint[] } {
  const jumps = r.jumps.map((j, i) => endpointFrom(j.name, j, [j.name, j.hostName.value], r.jumps[i - 1]?.name));
  const endpoint = endpointFrom(host.name, r, [host.name, host.address, r.hostName.value], r.jumps.at(-1)?.name);
  return { endpoint, jumps };
}

/**
 * One verified, authenticated SSH connection to an endpoint, directly or over `sock` (a channel forwarded
 * by the jump host before it). onLost: the connection dropped after it was ready. Rejects with a
 * TransportError naming the endpoint.
 */
async function connectClient(runner: SshRunner, ep: Endpoint, sock: Duplex | undefined, onLost: (why: string) => void): Promise<Client> {
  const opts = runner.options;
  const ssh2 = await loadSsh2();
  const known = await knownHostsOf(ep);
  const query = { names: ep.lookupNames, port: ep.port };
  const preferred = knownKeyTypes(known.entries, query).flatMap(algorithmsForKeyType);
  const hostKeyAlgorithms = [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
  const { attempts, skipped } = await runner.authAttempts(ep, ssh2);

  let verdict: HostKeyVerdict | undefined;
  let presented: { type: string; blob: Buffer } | undefined;
  const client = new ssh2.Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    let wasReady = false;
    const fail = (err: TransportError): void => {
      settled = true;
      reject(err);
    };
    client.on('ready', () => {
      settled = true;
      wasReady = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (!settled) {
        const tried = attempts.map((a) => a.description);
        fail(classify(ep, err, verdict, presented, tried, skipped, opts.connectTimeoutMs));
        client.end();
      } else if (wasReady) onLost(err.message);
    });
    client.on('close', () => {
      if (!settled) {
        const what = `connection to ${endpointLabel(ep)} port ${ep.port} closed during the handshake`;
        fail(new TransportError(ep.name, 'unreachable', what, unreachableHint(ep)));
      } else if (wasReady) onLost('connection closed');
    });
    const config: ConnectConfig = {
      host: ep.address,
      port: ep.port,
      username: ep.user,
      readyTimeout: opts.connectTimeoutMs,
      keepaliveInterval: opts.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: hostKeyAlgorithms as never },
      authHandler: attempts.map((a) => a.method),
      // Never connect unverified: every key goes through known_hosts, there is no switch to skip it.
      hostVerifier: (key: Buffer): boolean => {
        const type = keyTypeOfBlob(key) ?? 'unknown';
        presented = { type, blob: key };
        verdict = checkHostKey(known.entries, query, type, key);
        return verdict.status === 'match';
      },
    };
    if (sock) config.sock = sock as never;
    if (opts.debug) config.debug = opts.debug;
    try {
      client.connect(config);
    } catch (err) {
      const what = `cannot connect to ${endpointLabel(ep)}: ${(err as Error).message}`;
      fail(new TransportError(ep.name, 'unreachable', what, unreachableHint(ep)));
    }
  });
}

/** The known_hosts entries of the user's and the system's files; a file that cannot be used refuses the host as such. */
async function knownHostsOf(ep: Endpoint): Promise<KnownHostsParseResult> {
  try {
    return await loadKnownHostsFiles([...ep.knownHosts.user, ...ep.knownHosts.global]);
  } catch (err) {
    if (!(err instanceof KnownHostsError)) throw err;
    const message = `cannot check the host key of ${endpointLabel(ep)}: ${err.message}; not connecting`;
    const hint = `Pass --known-hosts with a readable file of host keys, or fix ${quoteWord(err.path)} (a plain file, one key a line).`;
    throw new TransportError(ep.name, 'host-key-unknown', message, hint);
  }
}

function unreachableHint(ep: Endpoint): string {
  const from = ep.via ? `from ${ep.via}` : 'from the bastion';
  const where = ep.via
    ? 'ProxyJump / HostName in the ssh config'
    : 'ansible_host/ansible_port in the inventory (or HostName/Port, or a ProxyJump when only a jump host reaches it, in ~/.ssh/config)';
  return (
    `Check that ${ep.name} is up and sshd listens on ${ep.address} port ${ep.port} (${from}: ` +
    `nc -zv ${quoteWord(ep.address)} ${ep.port}); check ${where}.`
  );
}

function classify(
  ep: Endpoint,
  err: Error & { level?: string; code?: string },
  verdict: HostKeyVerdict | undefined,
  presented: { type: string; blob: Buffer } | undefined,
  tried: string[],
  skipped: string[],
  connectTimeoutMs: number,
): TransportError {
  const label = endpointLabel(ep);
  if (verdict && verdict.status !== 'match' && presented) return hostKeyError(ep, verdict, presented);
  if (err.level === 'client-authentication') {
    const triedText = tried.length > 0 ? tried.join(', ') : 'no key found';
    const skippedText = skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : '';
    return new TransportError(
      ep.name,
      'auth-failed',
      `authentication as ${ep.user} on ${label} failed (tried: ${triedText}${skippedText})`,
      authFailedHint(ep.user, ep),
    );
  }
  const code = err.code ?? '';
  let what: string;
  if (code === 'ECONNREFUSED') what = 'connection refused';
  else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') what = 'no route to host';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') what = `cannot resolve ${ep.address}`;
  else if (code === 'ETIMEDOUT' || err.level === 'client-timeout') what = `timed out after ${Math.round(connectTimeoutMs / 1000)} s`;
  else if (code === 'ECONNRESET') what = 'connection reset';
  else what = err.message;
  return new TransportError(ep.name, 'unreachable', `${label} port ${ep.port}: ${what}`, unreachableHint(ep));
}

function hostKeyError(ep: Endpoint, verdict: HostKeyVerdict, presented: { type: string; blob: Buffer }): TransportError {
  const label = endpointLabel(ep);
  const kh = ep.knownHosts.user[0] ?? '~/.ssh/known_hosts';
  const fp = `${presented.type} ${fingerprintSha256(presented.blob)}`;
  const scan = `ssh-keyscan -p ${ep.port} ${quoteWord(ep.address)} >> ${quoteWord(kh)}`;
  if (verdict.status === 'unknown') {
    const files = [...ep.knownHosts.user, ...ep.knownHosts.global].join(', ');
    return new TransportError(
      ep.name,
      'host-key-unknown',
      `host key of ${label} is not in ${files} (presented ${fp}); not connecting`,
      `Check the fingerprint out of band first (on the host: ssh-keygen -lf ${hostKeyFile(presented.type)}; ` +
        `expect ${fp}), then add the key: ${scan}`,
    );
  }
  const file = verdict.entry?.file ?? kh;
  const line = verdict.entry ? `${file}:${verdict.entry.line}` : file;
  if (verdict.status === 'revoked') {
    return new TransportError(
      ep.name,
      'host-key-changed',
      `host key of ${label} (${fp}) is marked @revoked at ${line}; not connecting`,
      'The key was revoked by an administrator: do not use this host until its keys are replaced and verified.',
    );
  }
  const names = verdict.entry
    ? ep.lookupNames.map((n) => hostLookupName(n, ep.port)).filter((n) => entryMatchesName(verdict.entry!, n))
    : [hostLookupName(ep.address, ep.port)];
  const remove = [...new Set(names)].map((n) => `ssh-keygen -f ${quoteWord(file)} -R ${quoteWord(n)}`).join('; ');
  return new TransportError(
    ep.name,
    'host-key-changed',
    `HOST KEY CHANGED for ${label}: presented ${fp} differs from the ${verdict.entry?.keyType ?? ''} key at ${line}; not connecting`,
    `This may be an attack (someone in the middle) or a reinstalled host. Verify the new ` +
      `fingerprint out of band; only if it is legitimate: ${remove}; then ${scan}`,
  );
}

/** A TransportError of a jump host's own connection: `via jump-0: …`. */
function viaHop(hop: Endpoint, err: unknown): unknown {
  return err instanceof TransportError ? new TransportError(hop.name, err.state, `via ${hop.name}: ${err.message}`, err.hint) : err;
}

/** A TransportError of the chain, said for the host behind it. */
function forHost(host: string, err: unknown): unknown {
  return err instanceof TransportError ? new TransportError(host, err.state, err.message, err.hint) : err;
}

/** A channel from `client` (the jump host `hop`) to target's address and port, to carry the next SSH connection. */
function forward(client: Client, hop: Endpoint, target: Endpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, target.address, target.port, (err, stream) => {
      if (!err) return resolve(stream);
      const what = `${endpointLabel(target)} port ${target.port} via ${hop.name}: ${err.message}`;
      reject(new TransportError(target.name, 'unreachable', what, unreachableHint(target)));
    });
  });
}

/** One command of a runBatch call. */
interface BatchEntry {
  command: ShellCommand;
  options: Omit<RunOptions, 'stdin'>;
  promise: Promise<CommandResult>;
  resolve: (r: CommandResult) => void;
  reject: (e: unknown) => void;
  done: boolean;
  /** Running now in a session. */
  current: boolean;
  /** When it was asked for; then when it started in its session. */
  started: number;
  onAbortCurrent?: () => void;
  cleanup?: () => void;
}

function settleEntry(e: BatchEntry, r: CommandResult): void {
  if (e.done) return;
  e.done = true;
  e.cleanup?.();
  e.resolve(r);
}

function cancelledResult(started: number): CommandResult {
  return { exitCode: null, stdout: '', stderr: '', truncated: false, timedOut: false, cancelled: true, durationMs: Date.now() - started };
}

interface ActiveCommand {
  fail(err: TransportError): void;
}

interface AuthAttempt {
  description: string;
  method: AgentAuthMethod | PublicKeyAuthMethod;
}

/** One host's connection: connects lazily, hands out exec channels, notices when it drops. */
class HostConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private lost = false;
  private readonly active = new Set<ActiveCommand>();
  /** Channels for commands: maxSessions - 1; the last one is for cancellation. */
  private commandSlots: Semaphore;
  private controlSlots = new Semaphore(1);
  /** How many times a connection was established (the tests count reuse with it). */
  connects = 0;

  constructor(
    readonly host: Host,
    readonly endpoint: Endpoint,
    /** The jump hosts in front of it, in order (ProxyJump). */
    readonly jumps: Endpoint[],
    private readonly runner: SshRunner,
    maxSessions: number,
  ) {
    this.commandSlots = new Semaphore(Math.max(1, maxSessions - 1));
  }

  get user(): string {
    return this.endpoint.user;
  }

  get isDead(): boolean {
    return this.closed || this.lost;
  }

  /** The ready client, connecting first if needed. Rejects with a TransportError. */
  ready(): Promise<Client> {
    if (this.isDead) return Promise.reject(this.lostError());
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const sock = this.jumps.length > 0 ? await this.runner.tunnel(this.jumps, this.endpoint) : undefined;
    const client = await connectClient(this.runner, this.endpoint, sock, (why) => this.onLost(why));
    this.client = client;
    this.connects++;
    return client;
  }

  private onLost(why: string): void {
    if (this.lost || this.closed) return;
    this.lost = true;
    this.client = undefined;
    const err = new TransportError(
      this.host.name,
      'connection-lost',
      `connection to ${this.host.name} lost (${why})`,
      'The command may or may not have finished on the host; check its state before running it again.',
    );
    for (const a of [...this.active]) a.fail(err);
    this.active.clear();
    this.wakeChannelWaiters();
    this.runner.forget(this);
  }

  track(a: ActiveCommand): () => void {
    this.active.add(a);
    return () => this.active.delete(a);
  }

  acquireCommandSlot(signal?: AbortSignal): Promise<() => void> {
    return this.commandSlots.acquire(signal);
  }

  private openChannels = 0;
  private channelClosed: (() => void)[] = [];

  /**
   * Opens an exec channel. When the server refuses it while other channels of this connection are open
   * (its MaxSessions is lower than ours), waits for one of them to close and tries again.
   */
  async exec(client: Client, text: string): Promise<ClientChannel> {
    for (;;) {
      // Counted from the request on: a refusal can arrive before earlier channels have confirmed.
      this.openChannels++;
      let ch: ClientChannel;
      try {
        ch = await new Promise<ClientChannel>((resolve, reject) => {
          client.exec(text, (err, ch) => {
            if (err) return reject(err);
            // A fast command's exit-status can arrive in the same read as the exec confirmation, and
            // ssh2 emits 'exit' before an awaiting caller could listen: record it from the start.
            ch.on('exit', (code: number | null, signalName?: string) => CHANNEL_EXIT.set(ch, { code, signalName }));
            resolve(ch);
          });
        });
      } catch (err) {
        this.openChannels--;
        this.wakeChannelWaiters();
        if (this.isDead) throw this.lostError();
        if (this.openChannels === 0) {
          throw new Error(`${this.host.name}: the server refused a session channel (${(err as Error).message})`);
        }
        await new Promise<void>((r) => this.channelClosed.push(r));
        if (this.isDead) throw this.lostError();
        continue;
      }
      ch.once('close', () => {
        this.openChannels--;
        this.wakeChannelWaiters();
      });
      return ch;
    }
  }

  /** Opens an SFTP session (a channel of this connection, counted like an exec channel). */
  async sftp(client: Client): Promise<SFTPWrapper> {
    this.openChannels++;
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))));
      sftp.once('close', () => {
        this.openChannels--;
        this.wakeChannelWaiters();
      });
      return sftp;
    } catch (err) {
      this.openChannels--;
      this.wakeChannelWaiters();
      if (this.isDead) throw this.lostError();
      throw new Error(`${this.host.name}: cannot start SFTP (${(err as Error).message}); is the sftp subsystem enabled in sshd_config?`);
    }
  }

  private wakeChannelWaiters(): void {
    const waiters = this.channelClosed;
    this.channelClosed = [];
    for (const w of waiters) w();
  }

  lostError(): TransportError {
    return new TransportError(this.host.name, 'connection-lost', `connection to ${this.host.name} lost`);
  }

  /** Runs a short control script (the group kill) on its own channel; errors are ignored. */
  async control(script: string): Promise<void> {
    const release = await this.controlSlots.acquire();
    try {
      const client = this.client;
      if (!client || this.isDead) return;
      const sudo = this.runner.needsSudo(this.host, this.user);
      const ch = await this.exec(client, sudo ? `${sudoWords(this.host.becomeUser)} sh -c ${quoteWord(script)}` : script);
      await new Promise<void>((resolve) => {
        ch.on('close', () => resolve());
        ch.on('data', () => {});
        ch.stderr.on('data', () => {});
        ch.end();
      });
    } catch {
      // The connection is gone or the kill could not be sent: nothing more to do from here.
    } finally {
      release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new TransportError(this.host.name, 'connection-lost', `connection to ${this.host.name} closed by the console`);
    for (const a of [...this.active]) a.fail(err);
    this.active.clear();
    this.wakeChannelWaiters();
    this.client?.end();
    this.client = undefined;
  }
}

/** `~/x` → $HOME/x, as Ansible does for ansible_ssh_private_key_file. */
function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/** What to do when the host refused every key: the ssh-copy-id shown is quoted like every command. */
export function authFailedHint(user: string, host: Pick<Host, 'name' | 'address' | 'port'>): string {
  const copy = `ssh-copy-id -i KEY.pub -p ${host.port} ${quoteWord(`${user}@${host.address}`)}`;
  const rest = 'or point ansible_ssh_private_key_file / --identity at the right key, or load it into ssh-agent; check ansible_user.';
  return `Authorize one of these keys for ${user} on ${host.name} (e.g. ${copy}), ${rest}`;
}

/** The host's own public key file of that type, quoted (the type comes from the server). */
function hostKeyFile(type: string): string {
  return quoteWord(`/etc/ssh/ssh_host_${shortType(type)}_key.pub`);
}

function shortType(type: string): string {
  if (type === 'ssh-ed25519') return 'ed25519';
  if (type.startsWith('ecdsa')) return 'ecdsa';
  if (type === 'ssh-rsa') return 'rsa';
  return type;
}

// ---------------------------------------------------------------------------------------------------

type ResolvedOptions = Required<Omit<SshRunnerOptions, 'identityFile' | 'defaultUser' | 'debug' | 'agentSocket' | 'knownHostsPath'>> &
  Pick<SshRunnerOptions, 'identityFile' | 'defaultUser' | 'debug' | 'knownHostsPath'> & { agentSocket: string | undefined };

export class SshRunner implements Runner {
  readonly options: ResolvedOptions;
  private readonly pool = new Map<string, HostConnection>();
  /** One connection per jump host (per chain up to it), shared by every host behind it. */
  private readonly jumpPool = new Map<string, Promise<Client>>();
  private readonly jumpClients = new Set<Client>();
  private readonly resolved = new WeakMap<Host, ResolvedSsh>();
  private readonly global: Semaphore;
  private closed = false;

  constructor(options: SshRunnerOptions = {}) {
    const home = homedir();
    this.options = {
      knownHostsPath: options.knownHostsPath,
      sshConfig: options.sshConfig ?? { files: [], included: new Map(), home, localUser: localUserName() },
      concurrency: options.concurrency ?? 16,
      maxSessionsPerHost: options.maxSessionsPerHost ?? 10,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      killGraceMs: options.killGraceMs ?? 2000,
      defaultIdentityFiles: options.defaultIdentityFiles ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f)),
      agentSocket: options.agentSocket === null ? undefined : (options.agentSocket ?? process.env.SSH_AUTH_SOCK ?? undefined),
      identityFile: options.identityFile,
      defaultUser: options.defaultUser,
      debug: options.debug,
    };
    if (this.options.agentSocket === '') this.options.agentSocket = undefined;
    this.global = new Semaphore(Math.max(1, this.options.concurrency));
  }

  /** The settings of a host (inventory, ssh config, defaults) with their origins; SshConfigError when the config cannot be used. */
  connectionSettings(host: Host): ConnectionSetting[] | { error: string } {
    try {
      return sshSettingRows(this.settingsFor(host));
    } catch (err) {
      if (err instanceof SshConfigError) return { error: err.message };
      throw err;
    }
  }

  /** Resolved once per host: every command asks (its connection's pool key, its user). */
  settingsFor(host: Host): ResolvedSsh {
    const known = this.resolved.get(host);
    if (known) return known;
    const resolved = this.resolveSettings(host);
    this.resolved.set(host, resolved);
    return resolved;
  }

  private resolveSettings(host: Host): ResolvedSsh {
    const defaults: SshDefaults = {
      user: this.options.defaultUser ?? localUserName(),
      identityFiles: this.options.defaultIdentityFiles,
    };
    if (this.options.knownHostsPath !== undefined) defaults.knownHostsOverride = this.options.knownHostsPath;
    return resolveSshHost(this.options.sshConfig, host, defaults);
  }

  /** The host and its jump hosts; a config that cannot be used refuses the host (its file:line said). */
  private endpoints(host: Host): { endpoint: Endpoint; jumps: Endpoint[] } {
    try {
      return endpointsOf(host, this.settingsFor(host));
    } catch (err) {
      if (!(err instanceof SshConfigError)) throw err;
      throw new TransportError(host.name, 'unreachable', `${host.name}: ${err.message}`, 'Fix the ssh config line named, then try again.');
    }
  }

  userFor(host: Host): string {
    try {
      return this.settingsFor(host).user.value;
    } catch {
      return host.user ?? this.options.defaultUser ?? localUserName();
    }
  }

  needsSudo(host: Host, user: string): boolean {
    const asOther = host.becomeUser !== undefined && host.becomeUser !== 'root' && host.becomeUser !== user;
    return host.become && (user !== 'root' || asOther);
  }

  /** How many connections have been established to a host so far (for tests and diagnostics). */
  connectionCount(host: Host): number {
    return this.pool.get(this.poolKey(host, this.endpoints(host)))?.connects ?? 0;
  }

  private poolKey(host: Host, { endpoint, jumps }: { endpoint: Endpoint; jumps: Endpoint[] }): string {
    return [...jumps, endpoint].map(endpointKey).join(' > ') + `|${host.name}`;
  }

  private connection(host: Host): HostConnection {
    if (this.closed) throw new TransportError(host.name, 'connection-lost', 'the runner is closed');
    const eps = this.endpoints(host);
    const key = this.poolKey(host, eps);
    let c = this.pool.get(key);
    if (!c || c.isDead) {
      c = new HostConnection(host, eps.endpoint, eps.jumps, this, this.options.maxSessionsPerHost);
      this.pool.set(key, c);
    }
    return c;
  }

  /** Called by a connection that dropped: the next command connects again. */
  forget(c: HostConnection): void {
    const key = this.poolKey(c.host, c);
    if (this.pool.get(key) === c) this.pool.delete(key);
  }

  /**
   * A channel to `target` through its jump hosts: each hop's connection (verified and authenticated like
   * any host) is made once and shared; the next hop's connection runs over a channel the hop before it
   * forwards. A failing hop is said for the host behind it: `via jump-0: …`.
   */
  async tunnel(jumps: Endpoint[], target: Endpoint): Promise<Duplex> {
    try {
      return await forward(await this.jumpClient(jumps), jumps.at(-1)!, target);
    } catch (err) {
      throw forHost(target.name, err);
    }
  }

  /** The shared connection to the last hop of `chain`, made through the hops before it. */
  private jumpClient(chain: Endpoint[]): Promise<Client> {
    const key = chain.map(endpointKey).join(' > ');
    const existing = this.jumpPool.get(key);
    if (existing) return existing;
    const hop = chain.at(-1)!;
    const forget = (): void => {
      if (this.jumpPool.get(key) === made) this.jumpPool.delete(key);
    };
    const made = (async () => {
      const before = chain.slice(0, -1);
      const sock = before.length > 0 ? await forward(await this.jumpClient(before), before.at(-1)!, hop) : undefined;
      const client = await connectClient(this, hop, sock, forget).catch((err: unknown) => Promise.reject(viaHop(hop, err)));
      if (this.closed) client.end();
      else this.jumpClients.add(client);
      client.once('close', () => this.jumpClients.delete(client));
      return client;
    })();
    this.jumpPool.set(key, made);
    made.catch(forget);
    return made;
  }

  /** Agent, then the host's key files (inventory or ssh config), then --identity, else the default key files that exist. */
  async authAttempts(ep: Endpoint, ssh2: Ssh2): Promise<{ attempts: AuthAttempt[]; skipped: string[] }> {
    const user = ep.user;
    const attempts: AuthAttempt[] = [];
    const skipped: string[] = [];
    if (this.options.agentSocket) {
      attempts.push({
        description: `ssh-agent (${this.options.agentSocket})`,
        method: { type: 'agent', username: user, agent: this.options.agentSocket },
      });
    }
    const own = ep.identity.from === 'default' ? [] : ep.identity.value;
    const explicit = [...own, this.options.identityFile].filter((f): f is string => !!f).map(expandHome);
    const files = explicit.length > 0 ? explicit : this.options.defaultIdentityFiles;
    for (const file of [...new Set(files)]) {
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        if (explicit.includes(file)) skipped.push(`${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
        continue;
      }
      const parsed = ssh2.utils.parseKey(data);
      const key: ParsedKey | undefined = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
      if (!key) {
        skipped.push(`${file} (${parsed instanceof Error ? parsed.message : 'no key'}; passphrase-protected keys need ssh-agent)`);
        continue;
      }
      attempts.push({ description: file, method: { type: 'publickey', username: user, key } });
    }
    return { attempts, skipped };
  }

  async probe(host: Host): Promise<Connectivity> {
    const user = this.userFor(host);
    const sudo = this.needsSudo(host, user);
    try {
      // run() wraps it in `sudo -n sh -c` when become applies, so this also checks passwordless sudo.
      const res = await this.run({ kind: 'host', host }, { script: 'true' }, { timeoutMs: 15_000 });
      if (res.exitCode === 0) return { state: 'ok', reason: `connected as ${user}${sudo ? ' (sudo -n works)' : ''}` };
      if (sudo) {
        return {
          state: 'auth-failed',
          reason: `connected as ${user}, but sudo -n fails: ${res.stderr.trim().split('\n').pop() ?? `exit ${res.exitCode}`}`,
          hint: `Give ${user} passwordless sudo on ${host.name} (NOPASSWD in sudoers), or connect as root (ansible_user=root).`,
        };
      }
      return {
        state: 'unreachable',
        reason: res.timedOut
          ? `connected, but \`true\` did not finish in 15 s`
          : `connected, but \`true\` exited ${res.exitCode ?? res.signal}`,
        hint: `Log in to ${host.name} by hand and check the login shell of ${user}.`,
      };
    } catch (err) {
      if (err instanceof TransportError) {
        const state = err.state === 'connection-lost' ? 'unreachable' : err.state;
        const c: Connectivity = { state, reason: err.message };
        if (err.hint) c.hint = err.hint;
        return c;
      }
      return { state: 'unreachable', reason: (err as Error).message };
    }
  }

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    if (target.kind !== 'host') throw new Error('SshRunner runs commands on hosts only');
    const host = target.host;
    const started = Date.now();
    const cancelledBeforeStart = (): CommandResult => ({
      exitCode: null,
      stdout: '',
      stderr: '',
      truncated: false,
      timedOut: false,
      cancelled: true,
      durationMs: Date.now() - started,
    });
    if (options.signal?.aborted) return cancelledBeforeStart();

    let releaseGlobal: (() => void) | undefined;
    let releaseSlot: (() => void) | undefined;
    try {
      releaseGlobal = await this.global.acquire(options.signal);
      for (;;) {
        const conn = this.connection(host);
        const client = await conn.ready();
        if (options.signal?.aborted) return cancelledBeforeStart();
        releaseSlot = await conn.acquireCommandSlot(options.signal);
        if (conn.isDead) {
          // It dropped while this command waited for a channel: nothing ran yet, use a new connection.
          releaseSlot();
          releaseSlot = undefined;
          continue;
        }
        return await this.execute(conn, client, command, options, started);
      }
    } catch (err) {
      if (err instanceof AbortedError) return cancelledBeforeStart();
      throw err;
    } finally {
      releaseSlot?.();
      releaseGlobal?.();
    }
  }

  /**
   * Copies a host's file to this machine over SFTP, on the host's pooled, host-key-verified connection
   * (one command slot while it runs). Written to `<localPath>.part-<random>` (mode 0600, created
   * exclusively) and renamed to localPath when complete; the partial file is removed on failure. SFTP
   * runs as the login user (no sudo): a root-only file must first be copied somewhere that user can read.
   */
  async download(host: Host, remotePath: string, localPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const signal = options.signal;
    return this.withCommandSlot(host, signal, async (conn, client) => {
      const sftp = await conn.sftp(client);
      const tmp = `${localPath}.part-${randomBytes(4).toString('hex')}`;
      let created = false;
      const source = sftp.createReadStream(remotePath);
      const untrack = conn.track({ fail: (err) => source.destroy(err) });
      try {
        await mkdir(dirname(localPath), { recursive: true, mode: 0o700 });
        const sink = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
        created = true;
        await pipeline(source, sink, signal ? { signal } : {});
        const { size } = await stat(tmp);
        await rename(tmp, localPath);
        created = false;
        return { bytes: size };
      } catch (err) {
        if (err instanceof TransportError || (err as Error).name === 'AbortError') throw err;
        throw new Error(`sftp get ${host.name}:${remotePath} → ${localPath}: ${(err as Error).message}`);
      } finally {
        untrack();
        if (created) await unlink(tmp).catch(() => {});
        sftp.end();
      }
    });
  }

  /**
   * Copies a file of this machine to a host over SFTP, on the host's pooled, host-key-verified connection
   * (one command slot while it runs). Written to `<remotePath>.part-<random>` (mode 0600, created
   * exclusively) and renamed onto remotePath when complete (an existing file is replaced: the OpenSSH
   * posix-rename extension, else unlink + rename); the partial file is removed on failure. SFTP runs as
   * the login user (no sudo): the destination directory must be writable by that user.
   */
  async upload(host: Host, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    const signal = options.signal;
    return this.withCommandSlot(host, signal, async (conn, client) => {
      const { size } = await stat(localPath).catch((err: Error) => {
        throw new Error(`sftp put ${localPath} → ${host.name}:${remotePath}: ${err.message}`);
      });
      const sftp = await conn.sftp(client);
      const tmp = `${remotePath}.part-${randomBytes(4).toString('hex')}`;
      let created = false;
      const call = (fn: (cb: (err?: Error | null) => void) => void) =>
        new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
      const source = createReadStream(localPath);
      const sink = sftp.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      sink.once('open', () => (created = true));
      const untrack = conn.track({ fail: (err) => (sink as unknown as { destroy(e?: Error): void }).destroy(err) });
      try {
        await pipeline(source, sink, signal ? { signal } : {});
        created = true;
        try {
          await call((cb) => sftp.ext_openssh_rename(tmp, remotePath, cb));
        } catch {
          await call((cb) => sftp.unlink(remotePath, cb)).catch(() => {});
          await call((cb) => sftp.rename(tmp, remotePath, cb));
        }
        created = false;
        return { bytes: size };
      } catch (err) {
        if (err instanceof TransportError || (err as Error).name === 'AbortError') throw err;
        throw new Error(`sftp put ${localPath} → ${host.name}:${remotePath}: ${(err as Error).message}`);
      } finally {
        untrack();
        if (created && !conn.isDead) await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
        sftp.end();
      }
    });
  }

  /**
   * Runs fn on the host's pooled connection while holding a global and a command slot (a connection
   * found dead once the slot is granted is replaced); an abort while waiting surfaces as the signal's
   * reason. Shared by download and upload.
   */
  private async withCommandSlot<T>(
    host: Host,
    signal: AbortSignal | undefined,
    fn: (conn: HostConnection, client: Client) => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    let releaseGlobal: (() => void) | undefined;
    let releaseSlot: (() => void) | undefined;
    try {
      releaseGlobal = await this.global.acquire(signal);
      let conn: HostConnection;
      let client: Client;
      for (;;) {
        conn = this.connection(host);
        client = await conn.ready();
        releaseSlot = await conn.acquireCommandSlot(signal);
        if (!conn.isDead) break;
        releaseSlot();
        releaseSlot = undefined;
      }
      signal?.throwIfAborted();
      return await fn(conn, client);
    } catch (err) {
      if (err instanceof AbortedError) throw signal?.reason ?? new DOMException('aborted', 'AbortError');
      throw err;
    } finally {
      releaseSlot?.();
      releaseGlobal?.();
    }
  }

  private async execute(
    conn: HostConnection,
    client: Client,
    command: ShellCommand,
    options: RunOptions,
    started: number,
  ): Promise<CommandResult> {
    const max = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    const out = new OutputCollector(max, safeCallback(options.onStdout));
    const err = new OutputCollector(max, safeCallback(options.onStderr));
    const sudo = this.needsSudo(conn.host, conn.user);
    const sentAt = Date.now();
    const ch = await conn.exec(client, remoteCommandText(command.script, sudo, conn.host.becomeUser));

    return new Promise<CommandResult>((resolve, reject) => {
      let settled = false;
      let timedOut = false;
      let cancelled = false;
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      let pgid: number | undefined;
      let killRequested = false;
      let killSent = false;
      let timer: NodeJS.Timeout | undefined;
      let forceCloseTimer: NodeJS.Timeout | undefined;

      const cleanup = (): void => {
        settled = true;
        if (timer) clearTimeout(timer);
        if (forceCloseTimer) clearTimeout(forceCloseTimer);
        options.signal?.removeEventListener('abort', onAbort);
        untrack();
      };
      const untrack = conn.track({
        fail: (e) => {
          if (settled) return;
          cleanup();
          reject(e);
        },
      });

      const sendKill = (): void => {
        if (killSent || pgid === undefined) return;
        killSent = true;
        void conn.control(killGroupScript(pgid, this.options.killGraceMs));
      };
      const stop = (): void => {
        if (killRequested) return;
        killRequested = true;
        sendKill(); // now, or as soon as the pgid line arrives
        // If the channel does not close (no process group line, or the kill could not be delivered):
        // ask sshd to signal the shell (OpenSSH >= 7.9 honours it), close the channel, stop waiting.
        forceCloseTimer = setTimeout(() => {
          if (settled) return;
          try {
            ch.signal('KILL');
            ch.close();
          } catch {
            // the channel is already gone
          }
          finish();
        }, this.options.killGraceMs + 5000);
      };
      const onAbort = (): void => {
        if (settled) return;
        cancelled = true;
        stop();
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          if (settled) return;
          timedOut = true;
          stop();
        }, options.timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort(); // aborted while the channel was opening

      // stderr: the first line we print is the process group; take it out before anyone sees it.
      let pre: Buffer | undefined = Buffer.alloc(0);
      const onStderr = (chunk: Buffer): void => {
        if (pre === undefined) {
          err.push(chunk);
          return;
        }
        pre = Buffer.concat([pre, chunk]);
        const text = pre.toString('latin1');
        const m = PGID_RE.exec(text);
        if (m) {
          pgid = Number(m[1]);
          const start = m.index + (m[0].startsWith('\n') ? 1 : 0);
          const before = pre.subarray(0, start);
          const after = pre.subarray(m.index + m[0].length);
          pre = undefined;
          if (before.length > 0) err.push(before);
          if (after.length > 0) err.push(after);
          if (killRequested) sendKill();
        } else if (pre.length > 65536) {
          const all = pre;
          pre = undefined;
          err.push(all);
        }
      };

      const finish = (): void => {
        if (settled) return;
        cleanup();
        if (pre !== undefined && pre.length > 0) err.push(pre);
        pre = undefined;
        out.end();
        err.end();
        const byItself = !timedOut && !cancelled && exitSignal === undefined;
        const res: CommandResult = {
          exitCode: byItself ? exitCode : null,
          stdout: out.text(),
          stderr: err.text(),
          truncated: out.truncated || err.truncated,
          timedOut,
          cancelled,
          durationMs: Date.now() - started,
          sentAt,
        };
        if (exitSignal !== undefined) res.signal = exitSignal;
        resolve(res);
      };

      ch.on('data', (c: Buffer) => out.push(c));
      ch.stderr.on('data', onStderr);
      ch.on('close', () => {
        const exit = CHANNEL_EXIT.get(ch);
        if (exit && typeof exit.code === 'number') exitCode = exit.code;
        else if (exit?.signalName) exitSignal = exit.signalName.startsWith('SIG') ? exit.signalName : `SIG${exit.signalName}`;
        finish();
      });
      ch.on('error', () => {
        // A channel error comes with (or before) its close; a lost connection is handled by the pool.
      });
      if (options.stdin !== undefined) ch.end(options.stdin);
      else ch.end();
    });
  }

  /**
   * Several commands on one host in one session, one after the other (Runner.runBatch). A session costs
   * the host a login shell start (sshd runs `$SHELL -c`, and bash reads ~/.bashrc there), often more
   * than the command itself: a batch pays it once. The commands run in order, each in its own `sh -c`;
   * marker lines (batchScript) split the two streams per command and carry each exit status, and each
   * result is handed out as soon as its markers arrived. Each command's timeout counts from its own start;
   * a command that times out or is cancelled ends the session's process group (as run() does), and the
   * commands after it continue in a new session. Commands (and the session) wait for the global limit and
   * a channel like run(); a TransportError rejects every result not yet given.
   */
  runBatch(target: Target, commands: readonly BatchCommand[]): Promise<CommandResult>[] {
    if (target.kind !== 'host') throw new Error('SshRunner runs commands on hosts only');
    const entries = commands.map((c): BatchEntry => {
      let resolve!: (r: CommandResult) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<CommandResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { command: c.command, options: c.options ?? {}, promise, resolve, reject, done: false, current: false, started: Date.now() };
    });
    for (const e of entries) {
      const signal = e.options.signal;
      if (!signal) continue;
      if (signal.aborted) {
        settleEntry(e, cancelledResult(e.started));
        continue;
      }
      // Not started yet: cancelled at once. Running: its session is stopped (see executeBatch).
      const onAbort = (): void => {
        if (e.current) e.onAbortCurrent?.();
        else settleEntry(e, cancelledResult(e.started));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      e.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    void this.batchLoop(target.host, entries);
    return entries.map((e) => e.promise);
  }

  private async batchLoop(host: Host, entries: BatchEntry[]): Promise<void> {
    try {
      while (entries.some((e) => !e.done)) {
        let releaseGlobal: (() => void) | undefined;
        let releaseSlot: (() => void) | undefined;
        try {
          releaseGlobal = await this.global.acquire();
          let conn: HostConnection;
          let client: Client;
          for (;;) {
            conn = this.connection(host);
            client = await conn.ready();
            releaseSlot = await conn.acquireCommandSlot();
            if (!conn.isDead) break;
            releaseSlot();
            releaseSlot = undefined;
          }
          const todo = entries.filter((e) => !e.done);
          if (todo.length === 0) return;
          await this.executeBatch(conn, client, todo);
        } finally {
          releaseSlot?.();
          releaseGlobal?.();
        }
      }
    } catch (err) {
      for (const e of entries) {
        if (e.done) continue;
        e.done = true;
        e.cleanup?.();
        e.reject(err);
      }
    }
  }

  /** One session for `items` (not done yet): settles each as its markers arrive; resolves when the channel closed. */
  private async executeBatch(conn: HostConnection, client: Client, items: BatchEntry[]): Promise<void> {
    const nonce = randomBytes(8).toString('hex');
    const sudo = this.needsSudo(conn.host, conn.user);
    const sentAt = Date.now();
    const ch = await conn.exec(
      client,
      remoteCommandText(
        batchScript(
          items.map((i) => i.command.script),
          nonce,
        ),
        sudo,
        conn.host.becomeUser,
      ),
    );

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let pgid: number | undefined;
      let killRequested = false;
      let killSent = false;
      let stopped: { entry: BatchEntry; why: 'timeout' | 'cancel' } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let forceCloseTimer: NodeJS.Timeout | undefined;
      /** Index of the command running now (the first whose two markers have not both arrived). */
      let cur = -1;
      const outSeen: (number | null)[] = []; // exit status per index, from the stdout marker
      const errSeen: boolean[] = [];
      let outIdx = 0;
      let errIdx = 0;
      const collectors = items.map((i) => {
        const max = i.options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
        return {
          out: new OutputCollector(max, safeCallback(i.options.onStdout)),
          err: new OutputCollector(max, safeCallback(i.options.onStderr)),
        };
      });

      const cleanup = (): void => {
        settled = true;
        if (timer) clearTimeout(timer);
        if (forceCloseTimer) clearTimeout(forceCloseTimer);
        for (const i of items) {
          i.current = false;
          i.onAbortCurrent = undefined;
        }
        untrack();
      };
      const untrack = conn.track({
        fail: (e) => {
          if (settled) return;
          cleanup();
          reject(e);
        },
      });

      const sendKill = (): void => {
        if (killSent || pgid === undefined) return;
        killSent = true;
        void conn.control(killGroupScript(pgid, this.options.killGraceMs));
      };
      const stop = (): void => {
        if (killRequested) return;
        killRequested = true;
        if (timer) clearTimeout(timer);
        sendKill();
        forceCloseTimer = setTimeout(() => {
          if (settled) return;
          try {
            ch.signal('KILL');
            ch.close();
          } catch {
            // the channel is already gone
          }
          onClose();
        }, this.options.killGraceMs + 5000);
      };

      const resultOf = (k: number, exitCode: number | null, extra: Partial<CommandResult> = {}): CommandResult => {
        const c = collectors[k]!;
        c.out.end();
        c.err.end();
        return {
          exitCode,
          stdout: c.out.text(),
          stderr: c.err.text(),
          truncated: c.out.truncated || c.err.truncated,
          timedOut: false,
          cancelled: false,
          durationMs: Date.now() - items[k]!.started,
          sentAt,
          ...extra,
        };
      };

      /** Moves on to the next command once both markers of the current one arrived. */
      const advance = (): void => {
        while (!killRequested && cur < items.length && (cur < 0 || (outSeen[cur] !== undefined && errSeen[cur]))) {
          if (cur >= 0) {
            const e = items[cur]!;
            e.current = false;
            e.onAbortCurrent = undefined;
            if (timer) clearTimeout(timer);
            timer = undefined;
            if (!e.done) settleEntry(e, resultOf(cur, outSeen[cur]!));
          }
          cur++;
          if (cur >= items.length) return;
          const next = items[cur]!;
          if (next.done) {
            // cancelled while it waited: do not let it start on the host
            stop();
            return;
          }
          next.current = true;
          next.started = Date.now();
          next.onAbortCurrent = () => {
            stopped ??= { entry: next, why: 'cancel' };
            stop();
          };
          const ms = next.options.timeoutMs;
          if (ms !== undefined) {
            timer = setTimeout(() => {
              if (settled || !next.current) return;
              stopped ??= { entry: next, why: 'timeout' };
              stop();
            }, ms);
          }
        }
      };

      const outSplit = new MarkerSplitter(
        `${BATCH_MARKER}${nonce} `,
        (chunk) => collectors[Math.min(outIdx, items.length - 1)]!.out.push(chunk),
        (payload) => {
          const [, status] = payload.split(' ');
          outSeen[outIdx] = status !== undefined && /^\d+$/.test(status) ? Number(status) : null;
          outIdx++;
          advance();
        },
      );
      const errSplit = new MarkerSplitter(
        `${BATCH_MARKER}${nonce} `,
        (chunk) => collectors[Math.min(errIdx, items.length - 1)]!.err.push(chunk),
        () => {
          errSeen[errIdx] = true;
          errIdx++;
          advance();
        },
      );

      // stderr: the first line is the process group (as in execute()).
      let pre: Buffer | undefined = Buffer.alloc(0);
      const onStderr = (chunk: Buffer): void => {
        if (pre === undefined) {
          errSplit.push(chunk);
          return;
        }
        pre = Buffer.concat([pre, chunk]);
        const m = PGID_RE.exec(pre.toString('latin1'));
        if (m) {
          pgid = Number(m[1]);
          const start = m.index + (m[0].startsWith('\n') ? 1 : 0);
          const before = pre.subarray(0, start);
          const after = pre.subarray(m.index + m[0].length);
          pre = undefined;
          if (before.length > 0) errSplit.push(before);
          if (after.length > 0) errSplit.push(after);
          if (killRequested) sendKill();
        } else if (pre.length > 65536) {
          const all = pre;
          pre = undefined;
          errSplit.push(all);
        }
      };

      const onClose = (): void => {
        if (settled) return;
        if (pre !== undefined && pre.length > 0) errSplit.push(pre);
        pre = undefined;
        outSplit.end();
        errSplit.end();
        advance();
        const k = cur;
        cleanup();
        if (k >= 0 && k < items.length) {
          const e = items[k]!;
          if (stopped?.entry === e) {
            settleEntry(e, resultOf(k, null, stopped.why === 'timeout' ? { timedOut: true } : { cancelled: true }));
          } else if (!e.done && !killRequested) {
            // The session ended inside this command (e.g. sudo refused): it gets how the session ended;
            // the commands after it run in a new session.
            const exit = CHANNEL_EXIT.get(ch);
            const extra: Partial<CommandResult> = {};
            let code: number | null = null;
            if (exit && typeof exit.code === 'number') code = exit.code;
            else if (exit?.signalName) extra.signal = exit.signalName.startsWith('SIG') ? exit.signalName : `SIG${exit.signalName}`;
            settleEntry(e, resultOf(k, code, extra));
          }
        }
        resolve();
      };

      ch.on('data', (c: Buffer) => outSplit.push(c));
      ch.stderr.on('data', onStderr);
      ch.on('close', onClose);
      ch.on('error', () => {
        // comes with (or before) its close; a lost connection is handled by the pool
      });
      advance(); // the first command starts now
      ch.end();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.pool.values()) c.close();
    this.pool.clear();
    for (const c of this.jumpClients) c.end();
    this.jumpClients.clear();
    this.jumpPool.clear();
  }
}

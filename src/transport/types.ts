// One interface for every command the product runs, on a host over SSH or on the bastion.
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from './shell.js';

export type Target = { kind: 'host'; host: Host } | { kind: 'bastion' };

export interface RunOptions {
  /** Called with each complete line (no trailing newline) as it arrives. */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Ends the command (remote process included) after this long; result.timedOut is then true. */
  timeoutMs?: number;
  /** Aborting ends the command, the remote process included; result.cancelled is then true. */
  signal?: AbortSignal;
  /** Written to the command's standard input, then closed. */
  stdin?: string;
  /** Cap on the stdout/stderr kept in the result (the callbacks still see every line). Default 1 MiB each. */
  maxBufferBytes?: number;
}

/** What one command printed. Checks and parsers see only this, never a connection. */
export interface CommandOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /**
   * On the bastion's clock (ms since the epoch), set by the health run, absent elsewhere: when the run
   * handed the command to the runner (the host cannot have started it earlier: for a batched session, the
   * time the whole batch was handed over) and when its answer came back (it cannot have ended later).
   * The ntp check brackets a host's `date` between them.
   */
  sentAt?: number;
  receivedAt?: number;
}

export interface CommandResult {
  /** null when the command did not exit by itself (timeout, cancel, killed by a signal). */
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  /** True when stdout/stderr were cut to maxBufferBytes (the tail is kept). */
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /**
   * Date.now() just before the command's session was asked to start on the host (for a batched command,
   * its session's), when the runner knows it: the command cannot have started earlier. The health run
   * brackets a host's clock with it (waiting for a connection or a free session does not count).
   */
  sentAt?: number;
}

export type ConnectivityState = 'checking' | 'ok' | 'auth-failed' | 'host-key-unknown' | 'host-key-changed' | 'unreachable';

export interface Connectivity {
  state: ConnectivityState;
  /** One line: what happened. */
  reason?: string;
  /** What the operator can do about it (e.g. the ssh-keyscan command to add a key). */
  hint?: string;
}

/** One setting of how a host is reached (its value and where it came from), for the host screen. */
export interface ConnectionSetting {
  setting: string;
  value: string;
  from: string;
}

export interface Runner {
  /**
   * Optional: how this runner would reach a host, each setting with its origin (the inventory, the
   * operator's ~/.ssh/config line, a default); `{ error }` when the ssh config refuses the host. Reads
   * nothing from the host.
   */
  connectionSettings?(host: Host): ConnectionSetting[] | { error: string };
  run(target: Target, command: ShellCommand, options?: RunOptions): Promise<CommandResult>;
  /** Opens (or reuses) the connection to a host and reports whether commands can run there. */
  probe(host: Host): Promise<Connectivity>;
  /** Closes every connection. */
  close(): Promise<void>;
  /**
   * Optional: runs several commands on one host one after the other in ONE session (one channel, one
   * login-shell start), each with its own options (timeout counted from its own start, signal,
   * callbacks; no stdin) and its own result, in order; a result is there as soon as its command
   * ended. A command that times out or is cancelled is ended (remote process included) and the ones
   * after it continue in a new session. All pending results reject with a TransportError when the host
   * cannot be used. Runners without it run the commands one by one with run().
   */
  runBatch?(target: Target, commands: readonly BatchCommand[]): Promise<CommandResult>[];
  /**
   * Optional: copies a file of a host to this machine (SFTP on the host's verified connection). The local
   * file is written with mode 0600 under a temporary name and renamed into place when complete (its
   * directory is created, 0700, when missing). Runs as the login user: when become applies, the
   * procedure first puts a readable copy where that user can read it. Rejects (TransportError for a
   * host that cannot be used, Error for the transfer) on failure; an abort rejects with an AbortError.
   */
  download?(host: Host, remotePath: string, localPath: string, options?: DownloadOptions): Promise<DownloadResult>;
  /**
   * Optional: copies a file of this machine to a host (SFTP on the host's verified connection). Written to
   * `<remotePath>.part-<random>` (mode 0600) and renamed into place when complete (an existing file is
   * replaced); the partial file is removed on failure. Runs as the login user: with become, the
   * destination must be writable by that user (e.g. /tmp), and a root step moves it on. Rejects like
   * download.
   */
  upload?(host: Host, localPath: string, remotePath: string, options?: UploadOptions): Promise<UploadResult>;
}

export interface DownloadOptions {
  signal?: AbortSignal;
}

export interface DownloadResult {
  bytes: number;
}

/** How a download reads in logs, the audit log, plans and recordings: `sftp get host:remote → local`. */
export function downloadText(host: string, remotePath: string, localPath: string): string {
  return `sftp get ${host}:${remotePath} → ${localPath}`;
}

export type UploadOptions = DownloadOptions;
export type UploadResult = DownloadResult;

/** How an upload reads in logs, the audit log, plans and recordings: `sftp put local → host:remote`. */
export function uploadText(host: string, localPath: string, remotePath: string): string {
  return `sftp put ${localPath} → ${host}:${remotePath}`;
}

export interface BatchCommand {
  command: ShellCommand;
  options?: Omit<RunOptions, 'stdin'>;
}

/** Raised (as a rejected run) when a host cannot be used: key unknown/changed, auth, unreachable, connection lost. */
export class TransportError extends Error {
  constructor(
    readonly host: string,
    readonly state: Exclude<ConnectivityState, 'checking' | 'ok'> | 'connection-lost',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

// Commands on the bastion itself (`oc`, local files): `sh -c script` through execa, with the same
// streaming, buffering, timeout and cancellation semantics as the SSH runner.
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from './shell.js';
import { DEFAULT_MAX_BUFFER_BYTES, OutputCollector, safeCallback } from './stream.js';
import type { CommandResult, Connectivity, Runner, RunOptions, Target } from './types.js';

export interface LocalRunnerOptions {
  /** Time between SIGTERM and SIGKILL of the command's process group on timeout/cancel. Default 2000 ms. */
  killGraceMs?: number;
  /** Extra environment for every command. */
  env?: Record<string, string>;
}

const live = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Commands run in their own process group (so a cancel reaches their children); do not leave them
  // behind when the console exits.
  process.on('exit', () => {
    for (const pid of live) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export class LocalRunner implements Runner {
  private readonly killGraceMs: number;
  private readonly env: Record<string, string> | undefined;

  constructor(options: LocalRunnerOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.env = options.env;
  }

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    if (target.kind !== 'bastion') throw new Error('LocalRunner runs commands on the bastion only');
    return runLocal(command, options, this.killGraceMs, this.env);
  }

  async probe(_host: Host): Promise<Connectivity> {
    return { state: 'unreachable', reason: 'the local runner does not connect to hosts' };
  }

  async close(): Promise<void> {}
}

export async function runLocal(
  command: ShellCommand,
  options: RunOptions = {},
  killGraceMs = 2000,
  env?: Record<string, string>,
  /** `env` is the whole environment, not an addition to this process's (the DEMO cluster's shell). */
  envIsWhole = false,
): Promise<CommandResult> {
  const started = Date.now();
  const max = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const out = new OutputCollector(max, safeCallback(options.onStdout));
  const err = new OutputCollector(max, safeCallback(options.onStderr));
  let timedOut = false;
  let cancelled = false;

  if (options.signal?.aborted) {
    return {
      exitCode: null,
      stdout: '',
      stderr: '',
      truncated: false,
      timedOut: false,
      cancelled: true,
      durationMs: 0,
    };
  }

  const { execa } = await import('execa');
  installExitHook();
  const child = execa('sh', ['-c', command.script], {
    detached: true, // its own process group: cancel/timeout reach every process the script started
    cleanup: false,
    reject: false,
    buffer: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    ...(options.stdin !== undefined ? { input: options.stdin } : { stdin: 'ignore' as const }),
    ...(env ? { env, extendEnv: !envIsWhole } : {}),
  });
  const pid = child.pid;
  if (pid !== undefined) live.add(pid);

  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (pid === undefined || killTimer) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), killGraceMs);
    killTimer.unref();
  };
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs)
      : undefined;
  const onAbort = (): void => {
    cancelled = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while execa was loading

  const ended = (s: NodeJS.ReadableStream | null | undefined): Promise<void> =>
    new Promise((resolve) => {
      if (!s) return resolve();
      s.on('end', resolve);
      s.on('close', resolve);
      s.on('error', () => resolve());
    });
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const streamsDone = Promise.all([ended(child.stdout), ended(child.stderr)]);

  try {
    const result = await child;
    await streamsDone;
    out.end();
    err.end();
    const signal = result.signal ?? undefined;
    const byItself = !timedOut && !cancelled && signal === undefined;
    const res: CommandResult = {
      exitCode: byItself ? (result.exitCode ?? null) : null,
      stdout: out.text(),
      stderr: err.text(),
      truncated: out.truncated || err.truncated,
      timedOut,
      cancelled,
      durationMs: Date.now() - started,
    };
    if (signal !== undefined) res.signal = signal;
    if (res.exitCode === null && result.failed && !signal && !timedOut && !cancelled && result.exitCode === undefined) {
      // execa could not start `sh` at all
      res.stderr += (res.stderr ? '\n' : '') + (result.shortMessage ?? 'could not start sh');
      res.exitCode = 127;
    }
    return res;
  } finally {
    if (timer) clearTimeout(timer);
    // killTimer is left to fire: a process of the group that ignored SIGTERM still gets SIGKILL.
    options.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) live.delete(pid);
  }
}

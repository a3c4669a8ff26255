// Starts the full-screen console and guarantees the terminal comes back as it was: alternate screen
// left and cursor shown on quit, Ctrl-C, SIGTERM/SIGHUP, and on an uncaught error.
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import type { RunSession } from '../src/engine/session.js';
import type { Params, Procedure } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import { ConnectivityMonitor } from '../src/model/connectivity.js';
import { makeDiscover } from '../src/model/discovery.js';
import type { HealthRun } from '../src/model/health.js';
import type { OcLoginVerdict } from '../src/model/oc-login.js';
import type { InterruptedRun, RunReportAccess, RunSummary } from '../src/model/runs-view.js';
import type { NodesService } from '../src/nodes/service.js';
import type { Runner } from '../src/transport/types.js';
import { App, PRODUCT } from './App.js';
import { osc52 } from './clipboard.js';
import type { PlanFn, ValidateFn } from './Procedure.js';
import { colorWanted } from './theme.js';

export interface ConsoleOptions {
  inventory: Inventory;
  runner: Runner;
  version: string;
  /** --no-color; NO_COLOR in the environment (non-empty) has the same effect. */
  noColor?: boolean;
  /** Default: CATALOGUE of procedures/catalogue.ts. */
  catalogue?: readonly CatalogueEntry[];
  /** At most this many connectivity probes at once (--concurrency). Default: all hosts. */
  concurrency?: number;
  /**
   * Starts the health run for the Health screen, e.g. `() => startHealthRun({ inventory, runner, oc })`.
   * Called once, when the operator first opens Health (h); the run is disposed of when the console ends.
   * Without it the Health screen says checks are not available.
   */
  startHealth?: () => HealthRun;
  /** Why quitting needs a confirmation now (runs started from the console are already counted). */
  quitBlocker?: () => string | undefined;
  // ---- procedures (the screens never run a command: the engine's functions come in here) ----
  /** Procedures that can run (procedures/index.ts PROCEDURES). Enter on one opens form → plan → run. */
  procedures?: readonly Procedure[];
  /** `(p, params) => planProcedure(p, params, inventory, new Date())`; may throw a sentence for the operator. */
  planProcedure?: PlanFn;
  /** Extra parameter checks, `{ param, message }` each (the form checks required values and choices itself). */
  validateParams?: ValidateFn;
  /** Starts a run with its journal: `startProcedureRun(...)`. */
  startRun?: (procedure: Procedure, params: Params) => RunSession;
  /** Interrupted runs from the journals: the first screen then offers to resume one. */
  interruptedRuns?: () => InterruptedRun[];
  resumeRun?: (runId: string) => RunSession;
  /** Past and interrupted runs for the Runs screen (u). */
  listRuns?: () => RunSummary[];
  /** A run's record for the ticket: shown from the Runs screen, written from the run view. */
  runReport?: RunReportAccess;
  /**
   * Node operations for the Nodes screen (n): `new NodesService({ runner, oc })`, oc on the bastion like
   * the cluster-wide checks. Without it the screen says node operations are not available.
   */
  nodes?: NodesService;
  /** Who the oc login is and what it may read (`readOcLogin` + `ocLoginVerdict`): read once in the background, shown on Home. */
  readOcLogin?: () => Promise<OcLoginVerdict>;
  /**
   * After SIGTERM/SIGHUP/SIGINT the promise resolves, and the process exits this long after if the caller has
   * not (default 3000; 0: never).
   */
  exitAfterSignalMs?: number;
  /** For tests; default process.stdin/stdout/stderr/env. */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l';
export const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNAL_CODES;

function oneLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/**
 * False when this process is not in the terminal's foreground process group (`day2-tui &`, or under
 * `timeout` without --foreground): there, switching the terminal to raw mode stops the process (SIGTTOU),
 * and the screen would freeze on its first frame.
 */
export function inTerminalForeground(statText?: string): boolean {
  try {
    const stat = statText ?? readFileSync('/proc/self/stat', 'utf8');
    // after "pid (comm) ": state ppid pgrp session tty_nr tpgid …
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    const tpgid = Number(f[5]);
    return !(tpgid > 0 && pgrp !== tpgid);
  } catch {
    return true;
  }
}

const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'tcsh', 'csh']);

/**
 * The second line of the background warning (80 columns at most): how to get keys or get out, by what
 * started the console. A shell's job (`day2-tui &`) comes back with fg; under `timeout` (which puts its
 * child in a group of its own) fg does nothing, only `timeout --foreground` or kill do.
 */
export function backgroundHint(parent: string | undefined, pid: number): string {
  if (parent === 'timeout') return `Under timeout: use timeout --foreground to type keys. Stop it: kill ${pid}.`;
  if (parent === undefined || SHELLS.has(parent)) return `Started with &? Type fg to use it. Else stop it: kill ${pid}.`;
  // comm is at most 15 characters: the line stays within 80 columns
  return `${parent.slice(0, 15)} runs it in the background: no keys. Stop it: kill ${pid}.`;
}

/** The command name of this process's parent (/proc/PPID/comm), if it can be read. */
function parentCommand(): string | undefined {
  try {
    return readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A terminal-like input that never touches the terminal: the screen stays live, keys are not read. */
function detachedInput(): NodeJS.ReadStream {
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  input.isTTY = true;
  input.setRawMode = () => input;
  input.ref = () => input;
  input.unref = () => input;
  return input;
}

/**
 * While keys are not read (the console is in the background): watches, every `everyMs`, whether the
 * operator brought it to the foreground (`fg`); then puts the terminal `tty` in raw mode and hands its
 * keys to `input` (the detached input Ink reads), and calls `attached`. Raw mode is only asked for once
 * in the foreground, where it cannot stop the process. Returns the clean-up (stops watching; gives the
 * terminal back if it was taken).
 */
export function readKeysOnceForeground(
  input: NodeJS.ReadStream,
  attached: () => void,
  {
    tty = process.stdin,
    foreground = () => inTerminalForeground(),
    everyMs = 500,
  }: { tty?: NodeJS.ReadStream; foreground?: () => boolean; everyMs?: number } = {},
): () => void {
  let taken = false;
  const forward = (chunk: Buffer | string) => (input as unknown as PassThrough).write(chunk);
  const timer = setInterval(() => {
    if (!foreground()) return;
    clearInterval(timer);
    taken = true;
    tty.setRawMode?.(true);
    tty.on('data', forward);
    tty.resume();
    attached();
  }, everyMs);
  return () => {
    clearInterval(timer);
    if (!taken) return;
    taken = false;
    tty.off('data', forward);
    try {
      tty.setRawMode?.(false);
    } catch {
      /* the terminal went away */
    }
    tty.pause();
  };
}

/** Runs the console until the operator quits; resolves with the process exit code. */
export async function startConsole(opts: ConsoleOptions): Promise<number> {
  let stdin = opts.stdin ?? process.stdin;
  let notice: string | undefined;
  let keysNotRead: string | undefined;
  if (!opts.stdin && stdin.isTTY && !inTerminalForeground()) {
    stdin = detachedInput();
    // Two lines that fit 80 columns: why nothing answers, and how to get out (q and Ctrl-C do not reach it).
    notice = "Keys are not read: day2-tui is not the terminal's foreground process.";
    keysNotRead = backgroundHint(parentCommand(), process.pid);
  }
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const env = opts.env ?? process.env;

  if (!stdout.isTTY || !stdin.isTTY) {
    stderr.write(`${PRODUCT}: the console needs a terminal; for scripts use \`${PRODUCT} check\`, \`list\`, \`plan\` or \`run\`.\n`);
    return 2;
  }
  const catalogue = opts.catalogue ?? (await import('../procedures/catalogue.js')).CATALOGUE;
  const noColor = !colorWanted(env, opts.noColor);
  const monitor = new ConnectivityMonitor(opts.inventory, opts.runner, { concurrency: opts.concurrency });

  // Writes to a terminal that went away (SSH dropped) must not crash the clean-up.
  const ignoreWriteError = () => {};
  stdout.on('error', ignoreWriteError);
  const safeWrite = (s: string) => {
    try {
      stdout.write(s);
    } catch {
      /* the terminal is gone */
    }
  };

  let restored = false;
  const restoreTerminal = () => {
    if (restored) return;
    restored = true;
    safeWrite(LEAVE_ALT_SCREEN);
  };
  const onProcessExit = () => restoreTerminal();
  process.on('exit', onProcessExit);

  safeWrite(ENTER_ALT_SCREEN);

  return new Promise<number>((resolve) => {
    let finished = false;
    let signalled = false;
    // eslint-disable-next-line prefer-const
    let instance: ReturnType<typeof render> | undefined;

    // With the detached input, the watch for `fg` holds the event loop: the screen stays until quit or a signal.
    // Brought to the foreground, the console reads keys from then on and the footer lists them again.
    const stopWatching = keysNotRead
      ? readKeysOnceForeground(stdin, () => {
          keysNotRead = undefined;
          instance?.rerender(app());
        })
      : undefined;
    const finish = (code: number, error?: unknown) => {
      if (finished) return;
      finished = true;
      stopWatching?.();
      try {
        instance?.unmount();
      } catch {
        /* already unmounted */
      }
      monitor.dispose();
      restoreTerminal();
      // Removed on the next turn, not now: other signal listeners (signal-exit, loaded by Ink) run
      // after ours and would re-raise the signal if ours were gone, killing the process before the
      // caller could clean up. Ink may also still flush a frame: keep ignoring write errors until then.
      setImmediate(() => {
        for (const s of Object.keys(SIGNAL_CODES) as HandledSignal[]) process.off(s, signalHandlers[s]);
        process.off('uncaughtException', onFatal);
        process.off('unhandledRejection', onFatal);
        process.off('exit', onProcessExit);
        stdout.off('error', ignoreWriteError);
      });
      if (error !== undefined) {
        try {
          stderr.write(`${PRODUCT}: error: ${oneLine(error)}\n`);
        } catch {
          /* nowhere left to report */
        }
      }
      resolve(code);
      // Asked to stop by a signal: give the caller a moment to clean up, then make sure we do stop.
      const exitAfter = opts.exitAfterSignalMs ?? 3000;
      if (signalled && exitAfter > 0) setTimeout(() => process.exit(code), exitAfter).unref();
    };

    const signalHandlers = Object.fromEntries(
      (Object.keys(SIGNAL_CODES) as HandledSignal[]).map((s) => [
        s,
        () => {
          signalled = true;
          finish(SIGNAL_CODES[s]);
        },
      ]),
    ) as Record<HandledSignal, () => void>;
    for (const s of Object.keys(SIGNAL_CODES) as HandledSignal[]) process.on(s, signalHandlers[s]);
    const onFatal = (err: unknown) => finish(1, err);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);

    const app = () => (
      <App
        inventory={opts.inventory}
        catalogue={catalogue}
        monitor={monitor}
        version={opts.version}
        noColor={noColor}
        quitBlocker={opts.quitBlocker}
        startHealth={opts.startHealth}
        procedures={opts.procedures}
        planProcedure={opts.planProcedure}
        validateParams={opts.validateParams}
        discover={opts.procedures ? makeDiscover(opts.runner, opts.inventory) : undefined}
        connectionSettings={opts.runner.connectionSettings ? (host) => opts.runner.connectionSettings!(host) : undefined}
        startRun={opts.startRun}
        interruptedRuns={opts.interruptedRuns}
        resumeRun={opts.resumeRun}
        listRuns={opts.listRuns}
        runReport={opts.runReport}
        copy={(text) => stdout.write(osc52(text))}
        nodes={opts.nodes}
        readOcLogin={opts.readOcLogin}
        notice={notice}
        keysNotRead={keysNotRead}
        onQuit={(code) => finish(code)}
      />
    );
    try {
      instance = render(app(), { stdin, stdout, stderr, exitOnCtrlC: false, patchConsole: true });
    } catch (err) {
      finish(1, err);
      return;
    }
    instance.waitUntilExit().then(
      () => finish(0),
      (err: unknown) => finish(1, err),
    );
  });
}

// The DEMO cluster's nodes (its showcase scenario: app-node-2 NotReady) for the Nodes screen tests: a real
// NodesService over the DemoRunner, with the demo's drain played without its waits (a budget retry takes
// 5 s in the demo), and — when held — one line at a time as the test releases them, so a test sees each
// stage of a drain without timing it.
import { render } from 'ink-testing-library';
import { demoInventory } from '../../src/demo/inventory.js';
import { DemoRunner, simulateCommand } from '../../src/demo/runner.js';
import { ConnectivityMonitor } from '../../src/model/connectivity.js';
import { NodesService } from '../../src/nodes/service.js';
import type { ShellCommand } from '../../src/transport/shell.js';
import type { CommandResult, Connectivity, Runner, RunOptions, Target } from '../../src/transport/types.js';
import { App } from '../App.js';
import { FakeRunner, settle, stripAnsi, testCatalogue } from './fixtures.js';

export const APP0 = 'app-node-0.demo.example.com';
export const APP1 = 'app-node-1.demo.example.com';
export const APP2 = 'app-node-2.demo.example.com';

/** The DemoRunner with no delays; `oc adm drain` is played step by step (waits skipped, lines held when asked). */
export class SteppedDemoRunner implements Runner {
  readonly demo = new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
  /** Every command run, in order. */
  readonly scripts: string[] = [];
  /** Hold each drain line until release() lets it through. */
  hold = false;
  /** The drain line waiting to be let through, if one is. */
  waiting: string | undefined;
  /** How each drain ended, in order: 'exit N' or 'cancelled'. */
  readonly ended: string[] = [];
  private released = 0;
  private wake: (() => void) | undefined;

  constructor(opts: { hold?: boolean } = {}) {
    this.hold = !!opts.hold;
  }

  get cluster() {
    return this.demo.cluster;
  }

  /** Lets `n` held lines through. */
  release(n = 1): void {
    this.released += n;
    this.wake?.();
  }

  /** Stops holding: the rest of the drain plays at once. */
  releaseAll(): void {
    this.hold = false;
    this.wake?.();
  }

  drains(): string[] {
    return this.scripts.filter((s) => /\badm drain\b/.test(s));
  }

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    this.scripts.push(command.script);
    if (!/\badm drain\b/.test(command.script)) return this.demo.run(target, command, options);
    const started = Date.now();
    const out: string[] = [];
    const err: string[] = [];
    const result = (exitCode: number | null, cancelled: boolean): CommandResult => {
      this.ended.push(cancelled ? 'cancelled' : `exit ${exitCode}`);
      return {
        exitCode,
        ...(cancelled ? { signal: 'SIGTERM' } : {}),
        stdout: out.join('\n'),
        stderr: err.join('\n'),
        truncated: false,
        timedOut: false,
        cancelled,
        durationMs: Date.now() - started,
      };
    };
    const exec = simulateCommand(this.demo.cluster, undefined, command.script);
    const signal = options.signal;
    for (const step of exec.steps) {
      if (signal?.aborted) return result(null, true);
      if (step.kind === 'wait') continue;
      if (step.kind === 'effect') {
        step.run();
        continue;
      }
      while (this.hold && this.released === 0 && !signal?.aborted) {
        this.waiting = step.text;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        this.wake = undefined;
      }
      this.waiting = undefined;
      if (signal?.aborted) return result(null, true);
      if (this.hold) this.released--;
      // a turn of the event loop per line, as a real process gives: the screen can draw in between
      await new Promise((r) => setImmediate(r));
      (step.stream === 'stdout' ? out : err).push(step.text);
      (step.stream === 'stdout' ? options.onStdout : options.onStderr)?.(step.text);
    }
    return result(exec.exitCode, false);
  }

  probe(): Promise<Connectivity> {
    return Promise.resolve({ state: 'ok' });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The App on the DEMO inventory with a real NodesService over a SteppedDemoRunner. */
export function renderNodesApp(opts: { hold?: boolean; noColor?: boolean; columns?: number; rows?: number; withoutNodes?: boolean } = {}) {
  const inventory = demoInventory('showcase');
  const runner = new SteppedDemoRunner({ hold: opts.hold });
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  const service = new NodesService({ runner });
  let quits = 0;
  const r = render(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={opts.columns ?? 80}
      rows={opts.rows ?? 24}
      noColor={opts.noColor}
      onQuit={() => quits++}
      nodes={opts.withoutNodes ? undefined : service}
    />,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { ...r, frame, press, runner, service, quits: () => quits, dispose: () => monitor.dispose() };
}

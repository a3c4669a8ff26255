// Test helpers (not a test file): a small inventory, toy procedures' catalogue entries, a scripted runner.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, Inventory, Role } from '../inventory/types.js';
import type { CatalogueEntry } from '../model/catalogue.js';
import type { CommandResult, Connectivity, RunOptions, Runner, Target } from '../transport/types.js';
import type { ShellCommand } from '../transport/shell.js';
import type { FailureChoice, Operator, ParameterSpec, Procedure, ResolvedGate, Step } from './types.js';

export function host(name: string, roles: Role[]): Host {
  return { name, address: name, port: 22, become: false, roles, groups: roles, vars: {}, file: 'test', line: 1 };
}

export function toyInventory(): Inventory {
  const hosts = [host('m0.example.com', ['master', 'etcd', 'node']), host('m1.example.com', ['master', 'etcd', 'node']), host('n0.example.com', ['node'])];
  const groups: Record<string, string[]> = {};
  for (const h of hosts) for (const r of h.roles) (groups[r] ??= []).push(h.name);
  return { source: { kind: 'file', path: '/tmp/toy-inventory' }, hosts, groups, groupVars: {}, warnings: [] };
}

export function entry(id: string, parameters: ParameterSpec[] = []): CatalogueEntry {
  return {
    id,
    kind: 'procedure',
    title: `Toy ${id}`,
    chapter: 4,
    chapterTitle: 'Environment-wide backups',
    section: '4.9',
    guideLine: 1,
    risk: 'medium',
    built: true,
    summary: 'a toy',
    parameters: parameters.map(({ validate: _v, ...p }) => p),
  };
}

export function toyProcedure(id: string, steps: Step[], parameters: ParameterSpec[] = []): Procedure {
  return { entry: entry(id, parameters), parameters, steps };
}

export interface Answer {
  stdout?: string;
  stderr?: string;
  exitCode?: number | null;
  delayMs?: number;
  /** Never answers (until aborted). */
  hang?: boolean;
  throws?: Error;
}

/** A runner answering from a function of (where, script); streams the answer's lines. */
export class ScriptedRunner implements Runner {
  constructor(private readonly answer: (where: string, script: string) => Answer = () => ({})) {}

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    const where = target.kind === 'host' ? target.host.name : 'bastion';
    const a = this.answer(where, command.script);
    const started = Date.now();
    if (a.throws) throw a.throws;
    if (a.hang || a.delayMs) {
      const cancelled = await new Promise<boolean>((resolve) => {
        const t = a.hang ? undefined : setTimeout(() => resolve(false), a.delayMs);
        options.signal?.addEventListener('abort', () => {
          if (t) clearTimeout(t);
          resolve(true);
        });
      });
      if (cancelled) return { exitCode: null, stdout: '', stderr: '', truncated: false, timedOut: false, cancelled: true, durationMs: Date.now() - started };
    }
    const stdout = a.stdout ?? '';
    const stderr = a.stderr ?? '';
    for (const l of stdout.split('\n').filter((x, i, all) => x !== '' || i < all.length - 1)) options.onStdout?.(l);
    for (const l of stderr.split('\n').filter((x, i, all) => x !== '' || i < all.length - 1)) options.onStderr?.(l);
    return { exitCode: a.exitCode === undefined ? 0 : a.exitCode, stdout, stderr, truncated: false, timedOut: false, cancelled: false, durationMs: Date.now() - started };
  }

  async probe(): Promise<Connectivity> {
    return { state: 'ok' };
  }

  async close(): Promise<void> {}
}

/** An operator with canned answers; records what it was asked. */
export class CannedOperator implements Operator {
  readonly gates: ResolvedGate[] = [];
  readonly failures: { choices: FailureChoice[]; step: string; command: string; exitCode: number | null; tail: string }[] = [];
  constructor(
    private readonly gateAnswers: boolean[] = [],
    private readonly failureAnswers: FailureChoice[] = [],
  ) {}

  async gate(gate: ResolvedGate): Promise<boolean> {
    this.gates.push(gate);
    return this.gateAnswers.shift() ?? true;
  }

  async failure(choices: FailureChoice[], info: { step: string; command: string; exitCode: number | null; tail: string }): Promise<FailureChoice> {
    this.failures.push({ choices, ...info });
    return this.failureAnswers.shift() ?? 'abort';
  }
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'day2-engine-'));
}

/** Every file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
}

/** The parameters of the engine tests' toy procedures: an etcd member and a secret password. */
export const HOST_AND_PASSWORD: ParameterSpec[] = [
  { name: 'host', description: 'the etcd member', required: true, choices: { fromRole: 'etcd' } },
  { name: 'password', description: 'registry password', required: true, secret: true },
];

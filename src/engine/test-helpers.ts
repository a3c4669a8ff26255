// Test helpers (not a test file): toy procedures' catalogue entries, a canned operator, state dirs. The fake
// runner and the host/inventory builders are src/testing/'s (toyInventory is re-exported from there).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogueEntry } from '../model/catalogue.js';
import { toyInventory } from '../testing/builders.js';
import type { Runner } from '../transport/types.js';
import { startProcedureRun } from './run.js';
import type { FailureChoice, Operator, ParameterSpec, Params, Procedure, ResolvedGate, Step } from './types.js';

export { toyInventory };

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

  async failure(
    choices: FailureChoice[],
    info: { step: string; command: string; exitCode: number | null; tail: string },
  ): Promise<FailureChoice> {
    this.failures.push({ choices, ...info });
    return this.failureAnswers.shift() ?? 'abort';
  }
}

const stateDirs: string[] = [];

/** A state directory of its own, removed when the test process exits (they were left in /tmp, a thousand a suite). */
export function tempStateDir(): string {
  if (stateDirs.length === 0)
    process.once('exit', () => {
      for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
    });
  const dir = mkdtempSync(join(tmpdir(), 'day2-engine-'));
  stateDirs.push(dir);
  return dir;
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

/** A procedure run to its end on a fake runner, every gate answered yes: its result's status. */
export async function runToEnd(procedure: Procedure, runner: Runner, params: Params = {}, inventory = toyInventory()): Promise<string> {
  const run = startProcedureRun({ procedure, params, inventory, runner, operator: new CannedOperator(), stateDir: tempStateDir() });
  return (await run.result()).status;
}

// The entry point: scripts/build.mjs bundles this file into dist/day2-tui.js, which bin/day2-tui loads.
// Start-up stays cheap: ink, react and ssh2 are imported only when the console starts.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoInventory } from '../demo/inventory.js';
import { type AnsibleSettings, readAnsibleSettings } from '../inventory/ansible-cfg.js';
import { readInventoryFile } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import { readSettings } from '../settings/store.js';
import type { CreateRunnerOptions } from '../transport/runner.js';
import type { SshClientConfig } from '../transport/ssh-config.js';
import type { Runner } from '../transport/types.js';
import { type Env, type GlobalOptions, type ParsedCommand, PROGRAM, parseCommandLine, VERSION } from './args.js';
import { originText, runConfig } from './config.js';
import { runList } from './list.js';

export interface MainIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  /** Both stdin and stdout are terminals (the console needs one). */
  isTTY: boolean;
}

function defaultIO(): MainIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    isTTY: !!process.stdin.isTTY && !!process.stdout.isTTY,
  };
}

/** An error whose message is for the operator (bad configuration, bad input): exit 2, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs the command line; returns the exit code. Never exits the process, never throws. */
export async function main(argv: readonly string[] = process.argv.slice(2), io: Partial<MainIO> = {}): Promise<number> {
  const out: MainIO = { ...defaultIO(), ...io };
  const debug = !!out.env.DAY2_DEBUG && out.env.DAY2_DEBUG !== '0';
  try {
    let ansible: AnsibleSettings | undefined;
    const parsed = parseCommandLine(argv, out.env, {
      settings: () => readSettings(out.env),
      // read once, from the same environment, for the inventory's choice and for its users, keys and become
      ansible: () => (ansible ??= readAnsibleSettings({ env: out.env })),
    });
    if (parsed.kind === 'exit') {
      if (parsed.stdout) out.stdout(parsed.stdout);
      if (parsed.stderr) out.stderr(parsed.stderr);
      return parsed.code;
    }
    return await dispatch(parsed, out);
  } catch (err) {
    out.stderr(errorLine(err));
    if (debug && err instanceof Error && err.stack) out.stderr(`${err.stack}\n`);
    return err instanceof CliError ? err.exitCode : 2;
  }
}

/** `day2-tui: <message>` on one line; the stack only with DAY2_DEBUG=1. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const oneLine =
    message
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .join(' ') || 'unexpected error';
  return `${PROGRAM}: ${oneLine}\n`;
}

async function dispatch(command: ParsedCommand, io: MainIO): Promise<number> {
  switch (command.kind) {
    case 'console':
      return startConsole(command, io);
    case 'list':
      return runList(command, io.stdout);
    case 'check':
      return checkCommand(command, io);
    case 'plan':
      return planCommand(command, io);
    case 'run':
      return runCommand(command, io);
    case 'runs':
      return runsCommand(command, io);
    case 'resume':
      return resumeCommand(command, io);
    case 'report':
      return reportCommand(command, io);
    case 'completion': {
      const { completionScript } = await import('./completion.js');
      io.stdout(completionScript(command.shell));
      return 0;
    }
    case 'config': {
      return runConfig(command.config, command.options, { stdout: io.stdout, env: io.env, cwd: process.cwd() });
    }
  }
}

// ---- the console ------------------------------------------------------------------------------------

async function startConsole(command: Extract<ParsedCommand, { kind: 'console' }>, io: MainIO): Promise<number> {
  if (!io.isTTY) {
    throw new CliError(`the console needs a terminal; use a command instead (see ${PROGRAM} --help)`);
  }
  const { options } = command;
  // Read the inventory before the screen switches, so that its error is an ordinary one-line message.
  const inventory = inventoryOf(options);
  // The state directory likewise: one that others could write to is refused before anything is shown.
  (await import('../engine/journal.js')).ensureStateDir(options.stateDir);
  // Dynamic: the transport, ink and react load only now. The demo never touches the network.
  const runner = await createRunnerFor(inventory, options);
  try {
    const screens = await import('../../screens/console.js');
    const { healthRunOptions, startHealthRun } = await import('./check.js');
    const health = healthRunOptions({ inventory, runner, oc: options.ocPath, concurrency: options.concurrency }, io.env);
    // Node operations run oc where the cluster-wide checks do (the bastion; the demo answers it itself),
    // and fail with the same sentence when the client is missing.
    const { NodesService } = await import('../nodes/service.js');
    const { nodeActionAuditor } = await import('../engine/audit.js');
    const { redact } = await import('../engine/redact.js');
    // cordon, uncordon and drain from the Nodes screen go to audit.log like every procedure command
    const audit = nodeActionAuditor(options.stateDir, (t) => redact(t));
    const nodes = new NodesService({
      runner,
      oc: options.ocPath,
      audit,
      ...(health.ocUnavailable ? { ocUnavailable: health.ocUnavailable } : {}),
    });
    // who the oc login is and whether it can read what the checks read: once, in the background (Home shows it)
    const { readOcLogin } = await import('../ocp/oc-login.js');
    const { ocLoginVerdict } = await import('../model/oc-login.js');
    const oc = options.ocPath;
    const ocLogin = () =>
      readOcLogin({ runner, oc, ...(health.ocUnavailable ? { ocUnavailable: health.ocUnavailable } : {}) }).then((f) =>
        ocLoginVerdict(f, oc),
      );
    const { PROCEDURES } = await import('../../procedures/index.js');
    const { planProcedure } = await import('../engine/plan.js');
    // a procedure's facts (how each master runs its control plane, what a check flags), read in the background
    // for the plan view, per procedure (a run reads them again); a fact the hosts cannot answer says "at run time"
    const { ProbeFactsCaches } = await import('../model/facts-cache.js');
    const { controlPlaneProbe } = await import('../ocp/control-plane.js');
    const facts = new ProbeFactsCaches(inventory, runner);
    // read early, as most procedures need it (not in the demo: its simulated hosts do not answer it yet)
    if (inventory.source.kind !== 'demo') facts.current([controlPlaneProbe]);
    const { startProcedureRun, checkResumable } = await import('../engine/run.js');
    const { listRuns, readJournal, SECRET_MARKER } = await import('../engine/journal.js');
    const { findProcedure } = await import('../../procedures/index.js');
    const sameInventory = (j: { inventory: { kind: string; path?: string } }) =>
      inventory.source.kind === 'demo'
        ? j.inventory.kind === 'demo'
        : j.inventory.kind === 'file' && j.inventory.path === (inventory.source as { path: string }).path;
    const runs = () => listRuns(options.stateDir).runs;
    const { reportOfRun, writeRunReport } = await import('../engine/report.js');
    return await screens.startConsole({
      inventory,
      runner,
      version: VERSION,
      noColor: !options.color,
      concurrency: options.concurrency,
      startHealth: () => startHealthRun(health),
      nodes,
      readOcLogin: ocLogin,
      procedures: PROCEDURES,
      planProcedure: (procedure, params) =>
        planProcedure(procedure, params, inventory, new Date(), procedure.facts ? facts.current(procedure.facts) : undefined),
      startRun: (procedure, params) =>
        startProcedureRun({ procedure, params, inventory, runner, operator: 'session', stateDir: options.stateDir }),
      // The form checks required values, choices and each parameter's own validate; the engine checks
      // again when the run starts and its message is shown on the form.
      interruptedRuns: () =>
        runs()
          .filter((r) => r.status === 'interrupted' && sameInventory(readJournal(options.stateDir, r.runId)))
          .map((r) => ({
            runId: r.runId,
            procedure: r.procedure,
            startedAt: r.startedAt,
            step: r.currentStepTitle ?? r.currentStep ?? '?',
          })),
      runReport: { read: (runId) => reportOfRun(options.stateDir, runId), write: (runId) => writeRunReport(options.stateDir, runId) },
      listRuns: () =>
        runs().map((r) => ({
          runId: r.runId,
          procedure: r.procedure,
          startedAt: r.startedAt,
          status: r.status,
          ...(r.currentStepTitle || r.currentStep ? { step: r.currentStepTitle ?? r.currentStep } : {}),
        })),
      resumeRun: (runId) => {
        const journal = readJournal(options.stateDir, runId);
        const procedure = findProcedure(journal.procedure);
        if (!procedure) throw new Error(`procedure ${journal.procedure} of run ${runId} is not built in this version`);
        checkResumable(journal, procedure);
        if (!sameInventory(journal))
          throw new Error(`run ${runId} ran against another inventory: resume it with \`${PROGRAM} resume ${runId} -i …\``);
        if (Object.values(journal.params).includes(SECRET_MARKER)) {
          throw new Error(`run ${runId} has secret parameters: resume it with \`${PROGRAM} resume ${runId}\`, which asks for them`);
        }
        return startProcedureRun({
          procedure,
          params: {},
          inventory,
          runner,
          operator: 'session',
          stateDir: options.stateDir,
          resume: journal,
        });
      },
    });
  } finally {
    await runner.close();
  }
}

/** The runner for an inventory: the DemoRunner for the demo (never the network), else SSH + local. */
export async function createRunnerFor(inventory: Inventory, options: GlobalOptions, io?: MainIO): Promise<Runner> {
  return inventory.source.kind === 'demo' ? demoRunner(inventory, io) : sshRunner(options, io);
}

/** A command the demo could not follow is said on stderr (a command-line run; the console keeps its screen). */
async function demoRunner(inventory: Inventory, io?: MainIO): Promise<Runner> {
  const { DemoRunner } = await import('../demo/runner.js');
  const onUnanswered = io ? (what: string) => io.stderr(`${PROGRAM}: the DEMO cluster does not simulate this: ${what}\n`) : undefined;
  return new DemoRunner({ inventory, ...(onUnanswered ? { onUnanswered } : {}) });
}

async function sshRunner(options: GlobalOptions, io?: MainIO): Promise<Runner> {
  const { createRunner } = await import('../transport/runner.js');
  // A missing ssh2 (dist/day2-tui.js copied without node_modules) is said here once, before any host is asked.
  const { loadSsh2 } = await import('../transport/ssh.js');
  await loadSsh2().catch((err: unknown) => {
    throw new CliError(err instanceof Error ? err.message : String(err));
  });
  const runnerOptions: CreateRunnerOptions = { concurrency: options.concurrency };
  if (options.kubeconfig !== undefined) runnerOptions.localEnv = { KUBECONFIG: checkedKubeconfig(options) };
  if (options.knownHostsFile !== undefined) runnerOptions.knownHostsPath = options.knownHostsFile;
  if (options.identityFile !== undefined) runnerOptions.identityFile = options.identityFile;
  runnerOptions.sshConfig = await operatorSshConfig(io);
  return createRunner(runnerOptions);
}

/** ~/.ssh/config and /etc/ssh/ssh_config; one that cannot be read is one clear error. */
async function operatorSshConfig(io?: MainIO): Promise<SshClientConfig> {
  const { loadSshConfig, localUserName, SshConfigError, strictHostKeyCheckingOff } = await import('../transport/ssh-config.js');
  const { homedir } = await import('node:os');
  try {
    const config = loadSshConfig(homedir(), localUserName());
    const note = strictHostKeyCheckingOff(config);
    if (note) io?.stderr(`${PROGRAM}: ${note}\n`);
    return config;
  } catch (err) {
    if (err instanceof SshConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** The kubeconfig for every oc on the bastion: a file named that is not there is said before any oc runs. */
function checkedKubeconfig(options: GlobalOptions): string {
  const kubeconfig = options.kubeconfig ?? '';
  const named = originText(options.settings.kubeconfig.origin);
  // $KUBECONFIG may be a list (a:b), as for oc itself
  for (const file of kubeconfig.split(':').filter(Boolean)) {
    if (!existsSync(file))
      throw new CliError(`the kubeconfig ${file} (from ${named}) does not exist: give the file \`oc login\` wrote, or leave it out`);
  }
  return kubeconfig;
}

// ---- procedures: plan, run, runs, resume --------------------------------------------------------------

async function checkCommand(command: Extract<ParsedCommand, { kind: 'check' }>, io: MainIO): Promise<number> {
  const { options } = command;
  const inventory = inventoryOf(options);
  const { runCheck, HealthRunError } = await import('./check.js');
  const runner = await createRunnerFor(inventory, options, io);
  try {
    const request: Parameters<typeof runCheck>[0] = {
      inventory,
      runner,
      json: command.json,
      oc: options.ocPath,
      concurrency: options.concurrency,
      color: options.color,
    };
    if (command.only) request.only = command.only;
    if (command.limit) request.limit = command.limit;
    return await runCheck(request, { stdout: io.stdout, stderr: io.stderr, isTTY: io.isTTY, env: io.env });
  } catch (err) {
    if (err instanceof HealthRunError) throw new CliError(err.message);
    throw err;
  } finally {
    await runner.close();
  }
}

async function planCommand(command: Extract<ParsedCommand, { kind: 'plan' }>, io: MainIO): Promise<number> {
  const { planCli } = await import('./procedure.js');
  return planCli(
    { procedure: command.procedure, params: command.params, json: command.json },
    procedureDeps(command.options, io),
    procedureIO(io),
  );
}

async function runCommand(command: Extract<ParsedCommand, { kind: 'run' }>, io: MainIO): Promise<number> {
  const { runCli } = await import('./procedure.js');
  return runCli(
    { procedure: command.procedure, params: command.params, yes: command.yes },
    procedureDeps(command.options, io),
    await procedureIO(io, true),
  );
}

async function runsCommand(command: Extract<ParsedCommand, { kind: 'runs' }>, io: MainIO): Promise<number> {
  const { runsCli } = await import('./procedure.js');
  return runsCli({ json: command.json }, { stateDir: command.options.stateDir }, procedureIO(io));
}

async function resumeCommand(command: Extract<ParsedCommand, { kind: 'resume' }>, io: MainIO): Promise<number> {
  const { resumeCli } = await import('./procedure.js');
  return resumeCli({ runId: command.runId, yes: command.yes }, procedureDeps(command.options, io), await procedureIO(io, true));
}

async function reportCommand(command: Extract<ParsedCommand, { kind: 'report' }>, io: MainIO): Promise<number> {
  const { readJournal } = await import('../engine/journal.js');
  const { buildReport, readRunAudit, reportMarkdown } = await import('../engine/report.js');
  const { stateDir } = command.options;
  const report = buildReport(readJournal(stateDir, command.runId), readRunAudit(stateDir, command.runId));
  io.stdout(command.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report));
  return 0;
}

/** The DEMO's inventory, or the file's with the operator's Ansible settings (read once per command). */
function inventoryOf(options: GlobalOptions): Inventory {
  const source = options.inventory;
  return source.kind === 'demo' ? demoInventory(source.scenario) : readInventoryFile(source, options.ansible?.());
}

/** What the procedure commands need from the command line: the inventory, a runner, the state dir. */
function procedureDeps(options: GlobalOptions, io: MainIO): import('./procedure.js').ProcedureDeps {
  const { inventory } = options;
  return {
    inventory: () => inventoryOf(options),
    inventoryAt: (path) => readInventoryFile({ kind: 'file', path, from: 'flag' }, options.ansible?.()),
    demoInventory,
    inventoryFromFlag: inventory.kind === 'demo' ? inventory.reason === 'flag' : inventory.from !== 'default',
    createRunner: (inv) => createRunnerFor(inv, options, io),
    stateDir: options.stateDir,
  };
}

function procedureIO(io: MainIO): import('./procedure.js').ProcedureIO;
function procedureIO(io: MainIO, interactive: true): Promise<import('./procedure.js').ProcedureIO>;
function procedureIO(io: MainIO, interactive?: true): import('./procedure.js').ProcedureIO | Promise<import('./procedure.js').ProcedureIO> {
  const base = { stdout: io.stdout, stderr: io.stderr, env: io.env };
  if (!interactive) return base;
  // Gates and failures are asked on the terminal only when there is one (else --yes, or exit 3).
  return import('./procedure.js').then(({ terminalAsk }) => (io.isTTY ? { ...base, ask: terminalAsk() } : base));
}

// ---- when this file is the program ------------------------------------------------------------------

/**
 * True in the bundle (dist/day2-tui.js, loaded by bin/day2-tui) and for `node --import tsx src/cli/main.ts`;
 * false when a test imports it.
 */
function isEntryPoint(): boolean {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return true;
  return process.argv[1] !== undefined && resolve(process.argv[1]) === self;
}

if (isEntryPoint()) {
  // `day2-tui list | head`: a closed pipe is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.exitCode = await main();
}

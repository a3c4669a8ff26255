// The declarative procedure format (one file per procedure under procedures/) and the engine's events.
// Core only: no React. A procedure's steps read like the guide's section; the engine (src/engine/run.ts)
// runs them through a Runner, journals every change and writes the audit log.
import type { Check, CommandOutput } from '../checks/types.js';
import type { Host, Inventory, Role } from '../inventory/types.js';
import type { CatalogueEntry, ParameterInfo } from '../model/catalogue.js';
import type { ShellCommand } from '../transport/shell.js';

/** Parameter values by name, as given (`--param k=v`, the form). Secrets are kept out of every record. */
export type Params = Readonly<Record<string, string>>;

export interface ParameterSpec extends ParameterInfo {
  /** Checks a value against the inventory; returns an error sentence naming the value and what to do. */
  validate?: (value: string, inventory: Inventory) => string | undefined;
  /** Values found on a host to choose from (e.g. the backups on the chosen member); typing another stays possible. */
  discover?: ParameterDiscovery;
}

/**
 * How to find a parameter's candidate values on a host: one read-only command and a pure parser. The
 * console lists what it finds (through its runner; the screen never runs it), `run` names it when the
 * parameter is missing.
 */
export interface ParameterDiscovery {
  /** What is looked for, e.g. "etcd backups under /backup". */
  describe: string;
  /** The host the command runs on: the one chosen in this (host) parameter. */
  where: { param: string };
  command: (host: Host, params: Params) => ShellCommand;
  /** The candidates, in the order shown (newest first). */
  parse: (out: CommandOutput, host: Host) => DiscoveredChoice[];
}

export interface DiscoveredChoice {
  value: string;
  /** One line, e.g. the path with its date and size. */
  label: string;
}

/**
 * Where a step runs.
 * - `bastion`: once, on this machine (`oc`, copies).
 * - `param`: the host named by a parameter (e.g. `host`).
 * - `role`: every inventory host of a role, one at a time (`serial`) or all at once (`parallel`).
 * - `hosts`: hosts computed from the parameters/captures (e.g. "the etcd members other than `host`").
 */
export type Placement =
  | { on: 'bastion' }
  | { on: 'param'; param: string }
  | { on: 'role'; role: Role; mode: 'serial' | 'parallel' }
  | { on: 'hosts'; describe: string; hosts: (ctx: StepContext) => Host[]; mode: 'serial' | 'parallel' };

/** What a step's functions see. In `plan`, values captured at run time are placeholders such as `<member-id>`. */
export interface StepContext {
  params: Params;
  inventory: Inventory;
  /** The host this invocation runs on (undefined on the bastion). */
  host?: Host;
  /** Captured values: `get('name')` returns the value captured on this host, else the one captured anywhere. */
  captured: CapturedValues;
  /** The run's start, fixed for the whole run (so `date +%Y%m%d` style names stay the same on resume). */
  startedAt: Date;
  /** True while building a plan: nothing runs, captures are placeholders. */
  planning: boolean;
  /** The procedure's facts (Procedure.facts), gathered before the plan or the run; absent when none were. */
  facts?: HostFacts;
}

export interface CapturedValues {
  get(name: string): string;
  has(name: string): boolean;
}

/**
 * Read-only facts gathered from hosts before a plan or a run, and again on resume (never journalled: a
 * resumed run reads the hosts as they are now), e.g. how each master runs its etcd (static pod or unit).
 * Either one command and a pure parser, or `ask` (several commands: a health check's verdict, fromCheck.ts).
 */
export type FactProbe = CommandProbe | AskProbe;

interface ProbeBase {
  /** The fact's name, e.g. 'control-plane'. */
  name: string;
  /** What is looked at, for the log: "how each master runs etcd, the API and the controllers". */
  describe: string;
  /** The hosts to look at (every one is asked, in parallel). */
  where: (ctx: StepContext) => Host[];
  /** One line for the log, e.g. "etcd static pod, api static pod, controllers static pod". */
  summary?: (value: unknown) => string;
}

export interface CommandProbe extends ProbeBase {
  /** ctx.facts: the facts read before (none at a run's start; all of them for Procedure.look). */
  command: (host: Host, ctx: StepContext) => ShellCommand;
  /** Pure: the fact on this host from the command's output; throws the sentence that says why not. */
  parse: (out: CommandOutput, host: Host) => unknown;
}

export interface AskProbe extends ProbeBase {
  /** The fact on this host from the commands it runs through `run` (read-only); throws the sentence that says why not. */
  ask: (host: Host, ctx: StepContext, run: (command: ShellCommand) => Promise<CommandOutput>) => Promise<unknown>;
}

/** The facts a probe found: per host its value, or the sentence that says why there is none. */
export interface HostFacts {
  /** The value for the host; throws the probe's sentence when it has none (unreachable, unexpected, not probed). */
  get(name: string, host: Host): unknown;
  /** Whether the probe of that name was read at all (false: e.g. a plan drawn before the facts came in). */
  read?(name: string): boolean;
}

/**
 * A check that is waited for: while it says no (it ran and found the state not there yet), it is asked
 * again every `everyMs` until `withinMs` have passed since the first try — a wait the engine does (logged,
 * cancellable), not a loop inside a shell string. A check that cannot run (a lost host, a timeout) is not
 * retried.
 */
export interface WaitPolicy {
  everyMs: number;
  withinMs: number;
}

/** A check made by running a command: `ok` returns true, or the sentence that says what is wrong. */
export interface CommandCheck {
  describe: string;
  command: (ctx: StepContext) => ShellCommand;
  ok: (out: CommandOutput, ctx: StepContext) => true | string;
  until?: WaitPolicy;
}

/** A check made by one of the health checks on the step's host (fromCheck): passes when its verdict is ok. */
export interface CheckVerification {
  describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: any check, whatever its facts
  fromCheck: Check<any, any>;
  until?: WaitPolicy;
}

/** What a step checks before or after its commands. */
export type StepCheck = CommandCheck | CheckVerification;

export type GateKind =
  /** y/N (or --yes). */
  | 'confirm'
  /** The operator must type the name of the host the step runs on (destructive: wiping a data dir,
   * force-new-cluster, removing a member, deleting a node, --force on bare pods). --yes answers it too. */
  | 'type-host';

export interface Gate {
  kind: GateKind;
  /** What will change, in one or two sentences. */
  what: (ctx: StepContext) => string;
  /** The backup that protects it (path on which host), or why none is needed. */
  protectedBy?: (ctx: StepContext) => string;
  /**
   * For 'type-host': the name the operator must type, when it is not the host the step runs on (e.g.
   * the member being removed, while etcdctl runs on a surviving one). Default: the step's host(s).
   */
  expect?: (ctx: StepContext) => string;
}

export interface Step {
  /** Stable id: the journal refers to it (never reuse an id for a different action). */
  id: string;
  /** Reads like the guide: "Stop etcd on every member". */
  title: string;
  /** Guide section, e.g. "4.6.1.2". */
  section?: string;
  where: Placement;
  /**
   * Skipped (status 'skipped', reason logged) when this returns a reason. Evaluated once for the whole
   * step, without a host: a decision that differs per host belongs in `commands` (which see ctx.host).
   */
  skipIf?: (ctx: StepContext) => string | undefined;
  /** Checked before the commands; a failure stops the run before anything changes. */
  precondition?: StepCheck;
  /** The command(s), in order; each goes through the one quoting function (sh/argv). */
  commands: (ctx: StepContext) => ShellCommand[];
  /**
   * Files copied from the step's host to the bastion over SFTP (Runner.download), after `commands`, in
   * order; each is logged and audited like a command (`sftp get host:remote → local`) and fails the step
   * like one. Host placements only. SFTP reads as the login user: with become, copy root-only files to a
   * readable place first (in `commands`).
   */
  downloads?: (ctx: StepContext) => { remote: string; local: string }[];
  /**
   * Files copied from the bastion to the step's host over SFTP (Runner.upload), after `commands` and
   * before `downloads`, in order; logged and audited like a command (`sftp put local → host:remote`),
   * failing the step like one. Host placements only. SFTP writes as the login user: upload to a place
   * that user can write (e.g. /tmp) and let a root command move it on.
   */
  uploads?: (ctx: StepContext) => { local: string; remote: string }[];
  /** Named values parsed from the outputs of this step's commands (last command's output by default). */
  capture?: Record<string, (outputs: CommandOutput[], ctx: StepContext) => string>;
  /**
   * Captures that are secrets (a token, a password read from a Secret): redacted by value wherever they
   * would be written, and kept out of the journal (SECRET_MARKER there; not known after a restart). A
   * capture is a secret also when it holds a secret value, or when a command of the step prints tokens.
   */
  secretCaptures?: readonly string[];
  /** Checked after the commands; on resume, re-run first for an interrupted step. */
  verify?: StepCheck;
  /** Changes something that cannot simply be run again or undone: never skipped on failure, never
   * repeated on resume without a fresh gate. */
  destructive?: boolean;
  /**
   * Guards a destructive step that comes after it (the backup verified, the quorum arithmetic, etcd really
   * stopped, a preflight): on a failure the operator may retry or abort, never skip, so that a later gate's
   * "protected by … verified" is true whenever the run gets there.
   */
  guard?: boolean;
  gate?: Gate;
  /** Per command; default 5 minutes. */
  timeoutMs?: number;
  /** Commands that may legitimately exit non-zero (e.g. `systemctl stop` of an inactive unit). */
  allowFailure?: boolean;
  /**
   * A command streamed on the step's host while the step's commands run there (e.g. `journalctl -f -n 0
   * -u etcd.service`: the service's journal during a start-up). Its lines reach the snapshot as the
   * 'journal' stream; it is ended (the remote process group killed) when the commands end; it never
   * changes the step's status. Audited like a command.
   */
  follow?: (ctx: StepContext) => ShellCommand;
}

// ---- observations beside the steps -------------------------------------------------------------------

export type PanelTone = 'ok' | 'bad' | 'warn';

/** One line of a panel: an optional short label in front (a host name: the screen may shorten it). */
export interface PanelLine {
  label?: string;
  text: string;
  tone?: PanelTone;
}

/** What a panel shows: a one-line summary and one line per row (e.g. per etcd member). */
export interface PanelView {
  summary: PanelLine;
  rows: PanelLine[];
}

/**
 * A read-only observation the engine runs at the start of a run, after every step that ran and after a
 * failure (e.g. the etcd members and quorum), shown beside the steps. Never changes a step's status.
 */
export interface Panel {
  title: string;
  /** Hosts to run the command on, tried in order until one runs it (a host that cannot be reached is skipped). */
  where: (ctx: StepContext) => Host[];
  command: (ctx: StepContext) => ShellCommand;
  /** Pure: the view from the command's output (exit code, stdout, stderr). */
  parse: (out: CommandOutput, ctx: StepContext) => PanelView;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
}

/** The latest panel of a run (snapshot, RunResult). */
export interface PanelSnapshot {
  title: string;
  view: PanelView;
  /** ISO time the observation was taken. */
  takenAt: string;
  /** The host it ran on; null when no host could run it. */
  host: string | null;
  /** "at the start", "after step 4/12", "after the failure of step 5/12". */
  when: string;
}

/** Where a step stands, as the journal has it (for whereItStands). Host keys: names, '(bastion)'. */
export interface StepProgress {
  status: StepStatus;
  destructiveBegun: boolean;
  hosts: Readonly<Record<string, StepStatus>>;
}

/** What whereItStands sees: the run's values (captures included) and every step's progress. */
export interface StandingContext extends StepContext {
  runId: string;
  outcome: 'failed' | 'aborted' | 'stopped-at-gate';
  steps: Readonly<Record<string, StepProgress>>;
  /** The latest panel, if the procedure has one. */
  panel?: PanelSnapshot;
  /** Procedure.look as read from the hosts when the run stopped (absent: the procedure has none, or nothing ran). */
  look?: HostFacts;
}

/** After a run that did not finish: the state of the cluster now and the next safe action. */
export interface WhereItStands {
  /** What is true now, one sentence each (which members run, which data dirs were moved where, …). */
  state: string[];
  /** The next safe action, in one or two sentences. */
  next: string;
  /** What to keep or not to do meanwhile ("the backup is untouched at …", "do not delete … until …"). */
  cautions?: string[];
}

export interface Procedure {
  /** The catalogue entry (id, title, section, risk, parameters as shown by `list`). */
  entry: CatalogueEntry;
  parameters: ParameterSpec[];
  steps: Step[];
  /** An observation shown beside the steps, refreshed at the start, after every step and after a failure. */
  panel?: Panel;
  /** Facts read from the hosts before the plan and the run (and again on resume), seen by steps as ctx.facts. */
  facts?: FactProbe[];
  /**
   * Checked on the facts before anything runs (and shown by plan): a sentence refuses the run, e.g. a
   * procedure that does not yet know how to stop a static pod refuses on a static-pod master.
   */
  refuse?: (ctx: StepContext) => string | undefined;
  /**
   * After a failed, aborted or gate-stopped run: where the cluster stands and the next safe action
   * (the console and the CLI show it). `stoppedAt`: the step the run stopped at.
   */
  whereItStands?: (ctx: StandingContext, stoppedAt: string | undefined) => WhereItStands;
  /**
   * Read-only probes run when a run stops without finishing, before whereItStands (as ctx.look): how the
   * hosts are now, since the journal knows what was sent, not what a half-done command left behind.
   */
  look?: FactProbe[];
}

// ---- what the engine reports (the screens and the CLI render these) -----------------------------------

export type StepStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'interrupted';

export type EngineEvent =
  | { type: 'run-start'; runId: string; procedure: string }
  | { type: 'step-start'; step: string; hosts: string[] }
  | { type: 'command'; step: string; host: string | null; command: string }
  | { type: 'line'; step: string; host: string | null; stream: 'stdout' | 'stderr' | 'journal'; text: string }
  | { type: 'panel'; panel: PanelSnapshot }
  | { type: 'step-end'; step: string; status: StepStatus; message?: string; durationMs: number }
  | { type: 'gate'; step: string; gate: ResolvedGate }
  | { type: 'failure'; step: string; command: string; host: string | null; exitCode: number | null; tail: string; choices: FailureChoice[] }
  | { type: 'run-end'; status: 'ok' | 'failed' | 'aborted' | 'stopped-at-gate' };

export interface ResolvedGate {
  step: string;
  kind: GateKind;
  what: string;
  hosts: string[];
  protectedBy?: string;
  /** For 'type-host': the name that must be typed. */
  expect?: string;
}

export type FailureChoice = 'retry' | 'skip' | 'abort';

/** How the engine asks: the console answers from the modal, the CLI from --yes (or stops with exit 3). */
export interface Operator {
  gate(gate: ResolvedGate): Promise<boolean>;
  failure(choices: FailureChoice[], info: { step: string; command: string; exitCode: number | null; tail: string }): Promise<FailureChoice>;
}

/** A resolved plan (`day2-tui plan`): every command that can be resolved before anything runs. */
export interface PlanStep {
  id: string;
  title: string;
  section?: string;
  where: string;
  hosts: string[];
  destructive: boolean;
  gate?: { kind: GateKind; what: string; protectedBy?: string; expect?: string };
  /** The command streamed beside the step's commands (Step.follow), per the first host. */
  follow?: string;
  precondition?: string;
  verify?: string;
  /** Per host (null = bastion): the exact command text, secrets redacted, run-time captures as <placeholders>. */
  commands: { host: string | null; command: string }[];
  skipped?: string;
}

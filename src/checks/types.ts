// A health check: where it runs, the command(s), a pure parser, and a pure verdict with the fix.
// One check per file under src/checks/; the runner that fans them out over hosts lives elsewhere.
import type { Host, Inventory, Role } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import type { CommandOutput } from '../transport/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'error' | 'skipped';

// What one command printed: defined beside the runners (src/ocp reads it too, and imports nothing from
// the checks); every check still names it from here.
export type { CommandOutput };

export interface Fix {
  /** A procedure id of the catalogue that repairs it, when there is one. */
  procedure?: string;
  /**
   * Opened from the failed cell (Health's `f`), the procedure's parameter that gets the cell's host; null: none
   * (e.g. a restore goes on the member holding the backup, not on the one that failed). Unset: the first host
   * parameter of a role the host has.
   */
  hostParam?: string | null;
  /** One sentence an administrator can act on. */
  text: string;
}

export interface Verdict {
  status: CheckStatus;
  /** One line, in the operator's words; names the host/member at fault. */
  message: string;
  /** The parsed facts that led to the verdict (shown on Enter, and in `check --json` as details). */
  details?: Record<string, unknown>;
  fix?: Fix;
  /**
   * The measurement could not decide (the ntp check's clock bracket too wide: the bastion was busy): the
   * health run takes the cell again a little later, twice at most, and settles it with this verdict only
   * when the last try still cannot decide. Not shown.
   */
  again?: boolean;
}

export interface CheckContext {
  inventory: Inventory;
  /** The `oc` binary to call on the bastion (`--oc PATH`, default `oc`). */
  oc: string;
  /** The bastion's clock (ms since the epoch): injectable, so that a verdict about "how long ago" is testable. */
  now(): number;
}

/** Where a check runs: on each host that has one of the roles (over SSH), or once on the bastion (`oc`). */
export type CheckPlacement = { on: 'hosts'; roles: Role[] } | { on: 'bastion' };

/**
 * Optional first stage of a host check that needs one cluster fact the hosts cannot know (the registry's
 * address or service IP): run once on the bastion before the host commands; the parsed value is handed to
 * `commands` and `parse` of every host. Its parse must not throw: a missing fact is a value the host
 * verdict explains (e.g. "no internal registry").
 */
export interface PreStage<Pre> {
  commands(ctx: CheckContext): Record<string, ShellCommand>;
  parse(outputs: Record<string, CommandOutput>, ctx: CheckContext): Pre;
}

/** One host cell of a check, as `across` sees it. */
export interface AcrossCell<Facts> {
  host: Host;
  /** Its facts; absent when its commands could not run (host unreachable, timeout) or were not understood. */
  facts?: Facts;
  /** Its own verdict (from `verdict`, or the error that stopped it). */
  verdict: Verdict;
}

export interface Check<Facts = unknown, Pre = undefined> {
  id: string;
  title: string;
  /** Guide section, e.g. "3.3". */
  section: string;
  placement: CheckPlacement;
  /**
   * Hand this check's commands to a host only once its connection is open (the run asks the runner to
   * open it first): the ntp check brackets a host's `date` between handing over and answer, and a
   * connection being made in between would only widen the bracket.
   */
  warmConnection?: boolean;
  /** Bastion stage for a host check (see PreStage); absent for most checks. */
  pre?: PreStage<Pre>;
  /**
   * The commands to run, by name. For a bastion check `host` is undefined. Each command is built with
   * `sh`/`argv` (src/transport/shell.ts) so that nothing from the inventory becomes shell syntax.
   */
  commands(host: Host | undefined, ctx: CheckContext, pre?: Pre): Record<string, ShellCommand>;
  /** Pure: outputs (same keys as commands) → facts. Throws only on output it cannot make sense of. */
  parse(outputs: Record<string, CommandOutput>, host: Host | undefined, ctx: CheckContext, pre?: Pre): Facts;
  /** Pure: facts → verdict with message and fix. */
  verdict(facts: Facts, host: Host | undefined, ctx: CheckContext): Verdict;
  /**
   * Optional, host checks only: a comparison across the hosts of the run (tun0 has the same MTU on every
   * node; what the masters saw of each node's kubelet port). The run holds every host cell of the check
   * (shown running) until all of them have their own verdict, then settles them with these verdicts, one
   * per cell, same order. Pure.
   */
  across?(cells: readonly AcrossCell<Facts>[], ctx: CheckContext): Verdict[];
}

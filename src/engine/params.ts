// Parameter validation: required, choices (a host of an inventory role, or a fixed list), the
// procedure's own `validate`, unknown names. Every error names the parameter and what to do.

import { hostsOfRole, roleHostsWords } from '../inventory/hosts.js';
import type { Inventory } from '../inventory/types.js';
import type { Params, Procedure } from './types.js';

export class ParamError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ParamError';
  }
}

function list(names: string[], max = 6): string {
  if (names.length === 0) return 'none';
  return names.length > max ? `${names.slice(0, max).join(', ')}, … (${names.length})` : names.join(', ');
}

export interface ValidateOptions {
  /** For `plan`: a missing secret is not an error (the plan shows «redacted» anyway). */
  allowMissingSecrets?: boolean;
}

/**
 * Checks the values against the procedure's parameters and the inventory; returns the values with
 * defaults filled in. Throws ParamError listing every problem.
 */
export function validateParams(
  procedure: Procedure,
  given: Params,
  inventory: Inventory,
  options: ValidateOptions = {},
): Record<string, string> {
  const id = procedure.entry.id;
  const problems: string[] = [];
  const out: Record<string, string> = {};
  const known = procedure.parameters.map((p) => p.name);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) problems.push(`${id} has no parameter '${name}' (its parameters: ${list(known)})`);
  }
  for (const spec of procedure.parameters) {
    const raw = given[spec.name];
    const value = raw === undefined || raw === '' ? spec.default : raw;
    if (value === undefined || value === '') {
      if (spec.required && !(spec.secret && options.allowMissingSecrets)) {
        let how = `--param ${spec.name}=…`;
        if (spec.choices && 'fromRole' in spec.choices)
          how +=
            ` with one of the ${roleHostsWords(spec.choices.fromRole)}: ` +
            `${list(hostsOfRole(inventory, spec.choices.fromRole).map((h) => h.name))}`;
        else if (spec.choices) how += ` with one of ${spec.choices.values.join(', ')}`;
        problems.push(`parameter '${spec.name}' is required (${spec.description}): give ${how}`);
      }
      continue;
    }
    if (spec.choices && 'fromRole' in spec.choices) {
      const hosts = hostsOfRole(inventory, spec.choices.fromRole);
      if (!hosts.some((h) => h.name === value)) {
        problems.push(
          `parameter '${spec.name}': '${value}' is not ` +
            `${spec.choices.fromRole === 'any' ? 'a host' : `a ${spec.choices.fromRole} host`} of the inventory (choose ` +
            `one of: ${list(hosts.map((h) => h.name))})`,
        );
        continue;
      }
    } else if (spec.choices && !spec.choices.values.includes(value)) {
      problems.push(
        `parameter '${spec.name}' must be one of ${spec.choices.values.join(', ')}, not '${spec.secret ? '«redacted»' : value}'`,
      );
      continue;
    }
    if (spec.validate) {
      const why = spec.validate(value, inventory);
      if (why) {
        problems.push(`parameter '${spec.name}': ${why}`);
        continue;
      }
    }
    out[spec.name] = value;
  }
  if (problems.length > 0) throw new ParamError(problems);
  return out;
}

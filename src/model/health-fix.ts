// From a health cell to the procedure that repairs it: the fix's procedure, opened with the cell's host
// filled in where the procedure asks for a host of that host's role (the operator still reviews the form).
import { hostsOfRole } from '../inventory/hosts.js';
import type { Inventory } from '../inventory/types.js';
import type { CatalogueEntry, ParameterInfo } from './catalogue.js';
import type { CheckResult } from './health.js';

export type FixTarget = { id: string; prefill: Record<string, string> } | { message: string };

/**
 * The procedure of the cell's fix and its prefilled parameters. Only the first host parameter whose role the
 * cell's host has is filled: a second one (etcd-replace's `new`) is the operator's choice, not the failing host.
 */
export function fixTarget(
  result: CheckResult | undefined,
  runnable: (id: string) => { parameters: readonly ParameterInfo[] } | undefined,
  catalogue: readonly CatalogueEntry[],
  inventory: Inventory,
): FixTarget {
  if (!result) return { message: 'This check does not apply here (blank cell): nothing to fix.' };
  const id = result.fix?.procedure;
  if (!id) return { message: `${result.check}: no procedure repairs this${result.fix ? ` — ${result.fix.text}` : ''}.` };
  const procedure = runnable(id);
  if (!procedure) {
    const known = catalogue.some((e) => e.id === id);
    return {
      message: known ? `${id} is not built yet: ${result.fix?.text}` : `${result.check}: its fix names ${id}, not in the catalogue.`,
    };
  }
  const host = inventory.hosts.find((h) => h.name === result.host);
  const param =
    host &&
    procedure.parameters.find((p) => p.choices && 'fromRole' in p.choices && hostsOfRole(inventory, p.choices.fromRole).includes(host));
  return { id, prefill: host && param ? { [param.name]: host.name } : {} };
}

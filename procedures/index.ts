// Every built procedure, by id. A procedure is built when it has a file here; the catalogue's `built`
// flag follows from this list.
import type { Procedure } from '../src/engine/types.js';

export const PROCEDURES: readonly Procedure[] = [];

export function findProcedure(id: string): Procedure | undefined {
  return PROCEDURES.find((p) => p.entry.id === id);
}

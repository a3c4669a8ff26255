// Health: every check × every host as a matrix of symbols that fill in as results arrive, the counts
// per status above it, and the selected cell's check, host and message under it.
import { Box } from 'ink';
import type { Inventory } from '../src/inventory/types.js';
import type { HealthSnapshot } from '../src/model/health.js';
import { buildMatrix, effectiveCell, hasCell, type HealthView } from '../src/model/health-view.js';
import { HealthMatrix } from './components/HealthMatrix.js';
import { HealthStatusLine } from './components/HealthStatusLine.js';
import { Txt } from './theme.js';

export interface HealthProps {
  inventory: Inventory;
  /** Undefined: no health run (none could be started). */
  snapshot: HealthSnapshot | undefined;
  view: HealthView;
  width: number;
  height: number;
}

export function Health({ inventory, snapshot, view, width, height }: HealthProps) {
  if (!snapshot) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Txt tone="warn" bold wrap="wrap">
          {'! Health checks are not available in this console (no health runner was given). Run `day2-tui check` from the shell instead.'}
        </Txt>
        <Txt dim>Esc back to Home.</Txt>
      </Box>
    );
  }
  const matrix = buildMatrix(inventory, snapshot, view);
  const { row, check } = effectiveCell(matrix, (r, c) => hasCell(snapshot, r, c), view);
  const empty = view.filter
    ? `nothing matches "${view.filter}" (a host name or role, a check id; Esc clears it)`
    : view.problemsOnly
      ? snapshot.done
        ? '✓ no warn, fail or error: every check passed (p shows everything)'
        : 'no warn, fail or error so far; checks still running (p shows everything)'
      : 'no check applies to the hosts of this run';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <HealthStatusLine snapshot={snapshot} />
      <HealthMatrix
        matrix={matrix}
        snapshot={snapshot}
        row={row}
        check={check}
        filter={view.filter}
        problemsOnly={view.problemsOnly}
        width={width}
        height={Math.max(6, height - 1)}
        empty={empty}
      />
    </Box>
  );
}

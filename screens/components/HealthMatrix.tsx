// The health matrix: a fixed host column, then one narrow column per check that scrolls sideways to
// keep the selected cell in view ("‹ 3 more" / "5 more ›" say what is hidden), rows scroll up and down.
// Each cell is one symbol (✓ ! ✗ E - … ·, blank: does not apply), coloured only as an extra.

import { Box, Text } from 'ink';
import { useRef } from 'react';
import { cellKey, type HealthSnapshot } from '../../src/model/health.js';
import { CLUSTER_ROW, cellSymbol, checkMeta, columnWindow, hostOfRow, type Matrix, STATUS_LABELS } from '../../src/model/health-view.js';
import { scrollOffset } from '../../src/model/home.js';
import { fit, truncate } from '../../src/model/text.js';
import { Txt, useToneColor } from '../theme.js';

export interface HealthMatrixProps {
  matrix: Matrix;
  snapshot: HealthSnapshot;
  /** Effective selection (already valid for the matrix, or undefined when empty). */
  row?: string;
  check?: string;
  /** Shown in the title. */
  filter: string;
  problemsOnly: boolean;
  width: number;
  /** Total height, border included. */
  height: number;
  /** Shown instead of rows when the matrix is empty. */
  empty: string;
}

const HOST_HEADER = 'host \\ check';

/** Width of the fixed host column, marker included. */
export function hostColumnWidth(matrix: Matrix, inner: number): number {
  let longest = HOST_HEADER.length;
  for (const r of matrix.rows) longest = Math.max(longest, [...r.label].length + (r.kind === 'row' ? 2 : 0));
  return Math.min(longest + 1, Math.max(HOST_HEADER.length + 1, Math.floor(inner / 3)));
}

function centred(symbol: string, width: number): string {
  const inner = width - 1;
  const before = Math.floor((inner - 1) / 2);
  return ' '.repeat(before) + symbol + ' '.repeat(Math.max(0, width - before - 1));
}

export function HealthMatrix({ matrix, snapshot, row, check, filter, problemsOnly, width, height, empty }: HealthMatrixProps) {
  const borderColor = useToneColor('accent');
  const inner = Math.max(10, width - 2);
  const hostW = hostColumnWidth(matrix, inner);
  const selCol = check === undefined ? -1 : matrix.checkIds.indexOf(check);
  const prevStart = useRef(0);
  const win = columnWindow(
    matrix.columns.map((c) => c.width),
    inner - hostW,
    prevStart.current,
    selCol,
  );
  prevStart.current = win.start;
  const cols = matrix.columns.slice(win.start, win.end);

  // Title, column headers and the selected cell's line take 3 of the inner lines.
  const listHeight = Math.max(1, height - 2 - 3);
  const selRow = row === undefined ? -1 : matrix.rows.findIndex((r) => r.key === row);
  const prevTop = useRef(0);
  let top = scrollOffset(prevTop.current, selRow, listHeight, matrix.rows.length);
  if (selRow > 0 && top === selRow && matrix.rows[selRow - 1]?.kind === 'header') top--;
  prevTop.current = top;
  const visible = matrix.rows.slice(top, top + listHeight);
  const below = Math.max(0, matrix.rows.length - top - visible.length);
  const vscroll =
    matrix.rows.length > listHeight
      ? `${top > 0 ? `↑${top} ` : ''}rows ${top + 1}-${top + visible.length}/${matrix.rows.length}${below ? ` ↓${below}` : ''}`
      : '';

  const hostCount = matrix.rowKeys.filter((k) => k !== CLUSTER_ROW).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const title =
    `▶ HEALTH  ${plural(matrix.checkIds.length, 'check')} × ${plural(hostCount, 'host')}` +
    `${matrix.domain ? ` *${matrix.domain}` : ''}${filter ? `  /${filter}` : ''}`;

  // A problem in a scrolled-off column must not hide behind "n more": the worst one's symbol rides along
  // ("9 more ✗ ›") when there is room for it, so the counts above and the visible cells agree.
  const worstHidden = (checks: readonly string[]): string => {
    for (const status of ['fail', 'error', 'warn'] as const) {
      for (const c of checks)
        for (const r of matrix.rows)
          if (r.kind === 'row' && snapshot.results.get(cellKey(c, r.host))?.status === status) return ` ${STATUS_LABELS[status].symbol}`;
    }
    return '';
  };
  const leftHint = worstHidden(matrix.checkIds.slice(0, win.start));
  const rightHint = worstHidden(matrix.checkIds.slice(win.end));
  const leftMarker =
    win.left > 0
      ? `‹ ${win.left} more${leftHint}`.length <= hostW - 1
        ? `‹ ${win.left} more${leftHint}`
        : `‹ ${win.left} more`
      : HOST_HEADER;
  const slack = inner - hostW - cols.reduce((a, c) => a + c.width, 0);
  const rightMarker =
    win.right > 0
      ? [...` ${win.right} more${rightHint} ›`].length <= slack
        ? ` ${win.right} more${rightHint} ›`
        : ` ${win.right} more ›`
      : '';

  const selected = row !== undefined && check !== undefined ? snapshot.results.get(cellKey(check, hostOfRow(row))) : undefined;
  let info = '';
  if (check !== undefined && row !== undefined) {
    const meta = checkMeta(check);
    const where = row === CLUSTER_ROW ? 'cluster-wide' : (matrix.rows.find((r) => r.key === row)?.label ?? row);
    const verdict = selected
      ? `${STATUS_LABELS[selected.status].symbol} ${STATUS_LABELS[selected.status].word}${selected.message ? ` — ${selected.message}` : ''}`
      : 'does not apply (blank)';
    // The check's title while there is room for it; the message matters more.
    const full = `${check} (${meta.title}, §${meta.section}) on ${where}: ${verdict}`;
    info = [...full].length <= inner ? full : `${check} on ${where}: ${verdict}`;
  }
  const infoTone = selected ? STATUS_LABELS[selected.status].tone : undefined;

  return (
    <Box flexDirection='column' width={width} height={height} borderStyle='double' borderColor={borderColor} overflow='hidden'>
      <Box width={inner} height={1}>
        <Box flexGrow={1} flexShrink={1}>
          <Txt bold wrap='truncate'>
            {title}
          </Txt>
          {problemsOnly ? (
            <Txt bold inverse wrap='truncate'>
              {' PROBLEMS ONLY '}
            </Txt>
          ) : null}
        </Box>
        {vscroll ? <Text dimColor>{` ${vscroll}`}</Text> : null}
      </Box>
      {matrix.rows.length === 0 ? (
        <Txt dim wrap='truncate'>
          {empty}
        </Txt>
      ) : (
        <>
          <Box width={inner} height={1} overflow='hidden'>
            <Text wrap='truncate'>
              <Txt dim={win.left === 0} bold={win.left > 0}>
                {fit(leftMarker, hostW)}
              </Txt>
              {cols.map((c) => (
                <Text key={c.check}>
                  <Txt inverse={c.check === check} bold={c.check === check} underline={c.check !== check}>
                    {c.header}
                  </Txt>
                  {' '.repeat(Math.max(0, c.width - [...c.header].length))}
                </Text>
              ))}
              <Txt bold>{rightMarker}</Txt>
            </Text>
          </Box>
          {visible.map((r) => {
            if (r.kind === 'header') {
              return (
                <Box key={r.key} width={inner} height={1} overflow='hidden'>
                  <Txt bold wrap='truncate'>
                    {fit(`${r.label.toUpperCase()} (${r.count})`, hostW)}
                  </Txt>
                </Box>
              );
            }
            const isSel = r.key === row;
            return (
              <Box key={r.key} width={inner} height={1} overflow='hidden'>
                <Text wrap='truncate'>
                  <Txt bold={isSel}>{fit(`${isSel ? '› ' : '  '}${r.label}`, hostW)}</Txt>
                  {cols.map((c) => {
                    const res = snapshot.results.get(cellKey(c.check, r.host));
                    const here = isSel && c.check === check;
                    const label = res ? STATUS_LABELS[res.status] : undefined;
                    const text = centred(cellSymbol(res), c.width);
                    if (here) {
                      // The selected cell: inverse, and brackets around the symbol that survive any terminal.
                      const w = c.width - 1;
                      const sym = cellSymbol(res);
                      const before = Math.floor((w - 3) / 2);
                      const content = w >= 3 ? `${' '.repeat(before)}[${sym}]${' '.repeat(w - 3 - before)}` : text.slice(0, w);
                      return (
                        <Text key={c.check}>
                          <Txt tone={label?.tone} bold inverse>
                            {content}
                          </Txt>{' '}
                        </Text>
                      );
                    }
                    return (
                      <Txt
                        key={c.check}
                        tone={label?.tone}
                        bold={res?.status === 'fail' || res?.status === 'error'}
                        dim={res?.status === 'pending' || res?.status === 'skipped'}
                      >
                        {text}
                      </Txt>
                    );
                  })}
                </Text>
              </Box>
            );
          })}
        </>
      )}
      <Box flexGrow={1} />
      <Box width={inner} height={1}>
        <Txt tone={infoTone} wrap='truncate'>
          {truncate(info, inner)}
        </Txt>
      </Box>
    </Box>
  );
}

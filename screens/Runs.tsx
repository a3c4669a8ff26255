// Past and interrupted runs (from the journals), newest first. Enter on an interrupted one offers to
// resume it; on a run of this console, opens it.
import { Box, Text, type Key } from 'ink';
import { moveSelection, scrollOffset } from '../src/model/home.js';
import { formatStarted, resumable, RUN_STATUS_MARKS, sortRuns, type RunSummary } from '../src/model/runs-view.js';
import { fit, truncate } from '../src/model/text.js';
import { useKeys, useLatestState, type BindKeys } from './hooks/useKeys.js';
import { Txt } from './theme.js';

export interface RunsProps {
  runs: readonly RunSummary[];
  /** Run ids this console holds a live session for (Enter opens them). */
  live: ReadonlySet<string>;
  /** Returns an error sentence when it could not resume. */
  onResume?: (runId: string) => string | undefined;
  onOpen: (runId: string) => void;
  onBack: () => void;
  onGlobal: (what: 'quit' | 'help') => void;
  width: number;
  height: number;
  active: boolean;
  /** The App's key router (see useKeys). */
  bindKeys?: BindKeys;
  /** Why no list (no journal reader wired, or it failed). */
  problem?: string;
}

interface Local {
  selected?: string;
  confirm?: string;
  note?: string;
  offset: number;
}

export function Runs({ runs, live, onResume, onOpen, onBack, onGlobal, width, height, active, problem, bindKeys }: RunsProps) {
  const sorted = sortRuns(runs);
  const ids = sorted.map((r) => r.runId);
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ selected: ids[0], offset: 0 }));
  const sel = local.selected !== undefined && ids.includes(local.selected) ? local.selected : ids[0];

  useKeys((input: string, key: Key) => {
    const l = getLocal();
    const cur = l.selected !== undefined && ids.includes(l.selected) ? l.selected : ids[0];
    const run = sorted.find((r) => r.runId === cur);
    if (l.confirm) {
      if ((input === 'y' || input === 'Y') && onResume) {
        const err = onResume(l.confirm);
        return setLocal({ ...l, confirm: undefined, note: err });
      }
      return setLocal({ ...l, confirm: undefined, note: 'Not resumed.' });
    }
    if (input === 'q') return onGlobal('quit');
    if (input === '?') return onGlobal('help');
    if (key.escape) return onBack();
    if (input === 'j' || key.downArrow) return setLocal({ ...l, selected: moveSelection(ids, cur, 1), note: undefined });
    if (input === 'k' || key.upArrow) return setLocal({ ...l, selected: moveSelection(ids, cur, -1), note: undefined });
    if (input === 'g' || key.home) return setLocal({ ...l, selected: ids[0], note: undefined });
    if (input === 'G' || key.end) return setLocal({ ...l, selected: ids[ids.length - 1], note: undefined });
    if (key.return && run) {
      if (live.has(run.runId)) return onOpen(run.runId);
      if (!resumable(run)) return setLocal({ ...l, note: `${run.runId} ${RUN_STATUS_MARKS[run.status].word}: only an interrupted run can be resumed.` });
      if (!onResume) return setLocal({ ...l, note: 'Resuming is not available in this build (the engine is not wired).' });
      return setLocal({ ...l, confirm: run.runId, note: undefined });
    }
  }, active, bindKeys);

  const listHeight = Math.max(1, height - 3);
  const index = sel === undefined ? -1 : ids.indexOf(sel);
  const offset = scrollOffset(local.offset, index, listHeight, sorted.length);
  const shown = sorted.slice(offset, offset + listHeight);
  const confirmRun = local.confirm ? sorted.find((r) => r.runId === local.confirm) : undefined;
  const bottom = confirmRun
    ? `Resume ${confirmRun.procedure} ${confirmRun.runId}? It re-checks the interrupted step first and asks again before any destructive step.  y resume · n no`
    : (local.note ?? (sorted.length ? 'Enter: resume an interrupted run (! INTERRUPTED) or open a run of this session' : ''));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Txt bold wrap="truncate">
        {`RUNS — ${sorted.length} journal${sorted.length === 1 ? '' : 's'}, newest first${sorted.length > listHeight ? ` (${offset + 1}-${offset + shown.length})` : ''}`}
      </Txt>
      <Txt dim wrap="truncate">
        {fit('  status          started           procedure          run id / step', width)}
      </Txt>
      <Box flexDirection="column" height={listHeight}>
        {problem ? (
          <Txt tone="warn">{problem}</Txt>
        ) : sorted.length === 0 ? (
          <Txt dim>No runs yet: a run's journal appears here once it starts.</Txt>
        ) : (
          shown.map((r) => {
            const m = RUN_STATUS_MARKS[r.status];
            const on = r.runId === sel;
            const isLive = live.has(r.runId);
            const text = `${on ? '› ' : '  '}${fit(`${m.mark} ${m.word}`, 15)} ${fit(formatStarted(r.startedAt), 17)} ${fit(r.procedure, 18)} ${r.runId}${r.step ? ` — at ${r.step}` : ''}${isLive ? ' (this session)' : ''}`;
            return (
              <Box key={r.runId} width={width} height={1}>
                <Txt inverse={on} bold={on || r.status === 'interrupted'} tone={on ? undefined : m.tone} wrap="truncate">
                  {truncate(text, width)}
                </Txt>
              </Box>
            );
          })
        )}
      </Box>
      <Text wrap="truncate">
        <Txt tone={confirmRun ? 'warn' : undefined} bold={!!confirmRun} inverse={!!confirmRun}>
          {bottom}
        </Txt>
      </Text>
    </Box>
  );
}

// Past and interrupted runs (from the journals), newest first. Enter on an interrupted one offers to
// resume it; on a run of this console, opens it. Its keys: RUNS_KEYS (handler, footer, its part of `?`).
import { Box, Text } from 'ink';
import { moveSelection, scrollOffset } from '../src/model/home.js';
import { formatStarted, RUN_STATUS_MARKS, type RunSummary, resumable, runName, runsColumns, sortRuns } from '../src/model/runs-view.js';
import { fit, truncate } from '../src/model/text.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { Txt } from './theme.js';

export interface RunsProps extends ScreenFrameProps {
  runs: readonly RunSummary[];
  /** Run ids this console holds a live session for (Enter opens them). */
  live: ReadonlySet<string>;
  /** Returns an error sentence when it could not resume. */
  onResume?: (runId: string) => string | undefined;
  onOpen: (runId: string) => void;
  /** Shows a run's record for the ticket (any run). */
  onRecord?: (runId: string) => void;
  /** Why no list (no journal reader wired, or it failed). */
  problem?: string;
}

interface Local {
  selected?: string;
  confirm?: string;
  note?: string;
  offset: number;
}

/** What the Runs keys act on. */
export interface RunsKeyContext extends GlobalContext {
  local: Local;
  ids: readonly string[];
  sorted: readonly RunSummary[];
  live: ReadonlySet<string>;
  set: (patch: Partial<Local>) => void;
  onResume?: (runId: string) => string | undefined;
  onOpen: (runId: string) => void;
  onRecord?: (runId: string) => void;
  onBack: () => void;
}

type C = RunsKeyContext;
const current = (c: C) => (c.local.selected !== undefined && c.ids.includes(c.local.selected) ? c.local.selected : c.ids[0]);
const asking = (c: C) => !!c.local.confirm;
const inList = (c: C) => !c.local.confirm;

/** The Runs screen's keys: the list, and the question before a resume. */
export const RUNS_KEYS: Keymap<RunsKeyContext> = [
  // "Resume …? y resume · n no"
  {
    keys: ['y', 'Y'],
    label: 'y',
    when: (c) => asking(c) && !!c.onResume,
    footer: 'resume',
    description: 'while asked: resume the run (it re-checks the interrupted step first)',
    action: (c) => c.set({ confirm: undefined, note: c.onResume!(c.local.confirm!) }),
  },
  {
    keys: ['any'],
    when: asking,
    footer: 'not now',
    description: 'while asked: do not resume',
    action: (c) => c.set({ confirm: undefined, note: 'Not resumed.' }),
  },
  // the list; exactly as before in the footer: ↑↓ move (j/k and the rest of the movement keys go unsaid)
  ...movementKeys<C>({
    when: inList,
    move: (c, d) => c.set({ selected: moveSelection(c.ids, current(c), d), note: undefined }),
    what: 'the selection',
    footer: ['↑↓', 'move'],
  }),
  {
    keys: ['enter'],
    when: inList,
    footer: 'open',
    description: 'an interrupted run (! INTERRUPTED): offer to resume it; a run of this session: open it; any other: its record',
    action: (c) => {
      const run = c.sorted.find((r) => r.runId === current(c));
      if (!run) return;
      if (c.live.has(run.runId)) return c.onOpen(run.runId);
      if (!resumable(run)) {
        if (c.onRecord) return c.onRecord(run.runId);
        return c.set({ note: `${run.runId} ${RUN_STATUS_MARKS[run.status].word}: only an interrupted run can be resumed.` });
      }
      if (!c.onResume) return c.set({ note: 'Resuming is not available in this build (the engine is not wired).' });
      c.set({ confirm: run.runId, note: undefined });
    },
  },
  {
    keys: ['o'],
    when: inList,
    footer: 'record',
    footerWhen: (c) => !!c.onRecord,
    description: 'the record of the selected run, for the ticket (any run: finished, failed or interrupted)',
    action: (c) => {
      const id = current(c);
      if (!id) return;
      if (!c.onRecord) return c.set({ note: 'Run records are not available in this build.' });
      c.onRecord(id);
    },
  },
  { keys: ['esc'], when: inList, footer: 'back', description: 'back to Home', action: (c) => c.onBack() },
  helpKey<C>({ when: inList, footer: 'help' }),
  quitKey<C>({ when: inList, footer: 'quit' }),
];

/** The list's footer, for the App to show until the screen hands its own. */
export const RUNS_LIST_FOOTER: FooterKeys = footerOf(RUNS_KEYS, { local: { offset: 0 } } as RunsKeyContext);

export function Runs(props: RunsProps) {
  const { runs, live, onResume, onOpen, onRecord, problem } = props;
  const { onBack, onGlobal, onFooter, width, height, active, bindKeys } = useScreen(props);
  const sorted = sortRuns(runs);
  const ids = sorted.map((r) => r.runId);
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ selected: ids[0], offset: 0 }));
  const sel = local.selected !== undefined && ids.includes(local.selected) ? local.selected : ids[0];

  const context = (): RunsKeyContext => ({
    local: getLocal(),
    ids,
    sorted,
    live,
    set: (patch) => setLocal({ ...getLocal(), ...patch }),
    onResume,
    onOpen,
    onRecord,
    onBack,
    onGlobal,
  });
  useScreenKeys(RUNS_KEYS, context, { active, bindKeys, onFooter });

  const listHeight = Math.max(1, height - 3);
  const index = sel === undefined ? -1 : ids.indexOf(sel);
  const offset = scrollOffset(local.offset, index, listHeight, sorted.length);
  const shown = sorted.slice(offset, offset + listHeight);
  // the run ids whole: the procedure column (or the start time) goes first on a narrow terminal
  const cols = runsColumns(sorted, width);
  const confirmRun = local.confirm ? sorted.find((r) => r.runId === local.confirm) : undefined;
  const bottom = confirmRun
    ? `Resume ${runName(confirmRun)}? It re-checks the interrupted step ` +
      `first and asks again before any destructive step.  y resume · n no`
    : (local.note ?? (sorted.length ? 'Enter: resume an interrupted run (! INTERRUPTED) or open a run of this session' : ''));
  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Txt bold wrap='truncate'>
        {`RUNS — ${sorted.length} journal${sorted.length === 1 ? '' : 's'}, newest first` +
          `${sorted.length > listHeight ? ` (${offset + 1}-${offset + shown.length})` : ''}`}
      </Txt>
      <Txt dim wrap='truncate'>
        {fit(
          `  ${fit('status', 15)} ${cols.started ? `${fit('started', 17)} ` : ''}` +
            `${cols.procedure ? `${fit('procedure', 18)} ` : ''}run id / step`,
          width,
        )}
      </Txt>
      <Box flexDirection='column' height={listHeight}>
        {problem ? (
          <Txt tone='warn'>{problem}</Txt>
        ) : sorted.length === 0 ? (
          <Txt dim>No runs yet: a run's journal appears here once it starts.</Txt>
        ) : (
          shown.map((r) => {
            const m = RUN_STATUS_MARKS[r.status];
            const on = r.runId === sel;
            const isLive = live.has(r.runId);
            const head =
              `${on ? '› ' : '  '}${fit(`${m.mark} ${m.word}`, 15)} ` +
              `${cols.started ? `${fit(formatStarted(r.startedAt), 17)} ` : ''}` +
              `${cols.procedure ? `${fit(r.procedure, 18)} ` : ''}${r.runId}`;
            // after the id: the step, cut; left out when only a few letters of it would show ("…-unjo…" reads as a cut id)
            const tail = `${r.step ? ` — at ${r.step}` : ''}${isLive ? ' (this session)' : ''}`;
            const room = width - [...head].length;
            const text = head + (tail.length <= room ? tail : room >= 12 ? truncate(tail, room) : '');
            return (
              <Box key={r.runId} width={width} height={1}>
                <Txt inverse={on} bold={on || r.status === 'interrupted'} tone={on ? undefined : m.tone} wrap='truncate'>
                  {truncate(text, width)}
                </Txt>
              </Box>
            );
          })
        )}
      </Box>
      <Text wrap='truncate'>
        <Txt tone={confirmRun ? 'warn' : undefined} bold={!!confirmRun} inverse={!!confirmRun}>
          {bottom}
        </Txt>
      </Text>
    </Box>
  );
}

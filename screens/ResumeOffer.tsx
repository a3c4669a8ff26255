// The first screen when a run was interrupted (the SSH session dropped, the bastion rebooted…):
// resume it, or ignore it for now (it stays in the Runs screen, u). Its keys: RESUME_KEYS.
import { Box, Text } from 'ink';
import { moveSelection } from '../src/model/home.js';
import { formatStarted, type InterruptedRun, runName } from '../src/model/runs-view.js';
import { wrap } from '../src/model/text.js';
import { ChoiceList } from './components/ChoiceList.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { Txt, useToneColor } from './theme.js';

export interface ResumeOfferProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active' | 'bindKeys' | 'onGlobal'> {
  runs: readonly InterruptedRun[];
  /** Returns an error sentence when it could not resume. */
  onResume?: (runId: string) => string | undefined;
  /** Esc: ignore the offer for now; default: the App's back. */
  onIgnore?: () => void;
  onRuns: () => void;
}

/** What the keys of the resume offer act on. */
export interface ResumeKeyContext extends GlobalContext {
  runs: readonly InterruptedRun[];
  selected?: string;
  set: (patch: { selected?: string; note?: string }) => void;
  onResume?: (runId: string) => string | undefined;
  onIgnore: () => void;
  onRuns: () => void;
}

type C = ResumeKeyContext;
const current = (c: C) => c.runs.find((r) => r.runId === c.selected) ?? c.runs[0];

/** The keys of the resume offer (it has no other mode). */
export const RESUME_KEYS: Keymap<ResumeKeyContext> = [
  {
    keys: ['r'],
    footer: 'resume',
    description: 'resume the interrupted run (it re-checks the interrupted step first)',
    action: (c) => {
      const cur = current(c);
      if (!cur) return;
      if (!c.onResume) return c.set({ note: 'Resuming is not available in this build (the engine is not wired).' });
      const err = c.onResume(cur.runId);
      if (err) c.set({ note: err });
    },
  },
  ...movementKeys<C>({
    move: (c, d) =>
      c.set({
        selected: moveSelection(
          c.runs.map((r) => r.runId),
          current(c)?.runId,
          d,
        ),
      }),
    what: 'the choice between interrupted runs',
    footer: ['↑↓', 'choose'],
  }),
  {
    keys: ['esc'],
    footer: 'ignore',
    description: 'ignore it for now: Home (the run stays in the Runs screen)',
    action: (c) => c.onIgnore(),
  },
  { keys: ['u'], footer: 'all runs', description: 'the Runs screen: every run, past and interrupted', action: (c) => c.onRuns() },
  quitKey<C>({ footer: 'quit' }),
  helpKey<C>(),
];

export const RESUME_FOOTER: FooterKeys = footerOf(RESUME_KEYS, {} as ResumeKeyContext);

export function ResumeOffer(props: ResumeOfferProps) {
  const { runs, onResume, onRuns } = props;
  const frame = useScreen(props);
  const { onGlobal, width, height, active, bindKeys, onFooter } = frame;
  const onIgnore = props.onIgnore ?? frame.onBack;
  // the id first and whole (it names the procedure); what a narrow terminal cuts is the step
  const options = runs.map((r) => ({ value: r.runId, label: `${runName(r)} at ${r.step} (${formatStarted(r.startedAt)})` }));
  const [local, getLocal, setLocal] = useLatestState<{ selected?: string; note?: string }>(() => ({ selected: runs[0]?.runId }));
  const border = useToneColor('warn');
  const sel = runs.find((r) => r.runId === local.selected) ?? runs[0];

  const context = (): ResumeKeyContext => ({
    runs,
    selected: getLocal().selected,
    set: (patch) => setLocal({ ...getLocal(), ...patch }),
    onResume,
    onIgnore,
    onRuns,
    onGlobal,
  });
  useScreenKeys(RESUME_KEYS, context, { active, bindKeys, onFooter }, RESUME_FOOTER);

  if (!sel) return <Txt dim>No interrupted run.</Txt>;
  const inner = Math.max(10, width - 4);
  const lead = wrap(`A run was interrupted: ${runName(sel)} at step ${sel.step} — r resume, Esc ignore`, inner);
  const others = runs.length > 1 ? runs : [];
  const room = Math.max(1, height - 9 - lead.length);
  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Box flexDirection='column' width={width} borderStyle='double' borderColor={border} paddingX={1}>
        <Text>
          <Txt bold inverse tone='warn'>
            {' ! RUN INTERRUPTED '}
          </Txt>
        </Text>
        {lead.map((l, i) => (
          <Txt key={i} bold wrap='truncate'>
            {l}
          </Txt>
        ))}
        <Txt wrap='truncate'>{`Started ${formatStarted(sel.startedAt)}.`}</Txt>
        {wrap(
          "Resuming re-checks the interrupted step's verification first, and never repeats a " +
            'destructive step without asking. Ignoring leaves it in the Runs screen (u).',
          inner,
        ).map((l, i) => (
          <Txt key={`w${i}`} dim wrap='truncate'>
            {l}
          </Txt>
        ))}
        {local.note ? (
          <Txt tone='bad' bold wrap='truncate'>
            {`✗ ${local.note}`}
          </Txt>
        ) : null}
      </Box>
      {others.length ? (
        <>
          <Txt dim>{`${others.length} interrupted runs (↑↓ choose):`}</Txt>
          <ChoiceList
            options={options}
            value={sel.runId}
            width={width}
            indent={0}
            limit={others.length <= room ? others.length : Math.max(1, room - 1)}
          />
        </>
      ) : null}
    </Box>
  );
}

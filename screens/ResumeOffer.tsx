// The first screen when a run was interrupted (the SSH session dropped, the bastion rebooted…):
// resume it, or ignore it for now (it stays in the Runs screen, u).
import { Box, Text, type Key } from 'ink';
import { formatStarted, type InterruptedRun } from '../src/model/runs-view.js';
import { wrap } from '../src/model/text.js';
import { ChoiceList, choiceAfterKey } from './components/ChoiceList.js';
import { useKeys, useLatestState, type BindKeys } from './hooks/useKeys.js';
import { Txt, useToneColor } from './theme.js';

export interface ResumeOfferProps {
  runs: readonly InterruptedRun[];
  /** Returns an error sentence when it could not resume. */
  onResume?: (runId: string) => string | undefined;
  onIgnore: () => void;
  onRuns: () => void;
  onGlobal: (what: 'quit' | 'help') => void;
  width: number;
  height: number;
  active: boolean;
  /** The App's key router (see useKeys). */
  bindKeys?: BindKeys;
}

export function ResumeOffer({ runs, onResume, onIgnore, onRuns, onGlobal, width, height, active, bindKeys }: ResumeOfferProps) {
  const options = runs.map((r) => ({ value: r.runId, label: `${r.procedure} ${r.runId} at ${r.step} (${formatStarted(r.startedAt)})` }));
  const [local, getLocal, setLocal] = useLatestState<{ selected?: string; note?: string }>(() => ({ selected: runs[0]?.runId }));
  const border = useToneColor('warn');
  const sel = runs.find((r) => r.runId === local.selected) ?? runs[0];

  useKeys((input: string, key: Key) => {
    const l = getLocal();
    const cur = runs.find((r) => r.runId === l.selected) ?? runs[0];
    if (input === 'r' && cur) {
      if (!onResume) return setLocal({ ...l, note: 'Resuming is not available in this build (the engine is not wired).' });
      const err = onResume(cur.runId);
      if (err) setLocal({ ...l, note: err });
      return;
    }
    if (key.escape) return onIgnore();
    if (input === 'u') return onRuns();
    if (input === 'q') return onGlobal('quit');
    if (input === '?') return onGlobal('help');
    const picked = choiceAfterKey(options, cur?.runId ?? '', input, key);
    if (picked !== undefined) return setLocal({ ...l, selected: picked });
  }, active, bindKeys);

  if (!sel) return <Txt dim>No interrupted run.</Txt>;
  const inner = Math.max(10, width - 4);
  const lead = wrap(`A run was interrupted: ${sel.procedure} ${sel.runId} at step ${sel.step} — r resume, Esc ignore`, inner);
  const others = runs.length > 1 ? runs : [];
  const room = Math.max(1, height - 9 - lead.length);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box flexDirection="column" width={width} borderStyle="double" borderColor={border} paddingX={1}>
        <Text>
          <Txt bold inverse tone="warn">
            {' ! RUN INTERRUPTED '}
          </Txt>
        </Text>
        {lead.map((l, i) => (
          <Txt key={i} bold wrap="truncate">
            {l}
          </Txt>
        ))}
        <Txt wrap="truncate">{`Started ${formatStarted(sel.startedAt)}.`}</Txt>
        {wrap('Resuming re-checks the interrupted step\'s verification first, and never repeats a destructive step without asking. Ignoring leaves it in the Runs screen (u).', inner).map((l, i) => (
          <Txt key={`w${i}`} dim wrap="truncate">
            {l}
          </Txt>
        ))}
        {local.note ? (
          <Txt tone="bad" bold wrap="truncate">
            {`✗ ${local.note}`}
          </Txt>
        ) : null}
      </Box>
      {others.length ? (
        <>
          <Txt dim>{`${others.length} interrupted runs (↑↓ choose):`}</Txt>
          <ChoiceList options={options} value={sel.runId} width={width} indent={0} limit={others.length <= room ? others.length : Math.max(1, room - 1)} />
        </>
      ) : null}
    </Box>
  );
}

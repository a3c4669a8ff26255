// A procedure run, live: the steps (left, or above at 80 columns), the procedure's panel (e.g. the etcd
// members and quorum, refreshed after every step), the command running now, the log pane (follows the
// tail unless scrolled; / searches), the journal pane while a step's follow streams (e.g. etcd's journal
// during a start-up), the gate / failure modals that answer the engine, and — after a run that did not
// finish — where the cluster stands and the next safe action. Renders the session's snapshot; never runs
// anything itself. Its keys, in every mode (gate, failure, stop?, search, log): RUN_KEYS.

import { Box, Text } from 'ink';
import { useEffect, useMemo, useRef } from 'react';
import type { RunSession, RunSnapshot } from '../src/engine/session.js';
import type { FailureChoice } from '../src/engine/types.js';
import { commonDomain } from '../src/model/home.js';
import {
  commandAtCursor,
  followTail,
  gotoMatch,
  initialLogView,
  type LogRow,
  type LogView,
  logRows,
  logWindow,
  scrollLog,
  searchStatus,
} from '../src/model/log-view.js';
import {
  endNote,
  FAILURE_KEYS,
  failureChoices,
  isActive,
  journalView,
  runHeadline,
  runHosts,
  runLayout,
  stepIndex,
  typedHostMatches,
} from '../src/model/run-view.js';
import { truncate } from '../src/model/text.js';
import { ClusterPanel, clusterPanelRows } from './components/ClusterPanel.js';
import { FailureModal, failureModalHeight } from './components/FailureModal.js';
import { GateModal, gateModalHeight } from './components/GateModal.js';
import { JournalPane } from './components/JournalPane.js';
import { LogPane } from './components/LogPane.js';
import { StandingBox, shortenHosts, standingRows } from './components/StandingBox.js';
import { StepList } from './components/StepList.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import { useRunSnapshot } from './hooks/useRunSnapshot.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type KeyEntry, type Keymap, movementKeys, quitKey } from './keymap.js';
import { Txt } from './theme.js';

export interface RunViewProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active' | 'bindKeys' | 'onFooter' | 'onGlobal'> {
  session: RunSession;
  /** Esc on a finished run; default: the App's back. */
  onHome?: () => void;
  /** Writes the run's record for the ticket; the sentence to show (where it went, or why not). */
  writeReport?: () => string;
  /** Puts text on the operator's clipboard (OSC 52: through SSH and tmux to their terminal). */
  copy?: (text: string) => void;
}

interface Local {
  log: LogView;
  typed: string;
  wrong?: string;
  confirmStop: boolean;
  note?: string;
  declinedGate?: string;
  gateKey?: string;
  /** The log's lines start with the time they arrived (`t`). */
  timestamps?: boolean;
}

/** Side by side (steps left, log right) from this width on. */
const SIDE_MIN = 110;

function stepLabel(s: RunSnapshot, id: string | undefined): string {
  const i = stepIndex(s, id);
  return i >= 0 ? `step ${i + 1}/${s.steps.length} ${s.steps[i]!.title}` : (id ?? '');
}

/** "▶ running on master-0: …" / "⏸ next, after the gate: …" */
function commandLine(s: RunSnapshot): { text: string; tone?: 'busy' | 'warn' } | undefined {
  if (s.status === 'waiting-failure' && s.failure)
    return { text: `✗ failed${s.failure.host ? ` on ${s.failure.host}` : ''}: ${s.failure.command}` };
  if (s.command)
    return { text: `▶ running${s.command.host ? ` on ${s.command.host}` : ' on the bastion'}: ${s.command.text}`, tone: 'busy' };
  if (s.status === 'waiting-gate' && s.current) {
    const plan = s.plan.find((p) => p.id === s.current);
    const c = plan?.commands[0];
    if (c)
      return {
        text:
          `⏸ about to run${c.host ? ` on ${c.host}` : ' on the bastion'}: ${c.command}` +
          `${plan!.commands.length > 1 ? ` (+${plan!.commands.length - 1} more)` : ''}`,
        tone: 'warn',
      };
  }
  return undefined;
}

/** What the run view's keys act on: the snapshot and the view's state at the key press. */
export interface RunKeyContext extends GlobalContext {
  snap: RunSnapshot;
  local: Local;
  /** The log as shown (rows) and its lines (for the search), in a pane this high. */
  rows: readonly LogRow[];
  logLines: RunSnapshot['log'];
  logHeight: number;
  session: Pick<RunSession, 'answerGate' | 'answerFailure' | 'cancel'>;
  /** Changes the view's state (the note goes unless given). */
  set: (patch: Partial<Local>) => void;
  onHome: () => void;
  writeReport?: () => string;
  copy?: (text: string) => void;
}

type C = RunKeyContext;
const gated = (c: C) => c.snap.status === 'waiting-gate' && !!c.snap.gate;
const gateType = (c: C) => gated(c) && c.snap.gate!.kind === 'type-host';
const gateConfirm = (c: C) => gated(c) && c.snap.gate!.kind !== 'type-host';
const failing = (c: C) => c.snap.status === 'waiting-failure' && !!c.snap.failure;
const stopping = (c: C) => !gated(c) && !failing(c) && c.local.confirmStop;
const searchEditing = (c: C) => !gated(c) && !failing(c) && !c.local.confirmStop && !!c.local.log.search?.editing;
const inLog = (c: C) => !gated(c) && !failing(c) && !c.local.confirmStop && !c.local.log.search?.editing;
/** The log pane's height less its title line. */
const logRowsShown = (c: C) => c.logHeight - 1;
const setLog = (c: C, log: LogView) => c.set({ log });
const search = (c: C) => c.local.log.search!;

function declineGate(c: C) {
  const gate = c.snap.gate!;
  const title = c.snap.steps.find((s) => s.id === gate.step)?.title ?? gate.step;
  c.set({ declinedGate: title, typed: '', wrong: undefined });
  c.session.answerGate(false);
}

/** A failure choice's key, when the failure offers it. */
const failureKey = (choice: FailureChoice): KeyEntry<C> => ({
  keys: [FAILURE_KEYS[choice].key],
  when: (c) => failing(c) && failureChoices(c.snap).includes(choice),
  footer: choice,
  description: `failure: ${FAILURE_KEYS[choice].label}${choice === 'skip' ? ' (never for a destructive step)' : ''}`,
  action: (c) => c.session.answerFailure(choice),
});

const logMovement = movementKeys<C>({
  when: inLog,
  move: (c, d) => setLog(c, d === Infinity ? followTail(c.local.log) : scrollLog(c.local.log, c.rows, logRowsShown(c), d)),
  page: (c) => c.logHeight - 2,
  what: 'the log (it stops following)',
  footer: ['jk', 'scroll'],
  bottom: 'bottom, following the tail again',
  endsFooter: ['G', 'follow'],
});

/** The run view's keys: a gate (typed host name, or y/n), a failure, "stop the run?", the log search, the log. */
export const RUN_KEYS: Keymap<RunKeyContext> = [
  // a destructive gate: the host name typed exactly
  {
    keys: ['text'],
    when: gateType,
    footer: 'the host name',
    description: 'destructive gate: type the host name exactly',
    action: (c, p) => c.set({ typed: c.local.typed + p.text, wrong: undefined }),
  },
  {
    keys: ['enter'],
    when: gateType,
    footer: 'confirm',
    description: 'destructive gate: confirm with the name typed',
    action: (c) => {
      const { expect } = c.snap.gate!;
      const typed = c.local.typed;
      if (typedHostMatches(expect, typed)) {
        c.set({ typed: '', wrong: undefined });
        return c.session.answerGate(true);
      }
      c.set({
        wrong: typed.trim()
          ? `"${typed.trim()}" is not ${expect}: type it exactly (Esc declines).`
          : `Type ${expect} first (Esc declines).`,
      });
    },
  },
  { keys: ['esc'], when: gateType, footer: 'decline: stop here', description: 'gate: decline (the run stops there)', action: declineGate },
  {
    keys: ['backspace'],
    when: gateType,
    description: 'destructive gate: delete a character',
    action: (c) => c.set({ typed: [...c.local.typed].slice(0, -1).join(''), wrong: undefined }),
  },
  { keys: ['ctrl-u'], when: gateType, description: 'destructive gate: clear the name', action: (c) => c.set({ typed: '' }) },
  // a confirm gate
  {
    keys: ['y', 'Y'],
    label: 'y',
    when: gateConfirm,
    footer: 'go on',
    description: 'confirm gate: go on',
    action: (c) => c.session.answerGate(true),
  },
  {
    keys: ['n', 'N', 'esc'],
    label: 'n Esc',
    when: gateConfirm,
    footer: 'decline: stop here',
    description: 'confirm gate: decline (the run stops there)',
    action: declineGate,
  },
  quitKey<C>({ when: gateConfirm, footer: 'quit' }),
  helpKey<C>({ when: gateConfirm, footer: 'help' }),
  {
    keys: ['any'],
    when: gateConfirm,
    description: '',
    action: (c) => c.set({ note: 'Answer the gate: y goes on, n or Esc stops the run here.' }),
  },
  // a failure
  failureKey('retry'),
  failureKey('skip'),
  failureKey('abort'),
  quitKey<C>({ when: failing, footer: 'quit' }),
  helpKey<C>({ when: failing }),
  {
    keys: ['s'],
    when: failing,
    description: '',
    action: (c) => c.set({ note: 'Skip is not offered: this step is destructive. r retries, a aborts.' }),
  },
  {
    keys: ['any'],
    when: failing,
    description: '',
    action: (c) =>
      c.set({
        note: `Choose: ${failureChoices(c.snap)
          .map((x) => `${FAILURE_KEYS[x].key} ${x}`)
          .join(', ')}.`,
      }),
  },
  // x: "stop the run?"
  {
    keys: ['y', 'Y'],
    label: 'y',
    when: stopping,
    footer: 'stop the run',
    description: 'after x: stop the run at the next safe point',
    action: (c) => {
      c.session.cancel();
      c.set({ confirmStop: false, note: 'Stopping at the next safe point…' });
    },
  },
  {
    keys: ['any'],
    when: stopping,
    footer: 'go on',
    description: 'after x: the run goes on',
    action: (c) => c.set({ confirmStop: false, note: 'The run goes on.' }),
  },
  // the search prompt (/)
  {
    keys: ['enter'],
    when: searchEditing,
    footer: 'find',
    description: 'search: find the newest match',
    action: (c) => setLog(c, gotoMatch(c.local.log, c.logLines, c.rows, logRowsShown(c), 0)),
  },
  {
    keys: ['esc'],
    when: searchEditing,
    footer: 'cancel',
    description: 'search: cancel',
    action: (c) => setLog(c, { ...c.local.log, search: undefined }),
  },
  {
    keys: ['backspace'],
    when: searchEditing,
    description: 'search: delete a character',
    action: (c) => setLog(c, { ...c.local.log, search: { ...search(c), query: [...search(c).query].slice(0, -1).join('') } }),
  },
  {
    keys: ['text'],
    when: searchEditing,
    description: 'search: type the text to find',
    action: (c, p) => setLog(c, { ...c.local.log, search: { ...search(c), query: search(c).query + p.text } }),
  },
  // the log
  {
    keys: ['esc'],
    when: inLog,
    footer: 'Home',
    footerWhen: (c) => !isActive(c.snap.status),
    description: 'clear the search; on a finished run: Home',
    action: (c) => {
      if (c.local.log.search) return c.set({ log: { ...c.local.log, search: undefined }, note: 'Search cleared.' });
      if (!isActive(c.snap.status)) return c.onHome();
      c.set({ note: 'The run is active: x stops it (asks first); q quits (asks first).' });
    },
  },
  ...logMovement,
  {
    keys: ['/'],
    when: inLog,
    footer: 'search',
    description: 'search the log (Enter finds the newest match)',
    action: (c) => setLog(c, { ...c.local.log, search: { query: '', editing: true } }),
  },
  {
    keys: ['n', 'N'],
    label: 'n N',
    when: inLog,
    footer: 'match',
    footerWhen: (c) => !!c.local.log.search,
    description: 'the next (newer) / previous (older) match, shown in inverse with › at the line',
    action: (c, p) => {
      if (!c.local.log.search?.query) return c.set({ note: '/ searches the log first; then n next, N previous.' });
      setLog(c, gotoMatch(c.local.log, c.logLines, c.rows, logRowsShown(c), p.is('n') ? 1 : -1));
    },
  },
  {
    keys: ['x'],
    when: inLog,
    footer: 'stop',
    footerWhen: (c) => isActive(c.snap.status),
    description: 'stop the run at the next safe point (asks first)',
    action: (c) => (isActive(c.snap.status) ? c.set({ confirmStop: true }) : c.set({ note: 'The run has ended: nothing to stop.' })),
  },
  {
    keys: ['y'],
    when: inLog,
    description: 'copy the command under the cursor (the search match, else the newest one shown) to your clipboard (OSC 52)',
    action: (c) => {
      const command = commandAtCursor(c.logLines, c.rows, c.local.log, logRowsShown(c));
      if (!command) return c.set({ note: 'No command shown yet to copy.' });
      if (!c.copy) return c.set({ note: 'Copying is not available in this build.' });
      c.copy(command);
      c.set({ note: `Copied (OSC 52; your terminal must allow it): ${command}` });
    },
  },
  {
    keys: ['t'],
    when: inLog,
    description: 'show or hide the time each log line arrived',
    action: (c) =>
      c.set({ timestamps: !c.local.timestamps, note: c.local.timestamps ? 'Timestamps hidden.' : 'Timestamps shown (HH:MM:SS).' }),
  },
  {
    keys: ['w'],
    when: inLog,
    footer: 'record',
    footerWhen: (c) => !isActive(c.snap.status) && !!c.writeReport,
    description: "write the run's record for the ticket to <state dir>/reports/<run-id>.md (also while it runs)",
    action: (c) => c.set({ note: c.writeReport ? c.writeReport() : 'Run records are not available in this build.' }),
  },
  helpKey<C>({ when: inLog, footer: 'help' }),
  quitKey<C>({ when: inLog, footer: 'quit' }),
];

/** The footer of a running run, for the App to show until the view hands its own. */
export const RUN_FOOTER: FooterKeys = footerOf(RUN_KEYS, {
  snap: { status: 'running' },
  local: { log: initialLogView(), typed: '', confirmStop: false },
} as RunKeyContext);

export function RunView(props: RunViewProps) {
  const { session } = props;
  const frame = useScreen(props);
  const { width, height, active, onGlobal, onFooter, bindKeys } = frame;
  const onHome = props.onHome ?? frame.onBack;
  const snap = useRunSnapshot(session);
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ log: initialLogView(), typed: '', confirmStop: false }));
  // runHosts reads only the steps and the log: a new snapshot with the same ones keeps `hosts` (and what is
  // memoised on it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the steps and the log (above)
  const hosts = useMemo(() => runHosts(snap), [snap.steps, snap.log]);
  const domain = useMemo(() => commonDomain(hosts.map((name) => ({ name }))), [hosts]);
  const multiHost = hosts.length > 1;
  const side = width >= SIDE_MIN;
  const stepsWidth = side ? Math.min(48, Math.floor(width * 0.4)) : width;
  const rightWidth = side ? width - stepsWidth - 1 : width;

  // New gate: a fresh answer.
  const gateKey = snap.gate ? `${snap.gate.step}:${snap.gate.kind}:${snap.gate.expect ?? ''}` : undefined;
  useEffect(() => {
    if (getLocal().gateKey !== gateKey) setLocal({ ...getLocal(), gateKey, typed: '', wrong: undefined });
  }, [gateKey, getLocal, setLocal]);

  const headline = runHeadline(snap, { declinedGate: local.declinedGate });
  const cmd = commandLine(snap);
  const searching = local.log.search;
  const bottomLines = (searching ? 1 : 0) + (local.note || local.confirmStop ? 1 : 0);
  const gate = snap.status === 'waiting-gate' ? snap.gate : undefined;
  const failure = snap.status === 'waiting-failure' ? snap.failure : undefined;
  const gateStep = gate ? snap.steps.find((s) => s.id === gate.step) : undefined;
  const failStep = failure ? snap.steps.find((s) => s.id === failure.step) : undefined;
  const journal = journalView(snap);
  const standing = useMemo(
    () => (!isActive(snap.status) && snap.whereItStands ? shortenHosts(snap.whereItStands, hosts, domain) : undefined),
    [snap.status, snap.whereItStands, hosts, domain],
  );
  const layout = runLayout({
    height,
    side,
    stepCount: snap.steps.length,
    panelRows: clusterPanelRows(snap.panel),
    modal: gate ? gateModalHeight(gate, rightWidth) : failure ? failureModalHeight(failure, !!failStep?.destructive, rightWidth) : 0,
    standing: standingRows(standing, rightWidth),
    journal: journal.show,
    bottom: bottomLines,
  });
  const stepsHeight = layout.steps;
  // While the journal pane shows a follow's lines, the log pane leaves them out (they stay searchable there after).
  const logLines = useMemo(() => (journal.show ? snap.log.filter((l) => l.stream !== 'journal') : snap.log), [snap.log, journal.show]);
  const logHeight = Math.max(1, layout.log + layout.modal);
  const rows = useMemo(
    () => logRows(logLines, rightWidth - 1, { multiHost, domain, hostWidth: 9, timestamps: !!local.timestamps }),
    [logLines, rightWidth, multiHost, domain, local.timestamps],
  );
  const win = logWindow(rows, local.log, Math.max(1, layout.log - 1));
  const latest = useRef({ rows, logHeight, snap, logLines });
  latest.current = { rows, logHeight, snap, logLines };

  const choices = failureChoices(snap);

  const context = (): RunKeyContext => {
    const { rows, logHeight, snap, logLines } = latest.current;
    return {
      snap,
      local: getLocal(),
      rows,
      logLines,
      logHeight,
      session,
      set: (patch) => setLocal({ ...getLocal(), note: undefined, ...patch }),
      onHome,
      writeReport: props.writeReport,
      copy: props.copy,
      onGlobal,
    };
  };
  useScreenKeys(RUN_KEYS, context, { active, bindKeys, onFooter });

  // A modal takes the rows it needs; the log keeps what is left above it (see runLayout).
  const modalHeight = layout.modal;
  const modal = gate ? (
    <GateModal
      gate={gate}
      stepLabel={stepLabel(snap, gate.step)}
      destructive={!!gateStep?.destructive || gate.kind === 'type-host'}
      typed={local.typed}
      wrong={local.wrong}
      width={rightWidth}
      height={modalHeight}
    />
  ) : failure ? (
    <FailureModal
      failure={failure}
      stepLabel={stepLabel(snap, failure.step)}
      destructive={!!failStep?.destructive}
      choices={choices}
      width={rightWidth}
      height={modalHeight}
    />
  ) : null;
  const paneHeight = layout.log;
  const pane = (
    <>
      {standing && layout.standing > 0 ? <StandingBox standing={standing} width={rightWidth} height={layout.standing} /> : null}
      {paneHeight > 0 ? (
        <LogPane
          window={win}
          total={logLines.length + snap.logFirstSeq}
          trimmed={snap.logFirstSeq}
          following={local.log.follow}
          query={searching && !searching.editing ? searching.query : searching?.query}
          currentMatch={searching?.current}
          width={rightWidth}
          height={paneHeight}
        />
      ) : null}
      {modal}
      {layout.journal > 0 ? <JournalPane view={journal} domain={domain} width={rightWidth} height={layout.journal} /> : null}
    </>
  );
  const panel =
    snap.panel && layout.panel > 0 ? (
      <ClusterPanel panel={snap.panel} domain={domain} width={side ? rightWidth : width} height={layout.panel} />
    ) : null;
  const steps = (
    <StepList
      steps={snap.steps}
      current={snap.current}
      waiting={snap.status === 'waiting-gate' || snap.status === 'waiting-failure'}
      ended={!isActive(snap.status)}
      width={stepsWidth}
      height={stepsHeight}
    />
  );
  const right = (
    <Box flexDirection='column' width={rightWidth}>
      {side ? panel : null}
      <Box width={rightWidth} height={1} flexShrink={0}>
        {cmd ? (
          <Txt tone={cmd.tone} bold wrap='truncate'>
            {cmd.text}
          </Txt>
        ) : (
          <Txt dim={isActive(snap.status)} bold={!isActive(snap.status)} wrap='truncate'>
            {isActive(snap.status) ? '(between commands)' : (endNote(snap, { declinedGate: local.declinedGate }) ?? '')}
          </Txt>
        )}
      </Box>
      {pane}
    </Box>
  );
  const status = searchStatus(local.log, snap.log);
  const searchKeys = `${status} · n next (newer) · N previous (older) · Esc clears`;
  // Journal run ids carry the procedure id (20261125-042150-etcd-backup-unjo): name it once, so the
  // headline ("✓ FINISHED OK: 9 steps done, 1 skipped") is not cut at 80 columns.
  const title = snap.runId.includes(snap.procedure) ? `RUN ${snap.runId} ` : `RUN ${snap.procedure} ${snap.runId} `;
  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Box width={width} height={1} flexShrink={0}>
        <Text wrap='truncate'>
          <Txt bold>{title}</Txt>
          <Txt bold tone={headline.tone} inverse={snap.status === 'waiting-gate' || snap.status === 'waiting-failure'}>
            {truncate(headline.text, Math.max(10, width - title.length))}
          </Txt>
        </Text>
      </Box>
      {side ? (
        <Box flexDirection='row' width={width}>
          {steps}
          <Box width={1} />
          {right}
        </Box>
      ) : (
        <>
          {steps}
          {panel}
          {right}
        </>
      )}
      {searching ? (
        <Text wrap='truncate'>
          <Txt bold>{`/${searching.query}`}</Txt>
          {searching.editing ? <Txt inverse> </Txt> : null}
          <Txt dim>{`  ${searching.editing ? 'Enter: newest match · Esc: cancel' : searchKeys}`}</Txt>
        </Text>
      ) : null}
      {local.confirmStop ? (
        <Txt tone='warn' bold wrap='truncate'>
          Stop the run at the next safe point (the running command is cancelled; resume later)? y stop · any other key: go on
        </Txt>
      ) : local.note ? (
        <Txt tone='warn' wrap='truncate'>
          {local.note}
        </Txt>
      ) : null}
    </Box>
  );
}

// A procedure run, live: the steps (left, or above at 80 columns), the procedure's panel (e.g. the etcd
// members and quorum, refreshed after every step), the command running now, the log pane (follows the
// tail unless scrolled; / searches), the journal pane while a step's follow streams (e.g. etcd's journal
// during a start-up), the gate / failure modals that answer the engine, and — after a run that did not
// finish — where the cluster stands and the next safe action. Renders the session's snapshot; never runs
// anything itself.
import { useEffect, useMemo, useRef } from 'react';
import { Box, Text, type Key } from 'ink';
import type { RunSession, RunSnapshot } from '../src/engine/session.js';
import { followTail, gotoMatch, initialLogView, logRows, logWindow, scrollLog, searchStatus, type LogView } from '../src/model/log-view.js';
import { endNote, failureChoices, FAILURE_KEYS, isActive, journalView, runHeadline, runHosts, runLayout, stepIndex, typedHostMatches } from '../src/model/run-view.js';
import { commonDomain } from '../src/model/home.js';
import { truncate } from '../src/model/text.js';
import { FailureModal, failureModalHeight } from './components/FailureModal.js';
import { GateModal, gateModalHeight } from './components/GateModal.js';
import { ClusterPanel, clusterPanelRows } from './components/ClusterPanel.js';
import { JournalPane } from './components/JournalPane.js';
import { LogPane } from './components/LogPane.js';
import { shortenHosts, StandingBox, standingRows } from './components/StandingBox.js';
import { StepList } from './components/StepList.js';
import { useKeys, useLatestState, type BindKeys } from './hooks/useKeys.js';
import { useRunSnapshot } from './hooks/useRunSnapshot.js';
import { runFooter, type FooterKeys } from './keys.js';
import { Txt } from './theme.js';

export interface RunViewProps {
  session: RunSession;
  width: number;
  height: number;
  /** Listen to keys (false while an App prompt is open). */
  active: boolean;
  /** The App's key router (see useKeys). */
  bindKeys?: BindKeys;
  /** Esc on a finished run. */
  onHome: () => void;
  /** q and ? go to the App (q asks first while the run is active). */
  onGlobal: (what: 'quit' | 'help') => void;
  onFooter?: (keys: FooterKeys) => void;
}

interface Local {
  log: LogView;
  typed: string;
  wrong?: string;
  confirmStop: boolean;
  note?: string;
  declinedGate?: string;
  gateKey?: string;
}

/** Side by side (steps left, log right) from this width on. */
const SIDE_MIN = 110;

function stepLabel(s: RunSnapshot, id: string | undefined): string {
  const i = stepIndex(s, id);
  return i >= 0 ? `step ${i + 1}/${s.steps.length} ${s.steps[i]!.title}` : (id ?? '');
}

/** "▶ running on master-0: …" / "⏸ next, after the gate: …" */
function commandLine(s: RunSnapshot): { text: string; tone?: 'busy' | 'warn' } | undefined {
  if (s.status === 'waiting-failure' && s.failure) return { text: `✗ failed${s.failure.host ? ` on ${s.failure.host}` : ''}: ${s.failure.command}` };
  if (s.command) return { text: `▶ running${s.command.host ? ` on ${s.command.host}` : ' on the bastion'}: ${s.command.text}`, tone: 'busy' };
  if (s.status === 'waiting-gate' && s.current) {
    const plan = s.plan.find((p) => p.id === s.current);
    const c = plan?.commands[0];
    if (c) return { text: `⏸ about to run${c.host ? ` on ${c.host}` : ' on the bastion'}: ${c.command}${plan!.commands.length > 1 ? ` (+${plan!.commands.length - 1} more)` : ''}`, tone: 'warn' };
  }
  return undefined;
}

export function RunView({ session, width, height, active, onHome, onGlobal, onFooter, bindKeys }: RunViewProps) {
  const snap = useRunSnapshot(session);
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ log: initialLogView(), typed: '', confirmStop: false }));
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
  }, [gateKey]);

  const headline = runHeadline(snap, { declinedGate: local.declinedGate });
  const cmd = commandLine(snap);
  const searching = local.log.search;
  const bottomLines = (searching ? 1 : 0) + (local.note || local.confirmStop ? 1 : 0);
  const gate = snap.status === 'waiting-gate' ? snap.gate : undefined;
  const failure = snap.status === 'waiting-failure' ? snap.failure : undefined;
  const gateStep = gate ? snap.steps.find((s) => s.id === gate.step) : undefined;
  const failStep = failure ? snap.steps.find((s) => s.id === failure.step) : undefined;
  const journal = journalView(snap);
  const standing = useMemo(() => (!isActive(snap.status) && snap.whereItStands ? shortenHosts(snap.whereItStands, hosts, domain) : undefined), [snap.status, snap.whereItStands, hosts, domain]);
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
  const rows = useMemo(() => logRows(logLines, rightWidth - 1, { multiHost, domain, hostWidth: 9 }), [logLines, rightWidth, multiHost, domain]);
  const win = logWindow(rows, local.log, Math.max(1, layout.log - 1));
  const latest = useRef({ rows, logHeight, snap, logLines });
  latest.current = { rows, logHeight, snap, logLines };

  const finished = !isActive(snap.status);
  const mode = snap.status === 'waiting-gate' && snap.gate ? (snap.gate.kind === 'type-host' ? 'gate-type' : 'gate-confirm') : snap.status === 'waiting-failure' && snap.failure ? 'failure' : local.confirmStop ? 'confirm-stop' : searching?.editing ? 'search' : finished ? 'finished' : 'running';
  const choices = failureChoices(snap);
  const footerKey = `${mode}|${choices.join(',')}|${searching ? 1 : 0}`;
  useEffect(() => {
    onFooter?.(runFooter(mode, choices, !!searching));
  }, [footerKey]);

  useKeys((input, key: Key) => {
    const l = getLocal();
    const { rows, logHeight, snap, logLines } = latest.current;
    const set = (patch: Partial<Local>) => setLocal({ ...getLocal(), note: undefined, ...patch });
    const page = Math.max(1, logHeight - 2);
    const h = logHeight - 1;
    if (snap.status === 'waiting-gate' && snap.gate) {
      const gate = snap.gate;
      const title = snap.steps.find((s) => s.id === gate.step)?.title ?? gate.step;
      const decline = () => {
        set({ declinedGate: title, typed: '', wrong: undefined });
        session.answerGate(false);
      };
      if (gate.kind === 'type-host') {
        if (key.escape) return decline();
        if (key.return) {
          if (typedHostMatches(gate.expect, l.typed)) {
            set({ typed: '', wrong: undefined });
            return session.answerGate(true);
          }
          return set({ wrong: l.typed.trim() ? `"${l.typed.trim()}" is not ${gate.expect}: type it exactly (Esc declines).` : `Type ${gate.expect} first (Esc declines).` });
        }
        if (key.backspace || key.delete) return set({ typed: [...l.typed].slice(0, -1).join(''), wrong: undefined });
        if (key.ctrl && input === 'u') return set({ typed: '' });
        // eslint-disable-next-line no-control-regex
        const text = input.replace(/[\x00-\x1f\x7f]/g, '');
        if (text && !key.ctrl && !key.meta) set({ typed: l.typed + text, wrong: undefined });
        return;
      }
      if (input === 'y' || input === 'Y') return session.answerGate(true);
      if (input === 'n' || input === 'N' || key.escape) return decline();
      if (input === 'q') return onGlobal('quit');
      if (input === '?') return onGlobal('help');
      return set({ note: 'Answer the gate: y goes on, n or Esc stops the run here.' });
    }
    if (snap.status === 'waiting-failure' && snap.failure) {
      const offered = failureChoices(snap);
      for (const c of offered) if (input === FAILURE_KEYS[c].key) return session.answerFailure(c);
      if (input === 'q') return onGlobal('quit');
      if (input === '?') return onGlobal('help');
      if (input === 's') return set({ note: 'Skip is not offered: this step is destructive. r retries, a aborts.' });
      return set({ note: `Choose: ${offered.map((c) => `${FAILURE_KEYS[c].key} ${c}`).join(', ')}.` });
    }
    if (l.confirmStop) {
      if (input === 'y' || input === 'Y') {
        session.cancel();
        return set({ confirmStop: false, note: 'Stopping at the next safe point…' });
      }
      return set({ confirmStop: false, note: 'The run goes on.' });
    }
    const search = l.log.search;
    if (search?.editing) {
      if (key.return) return set({ log: gotoMatch(l.log, logLines, rows, h, 0) });
      if (key.escape) return set({ log: { ...l.log, search: undefined } });
      if (key.backspace || key.delete) return set({ log: { ...l.log, search: { ...search, query: [...search.query].slice(0, -1).join('') } } });
      // eslint-disable-next-line no-control-regex
      const text = input.replace(/[\x00-\x1f\x7f]/g, '');
      if (text && !key.ctrl && !key.meta) set({ log: { ...l.log, search: { ...search, query: search.query + text } } });
      return;
    }
    if (input === 'q') return onGlobal('quit');
    if (input === '?') return onGlobal('help');
    if (input === 'j' || key.downArrow) return set({ log: scrollLog(l.log, rows, h, 1) });
    if (input === 'k' || key.upArrow) return set({ log: scrollLog(l.log, rows, h, -1) });
    if (key.pageDown || input === ' ') return set({ log: scrollLog(l.log, rows, h, page) });
    if (key.pageUp) return set({ log: scrollLog(l.log, rows, h, -page) });
    if (input === 'g' || key.home) return set({ log: scrollLog(l.log, rows, h, -Infinity) });
    if (input === 'G' || key.end) return set({ log: followTail(l.log) });
    if (input === '/') return set({ log: { ...l.log, search: { query: '', editing: true } } });
    if (input === 'n' || input === 'N') {
      if (!search?.query) return set({ note: '/ searches the log first; then n next, N previous.' });
      return set({ log: gotoMatch(l.log, logLines, rows, h, input === 'n' ? 1 : -1) });
    }
    if (input === 'x') {
      if (!isActive(snap.status)) return set({ note: 'The run has ended: nothing to stop.' });
      return set({ confirmStop: true });
    }
    if (key.escape) {
      if (search) return set({ log: { ...l.log, search: undefined }, note: 'Search cleared.' });
      if (!isActive(snap.status)) return onHome();
      return set({ note: 'The run is active: x stops it (asks first); q quits (asks first).' });
    }
  }, active, bindKeys);

  // A modal takes the rows it needs; the log keeps what is left above it (see runLayout).
  const modalHeight = layout.modal;
  const modal = gate ? (
    <GateModal gate={gate} stepLabel={stepLabel(snap, gate.step)} destructive={!!gateStep?.destructive || gate.kind === 'type-host'} typed={local.typed} wrong={local.wrong} width={rightWidth} height={modalHeight} />
  ) : failure ? (
    <FailureModal failure={failure} stepLabel={stepLabel(snap, failure.step)} destructive={!!failStep?.destructive} choices={choices} width={rightWidth} height={modalHeight} />
  ) : null;
  const paneHeight = layout.log;
  const pane = (
    <>
    {standing && layout.standing > 0 ? <StandingBox standing={standing} width={rightWidth} height={layout.standing} /> : null}
    {paneHeight > 0 ? <LogPane
      window={win}
      total={logLines.length + snap.logFirstSeq}
      trimmed={snap.logFirstSeq}
      following={local.log.follow}
      query={searching && !searching.editing ? searching.query : searching?.query}
      currentMatch={searching?.current}
      width={rightWidth}
      height={paneHeight}
    /> : null}
    {modal}
    {layout.journal > 0 ? <JournalPane view={journal} domain={domain} width={rightWidth} height={layout.journal} /> : null}
    </>
  );
  const panel = snap.panel && layout.panel > 0 ? <ClusterPanel panel={snap.panel} domain={domain} width={side ? rightWidth : width} height={layout.panel} /> : null;
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
    <Box flexDirection="column" width={rightWidth}>
      {side ? panel : null}
      <Box width={rightWidth} height={1}>
        {cmd ? (
          <Txt tone={cmd.tone} bold wrap="truncate">
            {cmd.text}
          </Txt>
        ) : (
          <Txt dim={isActive(snap.status)} bold={!isActive(snap.status)} wrap="truncate">
            {isActive(snap.status) ? '(between commands)' : (endNote(snap, { declinedGate: local.declinedGate }) ?? '')}
          </Txt>
        )}
      </Box>
      {pane}
    </Box>
  );
  const status = searchStatus(local.log, snap.log);
  // Journal run ids carry the procedure id (20261125-042150-etcd-backup-unjo): name it once, so the
  // headline ("✓ FINISHED OK: 9 steps done, 1 skipped") is not cut at 80 columns.
  const title = snap.runId.includes(snap.procedure) ? `RUN ${snap.runId} ` : `RUN ${snap.procedure} ${snap.runId} `;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box width={width} height={1}>
        <Text wrap="truncate">
          <Txt bold>{title}</Txt>
          <Txt bold tone={headline.tone} inverse={snap.status === 'waiting-gate' || snap.status === 'waiting-failure'}>
            {truncate(headline.text, Math.max(10, width - title.length))}
          </Txt>
        </Text>
      </Box>
      {side ? (
        <Box flexDirection="row" width={width}>
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
        <Text wrap="truncate">
          <Txt bold>{`/${searching.query}`}</Txt>
          {searching.editing ? <Txt inverse> </Txt> : null}
          <Txt dim>{`  ${searching.editing ? 'Enter: newest match · Esc: cancel' : `${status} · n next (newer) · N previous (older) · Esc clears`}`}</Txt>
        </Text>
      ) : null}
      {local.confirmStop ? (
        <Txt tone="warn" bold wrap="truncate">
          Stop the run at the next safe point (the running command is cancelled; resume later)? y stop · any other key: go on
        </Txt>
      ) : local.note ? (
        <Txt tone="warn" wrap="truncate">
          {local.note}
        </Txt>
      ) : null}
    </Box>
  );
}

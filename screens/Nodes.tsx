// Nodes: every node as `oc get nodes` knows it (status with a mark, roles, schedulable, pod count, kubelet
// version), the selected node in full under the list, and the outcome of the last cordon / uncordon.
// c / u cordon and uncordon, Enter opens the node's pods, d opens the drain options (DrainModal), r reads
// the list again, / filters. Renders what the NodesControl holds; never runs anything itself.
import { useEffect, useRef } from 'react';
import { Box, Text, type Key } from 'ink';
import type { DrainOptions } from '../src/nodes/drain.js';
import { commonDomain, scrollOffset } from '../src/model/home.js';
import {
  initialDrainForm,
  moveNode,
  nodeCells,
  nodeDetail,
  nodeRows,
  nodesSummary,
  nodeTable,
  reduceDrainForm,
  schedulableRefusal,
  selectedNode,
  submitDrainForm,
  wrapRows,
  type DrainForm,
  type NodesView,
} from '../src/model/nodes-view.js';
import { truncate } from '../src/model/text.js';
import { DrainModal } from './components/DrainModal.js';
import type { NodesControl } from './hooks/useNodes.js';
import { useKeys, useLatestState, type BindKeys } from './hooks/useKeys.js';
import { nodesFooter, type FooterKeys } from './keys.js';
import { Txt, type Tone } from './theme.js';

export interface NodesProps {
  nodes: NodesControl;
  /** The view kept by the App across visits (selection, filter). */
  memory: { current: NodesView };
  /** The node whose drain is still running, if one is. */
  activeDrain?: string;
  onOpenPods: (node: string) => void;
  /** Starts the drain (the App holds its session and shows it); returns a sentence when it could not. */
  onDrain: (options: DrainOptions) => string | undefined;
  /** Shows the drain that is running. */
  onShowDrain: () => void;
  onBack: () => void;
  onGlobal: (what: 'quit' | 'help') => void;
  onFooter?: (keys: FooterKeys) => void;
  bindKeys?: BindKeys;
  width: number;
  height: number;
  active: boolean;
}

interface Local {
  view: NodesView;
  form?: DrainForm;
  note?: { text: string; tone?: Tone };
}

function clock(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

export function Nodes({ nodes, memory, activeDrain, onOpenPods, onDrain, onShowDrain, onBack, onGlobal, onFooter, bindKeys, width, height, active }: NodesProps) {
  const { data } = nodes;
  const [local, getLocal, setLocalRaw] = useLatestState<Local>(() => ({ view: { ...memory.current, filtering: false } }));
  const setLocal = (next: Local) => {
    memory.current = next.view;
    setLocalRaw(next);
  };
  const list = data.list?.nodes ?? [];
  const domain = commonDomain(list);
  const rows = nodeRows(list, local.view.filter, domain);
  const latest = useRef({ rows, data });
  latest.current = { rows, data };
  const prevOffset = useRef(0);

  // First visit: read the list (later visits show what was read; r reads again).
  useEffect(() => {
    if (nodes.available && !nodes.data.list && !nodes.data.loading) nodes.refresh();
  }, []);

  const form = local.form;
  const mode = !nodes.available ? 'unavailable' : form ? (form.field === 'grace' || form.field === 'timeout' || form.field === 'confirm' ? 'modal-text' : 'modal') : local.view.filtering ? 'filter' : 'list';
  useEffect(() => {
    onFooter?.(nodesFooter(mode));
  }, [mode]);

  useKeys(
    (input: string, key: Key) => {
      const l = getLocal();
      const { rows, data } = latest.current;
      const set = (patch: Partial<Local>) => setLocal({ ...getLocal(), note: undefined, ...patch });
      // eslint-disable-next-line no-control-regex
      const text = input.replace(/[\x00-\x1f\x7f]/g, '');
      if (!nodes.available) {
        if (input === 'q') return onGlobal('quit');
        if (input === '?') return onGlobal('help');
        if (key.escape) return onBack();
        return;
      }
      if (l.form) {
        const f = l.form;
        if (key.escape) return set({ form: undefined, note: { text: `Drain of ${f.node} not started.` } });
        if (key.return) {
          const pods = data.pods.get(f.node);
          // The typed name confirms the list of bare pods shown: it must be there first.
          if (f.force && (!pods || pods.loading)) return set({ form: { ...f, error: 'Still reading the pods: the bare pods --force deletes are listed first.' } });
          const r = submitDrainForm(f);
          if (!r.options) return set({ form: r.form });
          const err = onDrain(r.options);
          return err ? set({ form: { ...r.form, error: err } }) : set({ form: undefined });
        }
        const act = (a: Parameters<typeof reduceDrainForm>[1]) => set({ form: reduceDrainForm(f, a) });
        if (key.tab) return act({ type: 'move', delta: key.shift ? -1 : 1 });
        if (key.downArrow) return act({ type: 'move', delta: 1 });
        if (key.upArrow) return act({ type: 'move', delta: -1 });
        if (key.backspace || key.delete) return act({ type: 'backspace' });
        if (key.ctrl && input === 'u') return act({ type: 'clear' });
        if (input === ' ') return act({ type: 'toggle' });
        if (text && !key.ctrl && !key.meta) return act({ type: 'text', text });
        return;
      }
      if (l.view.filtering) {
        const setFilter = (filter: string) => set({ view: { ...l.view, filter } });
        if (key.return) return set({ view: { ...l.view, filtering: false } });
        if (key.escape) return set({ view: { ...l.view, filtering: false, filter: '' } });
        if (key.backspace || key.delete) return setFilter([...l.view.filter].slice(0, -1).join(''));
        if (key.downArrow) return set({ view: { ...l.view, selected: moveNode(rows, l.view.selected, 1) } });
        if (key.upArrow) return set({ view: { ...l.view, selected: moveNode(rows, l.view.selected, -1) } });
        if (text && !key.ctrl && !key.meta) return setFilter(l.view.filter + text);
        return;
      }
      const move = (delta: number) => set({ view: { ...l.view, selected: moveNode(rows, l.view.selected, delta) } });
      const sel = selectedNode(rows, l.view.selected);
      if (input === 'q') return onGlobal('quit');
      if (input === '?') return onGlobal('help');
      if (key.escape) {
        if (l.view.filter) return set({ view: { ...l.view, filter: '' }, note: { text: 'Filter cleared (Esc again: Home).' } });
        return onBack();
      }
      // Over a slow link several presses of one key can arrive as one chunk ("jjj"): move that many.
      const n = /^([jk])\1*$/.test(input) ? input.length : 1;
      if (input[0] === 'j' || key.downArrow) return move(n);
      if (input[0] === 'k' || key.upArrow) return move(-n);
      if (key.pageDown) return move(10);
      if (key.pageUp) return move(-10);
      if (input === 'g' || key.home) return move(-Infinity);
      if (input === 'G' || key.end) return move(Infinity);
      if (input === '/') return set({ view: { ...l.view, filtering: true } });
      if (input === 'r') {
        nodes.refresh();
        return set({ note: { text: 'Reading the nodes again…' } });
      }
      if (!sel) {
        if (key.return || input === 'c' || input === 'u' || input === 'd') return set({ note: { text: data.list ? 'No node selected (the list is empty; Esc clears the filter).' : 'The nodes are not read yet (r reads them).', tone: 'warn' } });
        return;
      }
      const node = sel.node;
      if (key.return) return onOpenPods(node.name);
      if (input === 'c' || input === 'u') {
        const schedulable = input === 'u';
        if (data.busy.has(node.name)) return set({ note: { text: `${node.name}: the last ${data.busy.get(node.name)} has not answered yet.`, tone: 'warn' } });
        const why = schedulableRefusal(node, schedulable);
        if (why) return set({ note: { text: why } });
        nodes.clearNote();
        nodes.setSchedulable(node.name, schedulable);
        return set({ note: undefined });
      }
      if (input === 'd') {
        if (activeDrain) {
          onShowDrain();
          return;
        }
        nodes.loadPods(node.name);
        return set({ form: initialDrainForm(node.name) });
      }
    },
    active,
    bindKeys,
  );

  if (!nodes.available) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Txt tone="warn" bold wrap="wrap">
          {'! Node operations are not available in this console (no oc runner was given to it). Use oc adm manage-node / oc adm drain from the shell instead.'}
        </Txt>
        <Txt dim>Esc back to Home.</Txt>
      </Box>
    );
  }

  if (form) {
    const node = list.find((n) => n.name === form.node);
    const pods = data.pods.get(form.node);
    return (
      <Box flexDirection="column" width={width} height={height} overflow="hidden">
        <DrainModal form={form} node={node} pods={pods?.loading ? undefined : pods?.pods} podsError={pods?.loading ? undefined : pods?.error} oc={nodes.oc} width={width} height={height} />
      </Box>
    );
  }

  const table = nodeTable(rows, Math.max(20, width - 2));
  const sel = selectedNode(rows, local.view.selected);
  // The note line: a refusal of this screen, a cordon in flight, its outcome, a read problem, a hint.
  const busy = sel && data.busy.get(sel.node.name);
  const note: { text: string; tone?: Tone; bold?: boolean } = local.note
    ? local.note
    : busy
      ? { text: `… ${busy === 'cordon' ? 'cordoning' : 'uncordoning'} ${sel!.node.name}: oc adm manage-node ${sel!.node.name} --schedulable=${busy === 'uncordon'}`, tone: 'busy' }
      : data.note
        ? { text: `${data.note.tone === 'ok' ? '✓' : '✗'} ${data.note.text}`, tone: data.note.tone === 'ok' ? 'ok' : 'bad', bold: data.note.tone === 'bad' }
        : data.error && data.list
          ? { text: `✗ Could not read the nodes again: ${data.error}`, tone: 'bad' }
          : activeDrain
            ? { text: `… A drain of ${activeDrain} is running: d shows it.`, tone: 'busy' }
            : data.list?.podCountProblem
              ? { text: `! Pods not counted: ${data.list.podCountProblem}`, tone: 'warn' }
              : { text: 'Enter: its pods · c cordon · u uncordon · d drain (options first) · r refresh' };
  const detail = sel ? nodeDetail(sel.node) : [];
  const noteRows = wrapRows(note.text, width, 2);
  // title, header, the rule, two rows of detail, the note (one or two rows)
  const listHeight = Math.max(1, height - 3 - 2 - noteRows.length);
  const index = sel ? rows.indexOf(sel) : -1;
  const offset = scrollOffset(prevOffset.current, index, listHeight, rows.length);
  prevOffset.current = offset;
  const shown = rows.slice(offset, offset + listHeight);

  const filterText = local.view.filtering || local.view.filter ? ` /${local.view.filter}${local.view.filtering ? '█' : ''}` : '';
  const range = rows.length > listHeight ? ` ${offset + 1}-${offset + shown.length}/${rows.length}` : '';
  const when = data.loading ? '… reading' : data.readAt ? `read ${clock(data.readAt)}` : '';
  const summary = data.list ? ` — ${nodesSummary(list)}` : '';
  // The domain the names leave out, when there is room for it.
  const withDomain = `NODES${filterText}${range}${domain ? ` (${domain})` : ''}${summary}`;
  const title = [...withDomain].length + when.length + 1 <= width ? withDomain : `NODES${filterText}${range}${summary}`;

  let body;
  if (!data.list) {
    body = data.error ? (
      <>
        <Txt tone="bad" bold wrap="wrap">{`✗ Could not read the nodes: ${data.error}`}</Txt>
        <Txt dim>r tries again · Esc back to Home</Txt>
      </>
    ) : (
      <Txt tone="busy">… reading the nodes: oc get nodes -o json</Txt>
    );
  } else if (rows.length === 0) {
    body = <Txt dim>{local.view.filter ? `No node matches "${local.view.filter}" (Esc clears the filter).` : 'oc get nodes lists no node.'}</Txt>;
  } else {
    body = shown.map((r) => {
      const on = r.key === sel?.key;
      const [name, status, roles, schedCell, pods, kubelet] = nodeCells(r, table);
      const gap = ' '.repeat(table.sep);
      const schedTone: Tone | undefined = r.node.schedulable ? undefined : 'warn';
      return (
        <Box key={r.key} width={width} height={1}>
          <Text wrap="truncate">
            <Txt bold={on} inverse={on}>{`${on ? '›' : ' '} ${name}${gap}`}</Txt>
            <Txt inverse={on} bold={on || r.statusTone === 'bad'} tone={on ? undefined : r.statusTone === 'ok' ? undefined : r.statusTone}>
              {status}
            </Txt>
            <Txt inverse={on} bold={on}>{`${gap}${roles}${gap}`}</Txt>
            <Txt inverse={on} bold={on} tone={on ? undefined : schedTone}>
              {schedCell}
            </Txt>
            <Txt inverse={on} bold={on}>{`${gap}${pods}${gap}${kubelet}`}</Txt>
          </Text>
        </Box>
      );
    });
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box width={width} height={1}>
        <Box flexGrow={1} flexShrink={1}>
          <Txt bold wrap="truncate">
            {title}
          </Txt>
        </Box>
        {when ? (
          <Box flexShrink={0}>
            <Txt dim wrap="truncate">{` ${when}`}</Txt>
          </Box>
        ) : null}
      </Box>
      <Txt dim wrap="truncate">
        {`  ${table.header}`}
      </Txt>
      <Box flexDirection="column" height={listHeight} overflow="hidden">
        {body}
      </Box>
      <Txt dim wrap="truncate">
        {'─'.repeat(Math.max(1, width))}
      </Txt>
      {detail.map((d, i) => (
        <Txt key={i} bold={i === 0} wrap="truncate">
          {truncate(d, width)}
        </Txt>
      ))}
      {detail.length === 0 ? (
        <>
          <Txt> </Txt>
          <Txt> </Txt>
        </>
      ) : null}
      {noteRows.map((t, i) => (
        <Txt key={`n${i}`} tone={note.tone} bold={note.bold} wrap="truncate">
          {t}
        </Txt>
      ))}
    </Box>
  );
}

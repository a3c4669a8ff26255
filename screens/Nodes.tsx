// Nodes: every node as `oc get nodes` knows it (status with a mark, roles, schedulable, pod count, kubelet
// version), the selected node in full under the list, and the outcome of the last cordon / uncordon.
// c / u cordon and uncordon, Enter opens the node's pods, d opens the drain options (DrainModal), r reads
// the list again, / filters; every key once, in NODES_KEYS, which gives the handler, the footer and the
// Nodes part of the `?` page. Renders what the NodesControl holds; never runs anything itself.

import { Box, Text } from 'ink';
import { type ReactNode, useEffect, useRef } from 'react';
import { commonDomain, scrollOffset } from '../src/model/home.js';
import {
  type DrainForm,
  initialDrainForm,
  initialNodesView,
  moveNode,
  type NodesView,
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
} from '../src/model/nodes-view.js';
import { truncate } from '../src/model/text.js';
import type { DrainOptions } from '../src/nodes/drain.js';
import { DrainModal } from './components/DrainModal.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import type { NodesControl } from './hooks/useNodes.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { type Tone, Txt } from './theme.js';

export interface NodesProps extends ScreenFrameProps {
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
}

interface Local {
  view: NodesView;
  form?: DrainForm;
  note?: { text: string; tone?: Tone };
}

/** What the Nodes keys act on: the screen's state at the key press and what it can ask for. */
export interface NodesKeyContext extends GlobalContext {
  available: boolean;
  local: Local;
  rows: ReturnType<typeof nodeRows>;
  data: NodesControl['data'];
  nodes: NodesControl;
  activeDrain?: string;
  /** Changes the screen's state (the note goes unless given). */
  set: (patch: Partial<Local>) => void;
  onOpenPods: (node: string) => void;
  onDrain: (options: DrainOptions) => string | undefined;
  onShowDrain: () => void;
  onBack: () => void;
}

type C = NodesKeyContext;
const unavailable = (c: C) => !c.available;
const inForm = (c: C) => c.available && !!c.local.form;
const formText = (c: C) => inForm(c) && ['grace', 'timeout', 'confirm'].includes(c.local.form!.field);
const filtering = (c: C) => c.available && !c.local.form && c.local.view.filtering;
const inList = (c: C) => c.available && !c.local.form && !c.local.view.filtering;
const formAct = (c: C, a: Parameters<typeof reduceDrainForm>[1]) => c.set({ form: reduceDrainForm(c.local.form!, a) });
const setView = (c: C, patch: Partial<NodesView>) => c.set({ view: { ...c.local.view, ...patch } });
const moveBy = (c: C, delta: number) => setView(c, { selected: moveNode(c.rows, c.local.view.selected, delta) });

/** The selected node, or a note saying why there is none (and undefined). */
function selected(c: C) {
  const sel = selectedNode(c.rows, c.local.view.selected);
  if (!sel)
    c.set({
      note: {
        text: c.data.list ? 'No node selected (the list is empty; Esc clears the filter).' : 'The nodes are not read yet (r reads them).',
        tone: 'warn',
      },
    });
  return sel?.node;
}

function setSchedulable(c: C, schedulable: boolean) {
  const node = selected(c);
  if (!node) return;
  if (c.data.busy.has(node.name))
    return c.set({ note: { text: `${node.name}: the last ${c.data.busy.get(node.name)} has not answered yet.`, tone: 'warn' } });
  const why = schedulableRefusal(node, schedulable);
  if (why) return c.set({ note: { text: why } });
  c.nodes.clearNote();
  c.nodes.setSchedulable(node.name, schedulable);
  c.set({ note: undefined });
}

/** The Nodes screen's keys: the list, its filter, the drain options form, and without an oc runner. */
export const NODES_KEYS: Keymap<NodesKeyContext> = [
  // the list
  {
    keys: ['enter'],
    when: inList,
    footer: 'pods',
    description: "the selected node's pods (owner kind, emptyDir: what a drain meets)",
    action: (c) => {
      const node = selected(c);
      if (node) c.onOpenPods(node.name);
    },
  },
  {
    keys: ['c'],
    when: inList,
    footer: 'cordon',
    description: 'cordon the selected node: no new pods on it (oc adm manage-node --schedulable=false)',
    action: (c) => setSchedulable(c, false),
  },
  {
    keys: ['u'],
    when: inList,
    footer: 'uncordon',
    description: 'uncordon the selected node (oc adm manage-node --schedulable=true)',
    action: (c) => setSchedulable(c, true),
  },
  {
    keys: ['d'],
    when: inList,
    footer: 'drain',
    description:
      'drain the selected node: an options form first (↑↓ Tab move, Space toggles, Enter starts, ' +
      'Esc cancels); with --force the bare pods lost for good are listed and the node name must ' +
      'be typed exactly. While a drain runs: show it',
    action: (c) => {
      if (c.activeDrain) return c.onShowDrain();
      const node = selected(c);
      if (!node) return;
      c.nodes.loadPods(node.name);
      c.set({ form: initialDrainForm(node.name) });
    },
  },
  {
    keys: ['r'],
    when: inList,
    footer: 'refresh',
    description: 'read the nodes again (oc get nodes)',
    action: (c) => {
      c.nodes.refresh();
      c.set({ note: { text: 'Reading the nodes again…' } });
    },
  },
  {
    keys: ['/'],
    when: inList,
    footer: 'filter',
    description: 'filter the list by name, role or status as you type (Enter keeps it, Esc clears it)',
    action: (c) => setView(c, { filtering: true }),
  },
  {
    keys: ['esc'],
    when: inList,
    footer: 'back',
    description: 'clear the filter; without one, back to Home',
    action: (c) => {
      if (c.local.view.filter) return c.set({ view: { ...c.local.view, filter: '' }, note: { text: 'Filter cleared (Esc again: Home).' } });
      c.onBack();
    },
  },
  // exactly 80 columns: the arrows and q go unsaid in the footer (the help lists them)
  helpKey<C>({ when: inList, footer: 'help' }),
  quitKey<C>({ when: inList }),
  ...movementKeys<C>({ when: inList, move: moveBy, what: 'the selection' }),
  // the filter prompt (/)
  {
    keys: ['enter'],
    when: filtering,
    footer: 'keep filter',
    description: 'filter: keep it and go back to the list',
    action: (c) => setView(c, { filtering: false }),
  },
  {
    keys: ['esc'],
    when: filtering,
    footer: 'clear',
    description: 'filter: clear it',
    action: (c) => setView(c, { filtering: false, filter: '' }),
  },
  {
    keys: ['up', 'down'],
    label: '↑ ↓',
    footerLabel: '↑↓',
    when: filtering,
    footer: 'move',
    description: 'filter: move in the list while typing',
    action: (c, p) => moveBy(c, p.is('down') ? 1 : -1),
  },
  {
    keys: ['backspace'],
    when: filtering,
    description: 'filter: delete a character',
    action: (c) => setView(c, { filter: [...c.local.view.filter].slice(0, -1).join('') }),
  },
  {
    keys: ['text'],
    when: filtering,
    description: 'filter: by name, role or status, as you type',
    action: (c, p) => setView(c, { filter: c.local.view.filter + p.text }),
  },
  // the drain options form (d)
  {
    keys: ['up', 'down', 'tab', 'shift-tab'],
    label: '↑ ↓ Tab',
    footerLabel: '↑↓ Tab',
    when: inForm,
    footer: 'field',
    description: 'drain form: the next / previous option',
    action: (c, p) => formAct(c, { type: 'move', delta: p.is('up', 'shift-tab') ? -1 : 1 }),
  },
  {
    keys: ['space'],
    when: inForm,
    footer: 'toggle',
    footerWhen: (c) => !formText(c),
    description: 'drain form: turn the option on / off',
    action: (c) => formAct(c, { type: 'toggle' }),
  },
  {
    keys: ['text'],
    when: inForm,
    footer: 'the value',
    footerWhen: formText,
    description: 'drain form: the grace period, the timeout, or the node name that confirms --force',
    action: (c, p) => formAct(c, { type: 'text', text: p.text }),
  },
  {
    keys: ['enter'],
    when: inForm,
    footer: 'start the drain',
    description: 'drain form: start the drain with these options',
    action: (c) => {
      const f = c.local.form!;
      const pods = c.data.pods.get(f.node);
      // The typed name confirms the list of bare pods shown: it must be there first.
      if (f.force && (!pods || pods.loading))
        return c.set({ form: { ...f, error: 'Still reading the pods: the bare pods --force deletes are listed first.' } });
      const r = submitDrainForm(f);
      if (!r.options) return c.set({ form: r.form });
      const err = c.onDrain(r.options);
      return err ? c.set({ form: { ...r.form, error: err } }) : c.set({ form: undefined });
    },
  },
  {
    keys: ['esc'],
    when: inForm,
    footer: 'cancel',
    description: 'drain form: cancel (nothing is started)',
    action: (c) => c.set({ form: undefined, note: { text: `Drain of ${c.local.form!.node} not started.` } }),
  },
  { keys: ['backspace'], when: inForm, description: 'drain form: delete a character', action: (c) => formAct(c, { type: 'backspace' }) },
  { keys: ['ctrl-u'], when: inForm, description: 'drain form: clear the field', action: (c) => formAct(c, { type: 'clear' }) },
  // without node operations
  {
    keys: ['esc'],
    when: unavailable,
    footer: 'back',
    description: 'without node operations (no oc runner): back to Home',
    action: (c) => c.onBack(),
  },
  helpKey<C>({ when: unavailable, footer: 'help' }),
  quitKey<C>({ when: unavailable, footer: 'quit' }),
];

/** The list's footer, for the App to show until the screen hands its own (the same entries). */
export const NODES_LIST_FOOTER: FooterKeys = footerOf(NODES_KEYS, {
  available: true,
  local: { view: initialNodesView() },
} as NodesKeyContext);

function clock(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

export function Nodes(props: NodesProps) {
  const { nodes, memory, activeDrain, onOpenPods, onDrain, onShowDrain } = props;
  const { onBack, onGlobal, onFooter, bindKeys, width, height, active } = useScreen(props);
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
  // Once, on mount: with its dependencies a failed read (no list, not loading) would read again at once, in a loop.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on mount (above)
  useEffect(() => {
    if (nodes.available && !nodes.data.list && !nodes.data.loading) nodes.refresh();
  }, []);

  const form = local.form;

  const context = (): NodesKeyContext => {
    const { rows, data } = latest.current;
    return {
      available: nodes.available,
      local: getLocal(),
      rows,
      data,
      nodes,
      activeDrain,
      set: (patch) => setLocal({ ...getLocal(), note: undefined, ...patch }),
      onOpenPods,
      onDrain,
      onShowDrain,
      onBack,
      onGlobal,
    };
  };
  useScreenKeys(NODES_KEYS, context, { active, bindKeys, onFooter });

  if (!nodes.available) {
    return (
      <Box flexDirection='column' width={width} height={height}>
        <Txt tone='warn' bold wrap='wrap'>
          {'! Node operations are not available in this console (no oc runner was given to it). Use ' +
            'oc adm manage-node / oc adm drain from the shell instead.'}
        </Txt>
        <Txt dim>Esc back to Home.</Txt>
      </Box>
    );
  }

  if (form) {
    const node = list.find((n) => n.name === form.node);
    const pods = data.pods.get(form.node);
    return (
      <Box flexDirection='column' width={width} height={height} overflow='hidden'>
        <DrainModal
          form={form}
          node={node}
          pods={pods?.loading ? undefined : pods?.pods}
          podsError={pods?.loading ? undefined : pods?.error}
          oc={nodes.oc}
          width={width}
          height={height}
        />
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
      ? {
          text:
            `… ${busy === 'cordon' ? 'cordoning' : 'uncordoning'} ${sel!.node.name}: oc adm ` +
            `manage-node ${sel!.node.name} --schedulable=${busy === 'uncordon'}`,
          tone: 'busy',
        }
      : data.note
        ? {
            text: `${data.note.tone === 'ok' ? '✓' : '✗'} ${data.note.text}`,
            tone: data.note.tone === 'ok' ? 'ok' : 'bad',
            bold: data.note.tone === 'bad',
          }
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

  let body: ReactNode;
  if (!data.list) {
    body = data.error ? (
      <>
        <Txt tone='bad' bold wrap='wrap'>{`✗ Could not read the nodes: ${data.error}`}</Txt>
        <Txt dim>r tries again · Esc back to Home</Txt>
      </>
    ) : (
      <Txt tone='busy'>… reading the nodes: oc get nodes -o json</Txt>
    );
  } else if (rows.length === 0) {
    body = (
      <Txt dim>{local.view.filter ? `No node matches "${local.view.filter}" (Esc clears the filter).` : 'oc get nodes lists no node.'}</Txt>
    );
  } else {
    body = shown.map((r) => {
      const on = r.key === sel?.key;
      const [name, status, roles, schedCell, pods, kubelet] = nodeCells(r, table);
      const gap = ' '.repeat(table.sep);
      const schedTone: Tone | undefined = r.node.schedulable ? undefined : 'warn';
      return (
        <Box key={r.key} width={width} height={1}>
          <Text wrap='truncate'>
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
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Box width={width} height={1}>
        <Box flexGrow={1} flexShrink={1}>
          <Txt bold wrap='truncate'>
            {title}
          </Txt>
        </Box>
        {when ? (
          <Box flexShrink={0}>
            <Txt dim wrap='truncate'>{` ${when}`}</Txt>
          </Box>
        ) : null}
      </Box>
      <Txt dim wrap='truncate'>
        {`  ${table.header}`}
      </Txt>
      <Box flexDirection='column' height={listHeight} overflow='hidden'>
        {body}
      </Box>
      <Txt dim wrap='truncate'>
        {'─'.repeat(Math.max(1, width))}
      </Txt>
      {detail.map((d, i) => (
        <Txt key={i} bold={i === 0} wrap='truncate'>
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
        <Txt key={`n${i}`} tone={note.tone} bold={note.bold} wrap='truncate'>
          {t}
        </Txt>
      ))}
    </Box>
  );
}

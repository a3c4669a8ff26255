// The pods on one node: namespace, name, status, owner (kind and name: DC, RC, RS, DS, StatefulSet,
// Job, bare, static) and whether it keeps local data in an emptyDir — what a drain will meet. The
// selected pod in full under the list. Read when the screen opens; r reads again. Its keys: NODE_PODS_KEYS.

import { Box, Text } from 'ink';
import { type ReactNode, useEffect, useRef } from 'react';
import { effectiveSelection, moveSelection, scrollOffset } from '../src/model/home.js';
import { podCells, podDetail, podRows, podsSummary, podTable, wrapRows } from '../src/model/nodes-view.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import type { NodesControl } from './hooks/useNodes.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { Txt } from './theme.js';

export interface NodePodsProps extends ScreenFrameProps {
  node: string;
  nodes: NodesControl;
}

/** What the keys of a node's pods act on. */
export interface NodePodsKeyContext extends GlobalContext {
  /** The pods listed, by key, in their order. */
  keys: readonly string[];
  selected?: string;
  select: (key: string | undefined) => void;
  refresh: () => void;
  onBack: () => void;
}

type C = NodePodsKeyContext;

/** The keys of a node's pods (the list has no other mode). */
export const NODE_PODS_KEYS: Keymap<NodePodsKeyContext> = [
  ...movementKeys<C>({
    move: (c, d) => c.select(moveSelection(c.keys, effectiveSelection(c.keys, c.selected), d)),
    what: 'the selected pod',
    footer: ['↑↓', 'move'],
  }),
  { keys: ['r'], footer: 'refresh', description: "read the node's pods again", action: (c) => c.refresh() },
  { keys: ['esc'], footer: 'nodes', description: 'back to the Nodes list (on the node it came from)', action: (c) => c.onBack() },
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
];

export const NODE_PODS_FOOTER: FooterKeys = footerOf(NODE_PODS_KEYS, {} as NodePodsKeyContext);

export function NodePods(props: NodePodsProps) {
  const { node, nodes } = props;
  const { onBack, onGlobal, onFooter, bindKeys, width, height, active } = useScreen(props);
  const data = nodes.data.pods.get(node);
  const rows = podRows(data?.pods ?? []);
  const keys = rows.map((r) => r.key);
  const [local, getLocal, setLocal] = useLatestState<{ selected?: string }>(() => ({}));
  const latest = useRef(keys);
  latest.current = keys;
  const prevOffset = useRef(0);

  // Always read afresh: the pods move (a drain, a deployment) while the list is away.
  // (loadPods is the same function as long as the App's node service is: `nodes` itself changes with every answer)
  const { loadPods } = nodes;
  useEffect(() => {
    loadPods(node);
  }, [node, loadPods]);
  const context = (): NodePodsKeyContext => ({
    keys: latest.current,
    selected: getLocal().selected,
    select: (selected) => setLocal({ ...getLocal(), selected }),
    refresh: () => nodes.loadPods(node),
    onBack,
    onGlobal,
  });
  useScreenKeys(NODE_PODS_KEYS, context, { active, bindKeys, onFooter }, NODE_PODS_FOOTER);

  const table = podTable(rows, Math.max(20, width - 2));
  const sel = rows.find((r) => r.key === local.selected) ?? rows[0];
  // title, summary, header, the rule, two rows of detail, the note
  const listHeight = Math.max(1, height - 7);
  const index = sel ? rows.indexOf(sel) : -1;
  const offset = scrollOffset(prevOffset.current, index, listHeight, rows.length);
  prevOffset.current = offset;
  const shown = rows.slice(offset, offset + listHeight);
  const range = rows.length > listHeight ? ` ${offset + 1}-${offset + shown.length}/${rows.length}` : '';
  const summary = data?.pods ? podsSummary(data.pods) : data?.loading ? '… reading' : '';

  let body: ReactNode;
  if (!data?.pods) {
    body = data?.error ? (
      <>
        <Txt tone='bad' bold wrap='wrap'>{`✗ Could not list the pods on ${node}: ${data.error}`}</Txt>
        <Txt dim>r tries again · Esc back to the nodes</Txt>
      </>
    ) : (
      <Txt tone='busy'>{`… reading the pods: oc get pods --all-namespaces --field-selector spec.nodeName=${node}`}</Txt>
    );
  } else if (rows.length === 0) {
    body = <Txt dim>No pod on this node.</Txt>;
  } else {
    body = shown.map((r) => {
      const on = r.key === sel?.key;
      const [ns, name, status, owner, local] = podCells(r, table);
      const gap = ' '.repeat(table.sep);
      return (
        <Box key={r.key} width={width} height={1}>
          <Text wrap='truncate'>
            <Txt bold={on} inverse={on}>{`${on ? '›' : ' '} ${ns}${gap}${name}${gap}`}</Txt>
            <Txt bold={on || !!r.tone} inverse={on} tone={on ? undefined : r.tone}>
              {status}
            </Txt>
            <Txt bold={on} inverse={on}>{`${gap}${owner}${gap}`}</Txt>
            <Txt bold={on || r.pod.emptyDir} inverse={on}>
              {local}
            </Txt>
          </Text>
        </Box>
      );
    });
  }
  const note =
    data?.error && data.pods
      ? { text: `✗ Could not read the pods again: ${data.error}`, tone: 'bad' as const }
      : data?.loading && data.pods
        ? { text: '… reading the pods again', tone: 'busy' as const }
        : { text: 'emptyDir: its data goes with the pod · bare: nothing recreates it · r refresh' };

  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Txt bold wrap='truncate'>
        {`PODS ON ${node}${range}`}
      </Txt>
      <Txt wrap='truncate'>{summary || ' '}</Txt>
      <Txt dim wrap='truncate'>
        {`  ${table.header}`}
      </Txt>
      <Box flexDirection='column' height={listHeight} overflow='hidden'>
        {body}
      </Box>
      <Txt dim wrap='truncate'>
        {'─'.repeat(Math.max(1, width))}
      </Txt>
      {(sel ? wrapRows(podDetail(sel.pod), width, 2) : [' ', ' '])
        .concat(' ')
        .slice(0, 2)
        .map((d, i) => (
          <Txt key={i} bold={i === 0} wrap='truncate'>
            {d}
          </Txt>
        ))}
      <Txt tone={note.tone} wrap='truncate'>
        {note.text}
      </Txt>
    </Box>
  );
}

// Every key, and what each connectivity state means and what to do about it.
import type { ConnectivityState } from '../src/transport/types.js';
import { CONNECTIVITY_LABELS } from '../src/model/connectivity.js';
import { Pager, type Line } from './components/Pager.js';
import { KEY_HELP } from './keys.js';
import { POD_DRAIN_MARKS } from '../src/model/nodes-view.js';

const DRAIN_STATES = ['pending', 'evicting', 'retrying', 'evicted', 'failed', 'skipped', 'left'] as const;
const DRAIN_MARKS = DRAIN_STATES.map((s) => POD_DRAIN_MARKS[s].mark).join('');
const DRAIN_WORDS = `${DRAIN_STATES.map((s) => `${POD_DRAIN_MARKS[s].mark} ${POD_DRAIN_MARKS[s].word}`).join(', ')} (left: a DaemonSet or static pod the drain leaves; ↻ a PodDisruptionBudget refused the eviction, the drain retries)`;

export interface HelpProps {
  width: number;
  height: number;
  active: boolean;
  demo?: boolean;
}

const STATES: ConnectivityState[] = ['checking', 'ok', 'auth-failed', 'host-key-unknown', 'host-key-changed', 'unreachable'];

export function helpLines(demo = false): Line[] {
  const lines: Line[] = [{ text: 'KEYS', bold: true }];
  for (const k of KEY_HELP) lines.push({ text: `  ${k.keys.padEnd(15)} ${k.what}`, indent: ' '.repeat(18) });
  lines.push({ text: '' }, { text: 'HOST CONNECTIVITY (Home, left pane)', bold: true });
  for (const s of STATES) {
    const l = CONNECTIVITY_LABELS[s];
    lines.push({ text: `  ${l.symbol} ${l.word}`, tone: l.tone === 'busy' ? undefined : l.tone, bold: true });
    lines.push({ text: `      ${l.meaning}`, indent: '      ' });
    lines.push({ text: `      What to do: ${l.action}`, indent: '      ' });
  }
  lines.push(
    { text: '' },
    { text: 'MARKS', bold: true },
    { text: '  ›            the selected row; ▶ and a double border: the focused pane', indent: ' '.repeat(15) },
    { text: '  name ○       a procedure or check of the guide that is not built yet', indent: ' '.repeat(15) },
    { text: '  +etcd,node   the host\'s other roles (it is listed under its first role)', indent: ' '.repeat(15) },
    { text: '  ⚠ WARNING    a problem found in the inventory itself', indent: ' '.repeat(15) },
    { text: '  ✓ ✗          Nodes: Ready / NotReady; SCHED ✓ yes, ✗ no (cordoned: SchedulingDisabled)', indent: ' '.repeat(15) },
    { text: `  ${DRAIN_MARKS.padEnd(13)}Drain, per pod: ${DRAIN_WORDS}`, indent: ' '.repeat(15) },
  );
  if (demo) lines.push({ text: '' }, { text: 'DEMO: this is the built-in simulated cluster; no host is contacted.', tone: 'demo', bold: true });
  return lines;
}

export function Help({ width, height, active, demo }: HelpProps) {
  return <Pager title="HELP" lines={helpLines(demo)} width={width} height={height} active={active} />;
}

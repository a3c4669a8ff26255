// The `?` page: the keys of the screen it was opened on first, then the keys of every screen, then those
// of the other screens (each from its keymap); what each connectivity state means and what to do about
// it; the marks.

import { CONNECTIVITY_LABELS } from '../src/model/connectivity.js';
import type { Route } from '../src/model/console-state.js';
import { POD_DRAIN_MARKS } from '../src/model/nodes-view.js';
import type { ConnectivityState } from '../src/transport/types.js';
import { type Line, Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { DRAIN_KEYS } from './DrainView.js';
import { HEALTH_CELL_KEYS, HOST_KEYS, PROCEDURE_DETAIL_KEYS } from './details.js';
import { HEALTH_KEYS } from './Health.js';
import { HOME_KEYS } from './Home.js';
import { INFO_KEYS } from './InfoPage.js';
import { GLOBAL_HELP, type HelpEntry, type HelpSection, helpOf } from './keymap.js';
import { NODE_PODS_KEYS } from './NodePods.js';
import { NODES_KEYS } from './Nodes.js';
import { PROCEDURE_KEYS } from './Procedure.js';
import { RESUME_KEYS } from './ResumeOffer.js';
import { RUNS_KEYS } from './Runs.js';
import { RUN_KEYS } from './RunView.js';

const DRAIN_STATES = ['pending', 'evicting', 'retrying', 'evicted', 'failed', 'skipped', 'left'] as const;
const DRAIN_MARKS = DRAIN_STATES.map((s) => POD_DRAIN_MARKS[s].mark).join('');
const DRAIN_WORDS =
  `${DRAIN_STATES.map((s) => `${POD_DRAIN_MARKS[s].mark} ${POD_DRAIN_MARKS[s].word}`).join(', ')} (left: a ` +
  `DaemonSet or static pod the drain leaves; ↻ a PodDisruptionBudget refused the eviction, the drain retries)`;

export interface HelpProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active'> {
  demo?: boolean;
  /** The screen the help was opened on: its keys come first. */
  screen?: Route['screen'];
  /** It was opened on an info page of the guide (a 'procedure' route whose entry is guidance). */
  info?: boolean;
}

const INFO_HELP = helpOf('An info page of the guide', INFO_KEYS);

/** The screens whose keys are declared in a keymap, each with its part of the help. */
const SCREEN_HELP: readonly { screens: readonly Route['screen'][]; section: HelpSection }[] = [
  { screens: ['home'], section: helpOf('Home', HOME_KEYS) },
  { screens: ['health'], section: helpOf('Health', HEALTH_KEYS) },
  { screens: ['health-cell'], section: helpOf('A health cell in full', HEALTH_CELL_KEYS) },
  { screens: ['host'], section: helpOf("A host's detail", HOST_KEYS) },
  { screens: ['nodes'], section: helpOf('Nodes', NODES_KEYS) },
  { screens: ['node-pods'], section: helpOf("A node's pods", NODE_PODS_KEYS) },
  { screens: ['drain'], section: helpOf('Drain', DRAIN_KEYS) },
  { screens: ['resume'], section: helpOf('A run was interrupted', RESUME_KEYS) },
  { screens: ['runs'], section: helpOf('Runs', RUNS_KEYS) },
  { screens: ['run'], section: helpOf('Run', RUN_KEYS) },
  { screens: ['procedure'], section: helpOf('Procedure (form, plan)', PROCEDURE_KEYS) },
  // a procedure not built yet: the App opens the help on it without a screen (see App.tsx, case 'help')
  { screens: [], section: helpOf('A procedure not built yet (its detail)', PROCEDURE_DETAIL_KEYS) },
  // an info page: the App opens the help on it with `info` (routes.tsx, help)
  { screens: [], section: INFO_HELP },
];

/** Every screen's part of the help (one per screen keymap). */
export function screenSections(): HelpSection[] {
  return SCREEN_HELP.map((s) => s.section);
}

/** The help of one screen; undefined when its keys are not declared in a keymap. */
export function screenHelp(screen: Route['screen'] | undefined): HelpSection | undefined {
  return SCREEN_HELP.find((s) => screen !== undefined && s.screens.includes(screen))?.section;
}

// The keys in a column of 16 ('PgDn PgUp Space' and a space), what they do after it.
const keyLine = (k: HelpEntry) => ({ text: `  ${k.keys.padEnd(16)} ${k.what}`, indent: ' '.repeat(19) });

const HEALTH_MARKS = '✓ ! ✗ E - … ·';

const STATES: ConnectivityState[] = ['checking', 'ok', 'auth-failed', 'host-key-unknown', 'host-key-changed', 'unreachable'];

export function helpLines(demo = false, screen?: Route['screen'], info = false): Line[] {
  const here = info ? INFO_HELP : screenHelp(screen);
  const lines: Line[] = [];
  if (here) {
    lines.push({ text: `KEYS HERE: ${here.title.toUpperCase()}`, bold: true });
    for (const k of here.entries) lines.push(keyLine(k));
    lines.push({ text: '' });
  }
  lines.push({ text: 'KEYS ON EVERY SCREEN', bold: true });
  for (const k of GLOBAL_HELP) lines.push(keyLine(k));
  lines.push({ text: '' }, { text: here ? 'KEYS OF THE OTHER SCREENS' : 'KEYS OF EACH SCREEN', bold: true });
  for (const s of screenSections()) {
    if (s === here) continue;
    lines.push({ text: `  ${s.title}`, bold: true });
    for (const k of s.entries) lines.push(keyLine(k));
  }
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
    { text: "  +etcd,node   the host's other roles (it is listed under its first role)", indent: ' '.repeat(15) },
    { text: '  ⚠ WARNING    a problem found in the inventory itself', indent: ' '.repeat(15) },
    { text: '  ✓ ✗          Nodes: Ready / NotReady; SCHED ✓ yes, ✗ no (cordoned: SchedulingDisabled)', indent: ' '.repeat(15) },
    { text: `  ${DRAIN_MARKS.padEnd(13)}Drain, per pod: ${DRAIN_WORDS}`, indent: ' '.repeat(15) },
    {
      text: `  ${HEALTH_MARKS} Health cells: ok, warn, fail, error (could not check), skipped, running, pending; blank: does not apply`,
      indent: ' '.repeat(15),
    },
  );
  if (demo)
    lines.push({ text: '' }, { text: 'DEMO: this is the built-in simulated cluster; no host is contacted.', tone: 'demo', bold: true });
  return lines;
}

export function Help(props: HelpProps) {
  const { demo, screen, info } = props;
  const { width, height, active } = useScreen(props);
  const here = info ? INFO_HELP : screenHelp(screen);
  return (
    <Pager
      title={here ? `HELP — ${here.title}` : 'HELP'}
      lines={helpLines(demo, screen, info)}
      width={width}
      height={height}
      active={active}
    />
  );
}

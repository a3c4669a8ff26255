// A screen's keys, declared once: each entry says which keys, when they apply (a predicate on the screen's
// state), what they do in the operator's words, and the action. From that one list come the screen's input
// handler (dispatchKey, useKeymap), its footer line (footerOf) and its part of the `?` page (helpOf).
// Movement in a list (j/k, arrows, PgUp/PgDn, Space, Ctrl-D/Ctrl-U, g/G, Home/End) is one set of entries
// (movementKeys), the same on every list.
import type { Key } from 'ink';

/**
 * Key names: a printable character is itself ('j', 'G', '/', '?'); then 'enter', 'esc', 'tab', 'shift-tab',
 * 'up', 'down', 'left', 'right', 'pgup', 'pgdn', 'home', 'end', 'space', 'backspace', 'ctrl-<letter>';
 * 'text' matches any printable text (a text field), 'any' matches every key.
 */
export type KeyName = string;

/** One key press as an action sees it. */
export interface Press {
  input: string;
  key: Key;
  /** The names this press answers to (see KeyName). */
  names: readonly KeyName[];
  /** The printable text typed (control characters removed); '' for a special key or a Ctrl combination. */
  text: string;
  /** The press answers to one of these names. */
  is(...names: KeyName[]): boolean;
}

export interface KeyEntry<C> {
  keys: readonly KeyName[];
  /** When the entry applies; absent: always (on this screen). */
  when?: (c: C) => boolean;
  /** What it does, in the operator's words (the `?` page). */
  description: string;
  action: (c: C, press: Press) => void;
  /** The word after the key in the footer; absent: not in the footer. */
  footer?: string;
  /** Shown in the footer only in these states (of those where it applies). */
  footerWhen?: (c: C) => boolean;
  /** The keys as shown (footer and help); default: from `keys`. */
  label?: string;
  /** The keys as shown in the footer only (it is short: 'jk', '↑↓'). */
  footerLabel?: string;
  /** One of the keys every screen has (?, q, Ctrl-C): listed once, after the screen's own, on the `?` page. */
  global?: boolean;
}

export type Keymap<C> = readonly KeyEntry<C>[];

export type FooterKeys = [string, string][];

/** One line of the `?` page. */
export interface HelpEntry {
  keys: string;
  what: string;
}

/** A screen's part of the `?` page: its name and its keys. */
export interface HelpSection {
  title: string;
  entries: readonly HelpEntry[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/g;

/** The names a press answers to. */
export function keyNames(input: string, key: Key): KeyName[] {
  const names: KeyName[] = [];
  if (key.return) names.push('enter');
  if (key.escape) names.push('esc');
  if (key.tab) names.push(key.shift ? 'shift-tab' : 'tab');
  if (key.upArrow) names.push('up');
  if (key.downArrow) names.push('down');
  if (key.leftArrow) names.push('left');
  if (key.rightArrow) names.push('right');
  if (key.pageUp) names.push('pgup');
  if (key.pageDown) names.push('pgdn');
  if (key.home) names.push('home');
  if (key.end) names.push('end');
  if (key.backspace || key.delete) names.push('backspace');
  if (names.length) return names;
  if (key.ctrl && /^[a-z]$/i.test(input)) return [`ctrl-${input.toLowerCase()}`];
  // A Ctrl combination that arrived inside a chunk (see splitKeypresses): the raw control character.
  if (input.length === 1 && input.charCodeAt(0) >= 1 && input.charCodeAt(0) <= 26)
    return [`ctrl-${String.fromCharCode(input.charCodeAt(0) + 96)}`];
  if (input === ' ') return ['space'];
  if ([...input].length === 1 && !key.meta) return [input];
  return [];
}

export function press(input: string, key: Key): Press {
  const names = keyNames(input, key);
  const text = key.ctrl || key.meta ? '' : input.replace(CONTROL, '');
  return { input, key, names, text, is: (...n) => n.some((x) => names.includes(x)) };
}

function matches(entry: KeyEntry<unknown>, p: Press): boolean {
  return entry.keys.some((k) => (k === 'any' ? true : k === 'text' ? p.text !== '' : p.names.includes(k)));
}

/** The entry a press triggers in this state: the first that applies and names the key. */
export function entryFor<C>(keymap: Keymap<C>, c: C, p: Press): KeyEntry<C> | undefined {
  return keymap.find((e) => (!e.when || e.when(c)) && matches(e as KeyEntry<unknown>, p));
}

/** Runs the action of the press; false when no entry takes it. */
export function dispatchKey<C>(keymap: Keymap<C>, c: C, input: string, key: Key): boolean {
  const p = press(input, key);
  const e = entryFor(keymap, c, p);
  if (!e) return false;
  e.action(c, p);
  return true;
}

const SHOWN: Record<string, string> = {
  enter: 'Enter',
  esc: 'Esc',
  tab: 'Tab',
  'shift-tab': 'Shift-Tab',
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pgup: 'PgUp',
  pgdn: 'PgDn',
  home: 'Home',
  end: 'End',
  space: 'Space',
  backspace: 'Backspace',
  text: 'type',
  any: 'any other key',
};

/** A key name as the operator reads it: 'Enter', '↓', 'Ctrl-D'. */
export function showKey(name: KeyName): string {
  if (SHOWN[name]) return SHOWN[name]!;
  if (name.startsWith('ctrl-')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return name;
}

export function entryLabel(e: KeyEntry<unknown>): string {
  return e.label ?? e.keys.map(showKey).join(' ');
}

/** The footer line in this state: the entries that apply and have a footer word, in their order. */
export function footerOf<C>(keymap: Keymap<C>, c: C): FooterKeys {
  return keymap
    .filter((e) => e.footer !== undefined && (!e.when || e.when(c)) && (!e.footerWhen || e.footerWhen(c)))
    .map((e) => [e.footerLabel ?? entryLabel(e as KeyEntry<unknown>), e.footer!]);
}

/** The screen's own keys for the `?` page (the global ones are listed once, apart), one line per entry. */
export function helpOf(title: string, keymap: Keymap<never> | Keymap<unknown>): HelpSection {
  const seen = new Set<string>();
  const entries: HelpEntry[] = [];
  for (const e of keymap as Keymap<unknown>) {
    if (e.global || !e.description) continue;
    const line = { keys: entryLabel(e), what: e.description };
    const id = `${line.keys}\n${line.what}`;
    if (seen.has(id)) continue;
    seen.add(id);
    entries.push(line);
  }
  return { title, entries };
}

/** What every screen can ask the App for. */
export interface GlobalContext {
  onGlobal: (what: 'quit' | 'help') => void;
}

/** The footer and help entry of a page whose Pager scrolls itself (movementKeys there): it only says so. */
export function pagerScrollKey<C>(): KeyEntry<C> {
  return {
    keys: [],
    label: 'j k ↓ ↑ PgDn PgUp g G',
    footerLabel: 'jk',
    footer: 'scroll',
    description: 'scroll the page (also Space, Ctrl-D / Ctrl-U, Home / End)',
    action: () => {},
  };
}

/** `?`: this screen's help. */
export function helpKey<C extends GlobalContext>(opts: { when?: (c: C) => boolean; footer?: string } = {}): KeyEntry<C> {
  return {
    keys: ['?'],
    when: opts.when,
    footer: opts.footer,
    global: true,
    description: "this screen's keys, then every screen's (again: close)",
    action: (c) => c.onGlobal('help'),
  };
}

/** `q`: quit (the App asks first while a run or a drain is active). */
export function quitKey<C extends GlobalContext>(opts: { when?: (c: C) => boolean; footer?: string } = {}): KeyEntry<C> {
  return {
    keys: ['q'],
    when: opts.when,
    footer: opts.footer,
    global: true,
    description: 'quit (asks first while a run or a drain is active)',
    action: (c) => c.onGlobal('quit'),
  };
}

/** The keys of every screen, for the `?` page (their actions live with each screen, or in the App). */
export const GLOBAL_HELP: readonly HelpEntry[] = [
  { keys: '?', what: "this help: the current screen's keys first; ? or Esc closes it" },
  { keys: 'q', what: 'quit (asks first while a run or a drain is active)' },
  { keys: 'Ctrl-C', what: 'quit; a second Ctrl-C confirms when it asks' },
  { keys: ':', what: 'jump to a procedure by id (Tab completes, Enter opens it); on Home, Health and the detail pages' },
];

export interface Movement<C> {
  /** When the list takes movement keys (e.g. not while a text field has the keys). */
  when?: (c: C) => boolean;
  /** Move by `delta` rows; -Infinity / Infinity: to the first / last. */
  move: (c: C, delta: number) => void;
  /** Rows in a page (PgUp/PgDn, Space); Ctrl-D/Ctrl-U move half of it. Default 10. */
  page?: (c: C) => number;
  /** What moves, for the `?` page ('the selection', 'the log'). */
  what?: string;
  /** The footer of the j/k entry, when the screen shows one: [label, word]. */
  footer?: [string, string];
  /** What G does, when it is more than "to the bottom" (the run log: follow the tail again). */
  bottom?: string;
  /** The footer of the g/G entry, when the screen shows one (the run log: ['G', 'follow']). */
  endsFooter?: [string, string];
}

/** The movement keys of a list or a scrolled text, the same everywhere. */
export function movementKeys<C>(m: Movement<C>): KeyEntry<C>[] {
  const what = m.what ?? 'the selection';
  const page = (c: C) => Math.max(1, m.page ? m.page(c) : 10);
  return [
    {
      keys: ['j', 'k', 'down', 'up'],
      label: 'j k ↓ ↑',
      when: m.when,
      description: `move ${what} down / up`,
      ...(m.footer ? { footerLabel: m.footer[0], footer: m.footer[1] } : {}),
      action: (c, p) => m.move(c, p.is('j', 'down') ? 1 : -1),
    },
    {
      keys: ['pgdn', 'pgup', 'space', 'ctrl-d', 'ctrl-u'],
      label: 'PgDn PgUp Space',
      when: m.when,
      description: `move ${what} a page down / up (Space: down; Ctrl-D / Ctrl-U: half a page)`,
      action: (c, p) => {
        const n = page(c);
        const half = Math.max(1, Math.floor(n / 2));
        m.move(c, p.is('pgdn', 'space') ? n : p.is('pgup') ? -n : p.is('ctrl-d') ? half : -half);
      },
    },
    {
      keys: ['g', 'G', 'home', 'end'],
      label: 'g G Home End',
      when: m.when,
      description: `move ${what} to the top / ${m.bottom ?? 'bottom'}`,
      ...(m.endsFooter ? { footerLabel: m.endsFooter[0], footer: m.endsFooter[1] } : {}),
      action: (c, p) => m.move(c, p.is('g', 'home') ? -Infinity : Infinity),
    },
  ];
}

// The hooks of screens/keymap.ts: a screen's keys declared once (useScreenKeys: its keymap as its input
// handler and its footer handed to the App), and the movement keys of a component that has nothing but
// them (the Pager).
import { useEffect, useMemo, useRef } from 'react';
import type { ScreenFrame } from '../context.js';
import { dispatchKey, type FooterKeys, footerOf, type Keymap, movementKeys } from '../keymap.js';
import { type BindKeys, useKeys } from './useKeys.js';

/**
 * A screen's keys, from its one keymap: every key press goes to it (useKeymap, with the context
 * `context()` returns at that moment), and the App gets the footer line — `footerOf(keymap, context())`,
 * the keys that apply in the screen's state now, or `footer` when the screen gives it (fixed per state).
 */
export function useScreenKeys<C>(
  keymap: Keymap<C>,
  context: () => C,
  frame: Pick<ScreenFrame, 'active' | 'bindKeys' | 'onFooter'>,
  footer?: FooterKeys,
): void {
  useKeymap(keymap, context, frame.active, frame.bindKeys);
  useFooter(frame.onFooter, footer ?? footerOf(keymap, context()));
}

/**
 * Feeds every key press to the keymap, with the context `context()` returns at that moment (read the
 * latest state there: several presses can arrive before a re-render). See useKeys for `active`, `bind`.
 */
export function useKeymap<C>(keymap: Keymap<C>, context: () => C, active: boolean, bind?: BindKeys): void {
  useKeys((input, key) => void dispatchKey(keymap, context(), input, key), active, bind);
}

/** Hands the footer to the App whenever it changes. */
function useFooter(onFooter: ((keys: FooterKeys) => void) | undefined, keys: FooterKeys): void {
  const sig = JSON.stringify(keys);
  // Only when the footer's text changes: `keys` is a new array and the App's onFooter a new function on every
  // render, and onFooter sets the App's state: with them it would loop.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the footer's text changes (above)
  useEffect(() => {
    onFooter?.(keys);
  }, [sig]);
}

export interface ListMovement {
  /** Move by `delta` rows; ±Infinity: to the first / last. */
  move: (delta: number) => void;
  /** Rows in a page (PgUp/PgDn/Space); default 10. */
  page?: number;
}

/** The movement keys alone (movementKeys), for a component without other keys. */
export function useListMovement(movement: ListMovement, active: boolean, bind?: BindKeys): void {
  const ref = useRef(movement);
  ref.current = movement;
  const keymap = useMemo(() => movementKeys<ListMovement>({ move: (m, d) => m.move(d), page: (m) => m.page ?? 10 }), []);
  useKeymap(keymap, () => ref.current, active, bind);
}

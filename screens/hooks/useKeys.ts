// A screen's own key handler, fed one key press at a time (several presses can share one read over SSH:
// see splitKeypresses). Inactive while a prompt of the App (quit confirmation, `:` jump) is open.

import { type Key, useInput } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { splitKeypresses } from './splitKeypresses.js';

export type KeyHandler = (input: string, key: Key) => void;
/** The App's key router: a screen hands it its handler on every render (keys then never race a mount). */
export type BindKeys = (handler: KeyHandler) => void;

/**
 * With `bind` (inside the App), keys come from the App's one input handler, which queues the keys that
 * arrive before the screen has rendered (e.g. "⏎p" in one read); without it, from Ink directly.
 */
export function useKeys(handler: KeyHandler, active: boolean, bind?: BindKeys): void {
  const ref = useRef(handler);
  ref.current = handler;
  bind?.((input, key) => ref.current(input, key));
  useInput(
    (chunk, chunkKey) => {
      if (chunkKey.ctrl && chunk === 'c') return; // the App's: quit
      for (const [input, key] of splitKeypresses(chunk, chunkKey)) ref.current(input, key);
    },
    { isActive: active && !bind },
  );
}

/** State also readable between two key presses of one chunk, before React re-renders: [state, get, set]. */
export function useLatestState<T>(init: () => T): [T, () => T, (next: T) => void] {
  const [state, setState] = useState(init);
  const ref = useRef(state);
  const get = useCallback(() => ref.current, []);
  const set = useCallback((next: T) => {
    ref.current = next;
    setState(next);
  }, []);
  return [state, get, set];
}

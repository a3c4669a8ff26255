// What every screen gets from the App, whichever screen it is: its size, whether keys reach it (not while a
// prompt of the App is open), how it hands its key handler and its footer to the App, and what Esc-back,
// `?` and `q` do. The App provides it once around the current screen (App.tsx, routes.tsx); a screen reads
// it with useScreen(props), where a prop of the same name wins — the tests that render a screen alone pass
// these as props, as before.
import { createContext, useContext } from 'react';
import type { BindKeys } from './hooks/useKeys.js';
import type { FooterKeys } from './keymap.js';

export interface ScreenFrame {
  width: number;
  height: number;
  /** Keys reach the screen (false while a prompt of the App is open). */
  active: boolean;
  /** The App's key router (see useKeys); absent: the screen reads keys from Ink itself. */
  bindKeys?: BindKeys;
  /** A screen with modes of its own hands the App its footer line. */
  onFooter?: (keys: FooterKeys) => void;
  /** `q` and `?` go to the App (q asks first while a run or a drain is active). */
  onGlobal: (what: 'quit' | 'help') => void;
  /** Back to the screen under this one. */
  onBack: () => void;
}

/** The same values as props: each one given overrides the context's. */
export type ScreenFrameProps = Partial<ScreenFrame>;

export const ScreenContext = createContext<ScreenFrame | undefined>(undefined);

const nothing = () => {};
/** A screen rendered alone (no App around it) with none of the props: 80×24, keys from Ink, back/?/q do nothing. */
const ALONE: ScreenFrame = { width: 80, height: 24, active: true, onGlobal: nothing, onBack: nothing };

/** The screen's frame: each value from its props when given there, else from the App's ScreenContext. */
export function useScreen(props: ScreenFrameProps): ScreenFrame {
  const frame = useContext(ScreenContext) ?? ALONE;
  return {
    width: props.width ?? frame.width,
    height: props.height ?? frame.height,
    active: props.active ?? frame.active,
    bindKeys: props.bindKeys ?? frame.bindKeys,
    onFooter: props.onFooter ?? frame.onFooter,
    onGlobal: props.onGlobal ?? frame.onGlobal,
    onBack: props.onBack ?? frame.onBack,
  };
}

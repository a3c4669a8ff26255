// Reads the oc login once, in the background, when the console starts (the core's function, passed in):
// undefined without one, 'reading' until it answers, then the verdict. Never throws into the render.
import { useEffect, useState } from 'react';
import { type OcLoginVerdict, ocLoginUnreadable } from '../../src/model/oc-login.js';

export type OcLoginView = OcLoginVerdict | 'reading' | undefined;

export function useOcLogin(read: (() => Promise<OcLoginVerdict>) | undefined): OcLoginView {
  const [view, setView] = useState<OcLoginView>(read ? 'reading' : undefined);
  useEffect(() => {
    if (!read) return;
    let live = true;
    read().then(
      (v) => live && setView(v),
      (e: unknown) => live && setView(ocLoginUnreadable(e)),
    );
    return () => {
      live = false;
    };
  }, [read]);
  return view;
}

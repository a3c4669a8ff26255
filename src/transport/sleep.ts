// A wait that an AbortSignal ends early (a cancelled command, an Esc): shared by the demo's paced output
// and the Nodes screen's follow of the replacement pods.

/** Waits `ms`; resolves false when `signal` ended the wait first (or had already). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

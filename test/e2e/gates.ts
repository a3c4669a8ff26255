// A procedure run in the console, answered as a person would: at each gate read what the screen asks —
// the host name(s) to type for a type-host gate, y for a confirmation — until the run's headline says it
// ended. Shared by the lab's restore test and the DEMO rehearsal test.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TmuxSession } from './tmux.js';

/** The name a type-host gate asks for, read from the screen: beside the label, or on the lines under it. */
export function expectOnScreen(screen: string): string | undefined {
  const LABEL = 'type the host name exactly:';
  const lines = screen.split('\n');
  const i = lines.findIndex((l) => l.includes(LABEL));
  if (i < 0) return undefined;
  const inner = (l: string) =>
    l
      .replace(/^[║│]/, '')
      .replace(/[║│]\s*$/, '')
      .trim();
  const beside = inner(lines[i]!).split(LABEL)[1]!.trim();
  if (beside) return beside;
  const names: string[] = [];
  for (let k = i + 1; k < lines.length; k++) {
    const t = inner(lines[k]!);
    if (t.startsWith('[') || t === '') break;
    names.push(t);
  }
  return names.join('') || undefined;
}

/** The run view's headline of a procedure: `RUN <id> …`. */
export const headline = (s: string, id: string): string => s.split('\n').find((l) => new RegExp(`^RUN \\S*${id}`).test(l)) ?? '';
/** The gate modal's "step N/M …" label. */
export const gateStep = (s: string): string => /GATE {2}(step \d+\/\d+)/.exec(s)?.[1] ?? '?';

export interface Answered {
  step: string;
  kind: 'type-host' | 'confirm';
  typed?: string;
  screen: string;
}

/**
 * Answers every gate of the run of `id` until its headline says FINISHED/FAILED/ABORTED/STOPPED; returns the
 * gates answered and the last screen. `atGate` may wait for something on the screen before a gate is
 * answered (returning the screen to read the gate from).
 */
export async function answerGates(
  t: TmuxSession,
  id: string,
  deadlineMs: number,
  atGate?: (step: string, screen: string) => Promise<string>,
): Promise<{ answered: Answered[]; end: string }> {
  const answered: Answered[] = [];
  const deadline = Date.now() + deadlineMs;
  let last = '';
  for (;;) {
    assert.ok(Date.now() < deadline, `the run did not end in time; the screen was:\n${last}`);
    last = t.screen();
    if (/FINISHED OK|FAILED|ABORTED|STOPPED/.test(headline(last, id))) return { answered, end: last };
    if (/STEP FAILED/.test(last)) assert.fail(`a step failed:\n${last}`);
    if (/DESTRUCTIVE GATE|GATE {2}step/.test(last) && /What will change/.test(last)) {
      const step = gateStep(last);
      if (atGate) last = await atGate(step, last);
      if (/type the host name exactly/.test(last)) {
        const name = expectOnScreen(last);
        assert.ok(name, `no name to type on the screen:\n${last}`);
        answered.push({ step, kind: 'type-host', typed: name, screen: last });
        t.type(name);
        await t.waitFor((s) => s.includes(name.slice(-20)) && /\[ …?\S/.test(s), 'the name typed');
        t.keys('Enter');
      } else {
        assert.match(last, /Go on\? {2}y yes/);
        answered.push({ step, kind: 'confirm', screen: last });
        t.keys('y');
      }
      await t.waitFor((s) => gateStep(s) !== step || !/What will change/.test(s), `the gate of ${step} to close`, 30_000);
      continue;
    }
    await sleep(100);
  }
}

// Small fixtures for the screen and model tests: an inventory, a catalogue, and the one fake runner
// (whose probes the test answers by hand after holdProbes()).
import type { Inventory } from '../../src/inventory/types.js';
import type { CatalogueEntry } from '../../src/model/catalogue.js';
import { type HostExtra, testHost } from '../../src/testing/builders.js';

/** Where the screens' hosts were declared, as the parser gives it: line N of /etc/ansible/hosts, address 10.0.0.N. */
const declared = (groups: string[], line: number): HostExtra => ({
  address: `10.0.0.${line}`,
  user: 'cloud-user',
  become: true,
  groups,
  file: '/etc/ansible/hosts',
  line,
});

export function testInventory(source: Inventory['source'] = { kind: 'file', path: '/etc/ansible/hosts' }): Inventory {
  const hosts = [
    testHost('lb-0.example.com', ['lb'], declared(['OSEv3', 'lb'], 30)),
    testHost('node-0.example.com', ['node'], declared(['OSEv3', 'nodes'], 20)),
    testHost('master-0.example.com', ['master', 'etcd', 'node'], declared(['OSEv3', 'masters', 'etcd', 'nodes'], 10)),
    testHost('master-1.example.com', ['master', 'etcd', 'node'], declared(['OSEv3', 'masters', 'etcd', 'nodes'], 11)),
    testHost('infra-0.example.com', ['infra', 'node'], declared(['OSEv3', 'nodes'], 15)),
  ];
  return {
    source,
    hosts,
    groups: {
      masters: ['master-0.example.com', 'master-1.example.com'],
      etcd: ['master-0.example.com', 'master-1.example.com'],
      nodes: hosts.filter((h) => h.roles.includes('node')).map((h) => h.name),
      lb: ['lb-0.example.com'],
    },
    groupVars: {},
    warnings: [
      { file: '/etc/ansible/hosts', line: 12, message: 'etcd has 2 members (an even number): it tolerates no more failures than 1.' },
    ],
  };
}

function entry(e: Partial<CatalogueEntry> & Pick<CatalogueEntry, 'id' | 'chapter' | 'chapterTitle'>): CatalogueEntry {
  return {
    kind: 'procedure',
    title: e.id,
    section: '1.0',
    guideLine: 1,
    risk: 'read-only',
    built: false,
    summary: `Summary of ${e.id}.`,
    parameters: [],
    ...e,
  };
}

export function testCatalogue(): CatalogueEntry[] {
  return [
    entry({ id: 'ntp', kind: 'check', chapter: 2, chapterTitle: 'Run-once tasks', title: 'Time synchronisation', built: true }),
    entry({ id: 'fix-ntp', chapter: 2, chapterTitle: 'Run-once tasks', title: 'Turn NTP on', risk: 'low' }),
    entry({ id: 'etcd-health', kind: 'check', chapter: 3, chapterTitle: 'Health checks', title: 'etcd cluster health', built: true }),
    entry({
      id: 'etcd-backup',
      chapter: 4,
      chapterTitle: 'Backups',
      title: 'Back up etcd',
      section: '4.6',
      guideLine: 438,
      risk: 'medium',
      summary: 'Saves the etcd configuration and data of each member.',
      parameters: [
        { name: 'host', description: 'Member to back up', required: false, choices: { fromRole: 'etcd' } },
        { name: 'backup-dir', description: 'Where the backup goes', required: false, default: '/backup/etcd-DATE' },
      ],
    }),
    entry({ id: 'etcd-restore', chapter: 5, chapterTitle: 'Host tasks', title: 'Restore etcd', section: '5.4.2.1', risk: 'destructive' }),
  ];
}

/** The one fake runner (src/testing/fake-runner.ts): screens never run commands; their probes are answered with answerProbes() or held. */
export { FakeRunner } from '../../src/testing/fake-runner.js';

export const delay = (ms = 30) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * After a key press: waits until the rendered frame has stopped changing (unchanged for `quietMs`), at
 * most `maxMs`. A fixed delay made screen tests flaky on a loaded machine; this adapts to it.
 */
export async function settle(frame: () => string | undefined, quietMs = 60, maxMs = 2000): Promise<void> {
  await delay(30);
  const end = Date.now() + maxMs;
  let last = frame();
  let since = Date.now();
  while (Date.now() < end) {
    await delay(10);
    const now = frame();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/** The frame as text and a press() that types keys one at a time, each settled, for a rendered screen. */
export function keyboard(r: { stdin: { write(data: string): void }; lastFrame(): string | undefined }) {
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { frame, press };
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** The longest a screen test waits for what it expects: a bound for a busy machine, not a timing the test asserts. */
export const FRAME_BOUND_MS = 10_000;

/** Waits until cond() holds (polling), failing after timeoutMs (a bound for a busy machine, not a timing). */
export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = FRAME_BOUND_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/**
 * Waits until the frame (ANSI stripped) shows `expected` — a pattern, or a test of the whole frame — and returns it;
 * fails after FRAME_BOUND_MS. Turns the event loop at least once first, so what was just drawn has its input
 * listeners in place before the next key. Use it instead of a fixed delay before asserting a change.
 */
export async function untilFrame(
  lastFrame: () => string | undefined,
  expected: RegExp | ((frame: string) => boolean),
  what = `a frame with ${expected}`,
): Promise<string> {
  const ok = (f: string) => (expected instanceof RegExp ? expected.test(f) : expected(f));
  await delay(1);
  await waitFor(() => ok(stripAnsi(lastFrame())), what, FRAME_BOUND_MS).catch((e: Error) => {
    throw new Error(`${e.message}; the last frame:\n${stripAnsi(lastFrame())}`);
  });
  return stripAnsi(lastFrame());
}

/** Waits until cond() holds (after one turn of the event loop), at most FRAME_BOUND_MS: for a change that is not drawn. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  await delay(1);
  await waitFor(cond, what, FRAME_BOUND_MS);
}

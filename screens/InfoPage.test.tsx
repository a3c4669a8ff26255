// An info page of the guide at 80×24: its words and commands scroll in the box, n selects the next
// command (▶, scrolled into view), y copies the selected one, Enter opens the procedure the page offers,
// and the footer comes from INFO_KEYS. Opened from the App by id (:), its `?` shows its keys first.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { findEntry } from '../procedures/catalogue.js';
import { findInfoPage } from '../procedures/info-pages.js';
import { infoCommands } from '../src/model/info-page.js';
import { INFO_KEYS, InfoPage } from './InfoPage.js';
import { footerOf } from './keymap.js';
import { keyboard, untilFrame } from './testing/fixtures.js';
import { renderRunApp } from './testing/run-app.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
});

const pruning = findInfoPage('info-pruning')!;
const entry = findEntry('info-pruning')!;

function renderPage(props: {
  id?: string;
  copy?: (t: string) => void;
  onOpenProcedure?: (id: string) => void;
  footer?: (k: [string, string][]) => void;
}) {
  const id = props.id ?? 'info-pruning';
  const r = render(
    <InfoPage
      entry={findEntry(id)!}
      page={findInfoPage(id)!}
      context={{}}
      width={80}
      height={21}
      active
      copy={props.copy}
      onOpenProcedure={props.onOpenProcedure}
      onFooter={props.footer}
    />,
  );
  return { ...r, ...keyboard(r) };
}

test('the pruning page fits 80×24, scrolls, and selects and copies its commands', async () => {
  const copied: string[] = [];
  const { frame, press } = renderPage({ copy: (t) => copied.push(t) });
  let f = await untilFrame(frame, /GUIDE 6\.5/);
  assert.equal(f.split('\n').length, 21);
  for (const l of f.split('\n')) assert.ok([...l].length <= 80, l);
  assert.match(f, /lines 1-18\/\d+/);
  assert.match(f, /▶ \$ oc adm prune builds --orphans/);
  await press('y');
  assert.deepEqual(copied, [infoCommands(pruning, {})[0]!.command]);
  assert.match(frame(), /Copied: oc adm prune builds/);
  // the last command is below the fold: selecting it scrolls it into view
  const last = infoCommands(pruning, {}).length - 1;
  await press(...Array.from({ length: last }, () => 'n'));
  f = frame();
  assert.match(f, /▶ \$ oc adm prune images .*/);
  await press('y');
  assert.equal(copied[1], infoCommands(pruning, {})[last]!.command);
  assert.match(copied[1]!, /--confirm$/);
  await press('n');
  f = frame();
  assert.match(f, /# builds that would go\s*║\n║▶ \$ oc adm prune builds --orphans/, 'back to the first, with what it is for');
});

test('Enter opens the procedure the page offers; the footer comes from INFO_KEYS', async () => {
  const opened: string[] = [];
  const footers: [string, string][][] = [];
  const { press } = renderPage({ onOpenProcedure: (id) => opened.push(id), footer: (k) => footers.push(k) });
  await press('\r');
  assert.deepEqual(opened, ['prune']);
  const shown = footers.at(-1)!.map(([k, w]) => `${k} ${w}`);
  assert.ok(shown.includes('Enter run it') && shown.includes('y copy cmd') && shown.includes('n Tab next cmd'), shown.join(', '));
  assert.deepEqual(
    footers.at(-1),
    footerOf(INFO_KEYS, { commands: ['x'], selected: 0, procedure: 'prune', set: () => {}, back: () => {}, onGlobal: () => {} }),
  );
});

test('a page without a procedure has no Enter in its footer; copying without a clipboard says so', async () => {
  const footers: [string, string][][] = [];
  const { frame, press } = renderPage({ id: 'info-prometheus', footer: (k) => footers.push(k) });
  await untilFrame(frame, /technology preview/i);
  assert.ok(!footers.at(-1)!.some(([k]) => k === 'Enter'));
  await press('y');
  assert.match(frame(), /Copying is not available in this build/);
});

test('in the App, : opens an info page by id, ? shows its keys first, Esc goes back', async () => {
  const app = renderRunApp({ entries: [entry] });
  disposers.push(app.dispose);
  const { frame, press } = app;
  await untilFrame(frame, /▶ HOSTS/);
  await press(':', 'info-pruning', '\r');
  let f = await untilFrame(frame, /GUIDE 6\.5 Pruning/);
  assert.match(f, /y copy cmd/);
  await press('?');
  f = await untilFrame(frame, /HELP — An info page of the guide/);
  assert.match(f, /KEYS HERE: AN INFO PAGE OF THE GUIDE/);
  await press('\x1b');
  await untilFrame(frame, /GUIDE 6\.5 Pruning/);
  await press('\x1b');
  await untilFrame(frame, /▶ PROCEDURES/);
});

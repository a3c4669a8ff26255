// One of the guide's info pages (a catalogue entry of kind 'info'): what to do, in short words, and the
// commands, one of them selected (n / N) to copy with y (OSC 52). A page that has a procedure doing the
// same opens it with Enter. The content is the core's (procedures/info-*.ts); this only renders it.
// Its keys: INFO_KEYS.
import { Box } from 'ink';
import { useMemo } from 'react';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import { type InfoPage as InfoContent, type InfoPageContext, infoCommands, infoPageLines, lineOfCommand } from '../src/model/info-page.js';
import { Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import { type GlobalContext, helpKey, type Keymap, pagerScrollKey, quitKey } from './keymap.js';
import { Txt } from './theme.js';

export interface InfoPageProps
  extends Pick<ScreenFrameProps, 'width' | 'height' | 'active' | 'bindKeys' | 'onGlobal' | 'onBack' | 'onFooter'> {
  entry: CatalogueEntry;
  page: InfoContent;
  context: InfoPageContext;
  /** Puts text on the operator's clipboard (OSC 52). */
  copy?: (text: string) => void;
  /** Opens the procedure the page offers. */
  onOpenProcedure?: (id: string) => void;
}

/** What the keys of an info page act on. */
export interface InfoKeyContext extends GlobalContext {
  commands: readonly string[];
  selected: number;
  procedure?: string;
  set: (patch: { selected?: number; note?: string }) => void;
  copy?: (text: string) => void;
  openProcedure?: (id: string) => void;
  back: () => void;
}

type C = InfoKeyContext;
const step = (c: C, d: number) => c.set({ selected: (c.selected + d + c.commands.length) % Math.max(1, c.commands.length), note: '' });

/** The keys of an info page. */
export const INFO_KEYS: Keymap<InfoKeyContext> = [
  { keys: ['esc'], footer: 'back', description: 'back one screen', action: (c) => c.back() },
  {
    keys: ['enter'],
    footer: 'run it',
    when: (c) => !!c.procedure,
    description: 'open the procedure that does what the page describes (its form, then the plan)',
    action: (c) => (c.openProcedure && c.procedure ? c.openProcedure(c.procedure) : c.set({ note: 'Opening it is not available here.' })),
  },
  {
    keys: ['n', 'tab'],
    footer: 'next cmd',
    when: (c) => c.commands.length > 0,
    description: 'select the next command (▶)',
    action: (c) => step(c, 1),
  },
  { keys: ['N', 'shift-tab'], when: (c) => c.commands.length > 0, description: 'select the previous command', action: (c) => step(c, -1) },
  {
    keys: ['y'],
    footer: 'copy cmd',
    when: (c) => c.commands.length > 0,
    description: 'copy the selected command (▶) to your clipboard (OSC 52)',
    action: (c) => {
      const command = c.commands[c.selected];
      if (!command) return;
      if (!c.copy) return c.set({ note: 'Copying is not available in this build.' });
      c.copy(command);
      c.set({ note: `Copied: ${command}` });
    },
  },
  pagerScrollKey<C>(),
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
];

export function InfoPage(props: InfoPageProps) {
  const { entry, page, context, copy, onOpenProcedure } = props;
  const frame = useScreen(props);
  const { width, height, active, bindKeys, onFooter, onGlobal, onBack } = frame;
  // The page's sections are built once per page shown, not on every App re-render (the Pager re-wraps new lines).
  const path = context.inventoryPath;
  const commands = useMemo(() => infoCommands(page, { inventoryPath: path }).map((c) => c.command), [page, path]);
  const [local, getLocal, setLocal] = useLatestState<{ selected: number; note: string }>(() => ({ selected: 0, note: '' }));
  const keyContext = (): InfoKeyContext => ({
    commands,
    selected: getLocal().selected,
    ...(page.procedure ? { procedure: page.procedure.id } : {}),
    set: (patch) => setLocal({ ...getLocal(), ...patch }),
    copy,
    openProcedure: onOpenProcedure,
    back: onBack,
    onGlobal,
  });
  useScreenKeys(INFO_KEYS, keyContext, { active, bindKeys, onFooter });
  const lines = useMemo(() => infoPageLines(page, { inventoryPath: path }, local.selected), [page, path, local.selected]);
  const pagerHeight = local.note ? height - 1 : height;
  return (
    <Box flexDirection='column' width={width} height={height}>
      <Pager
        title={`GUIDE ${entry.section} ${entry.title}`}
        lines={lines}
        width={width}
        height={pagerHeight}
        active={active}
        follow={lineOfCommand(lines, local.selected)}
      />
      {local.note ? (
        <Txt tone='ok' wrap='truncate'>
          {local.note}
        </Txt>
      ) : null}
    </Box>
  );
}

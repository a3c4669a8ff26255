// An info page of the guide (a section that is guidance, not a procedure): what to do, in short operator's
// words, and the commands, each one copyable. The content is declared in procedures/info-*.ts; this turns
// it into the lines a screen shows and says which line holds which command.

/** One command the page offers, with what it is for. */
export interface InfoCommand {
  what: string;
  command: string;
}

export interface InfoSection {
  heading: string;
  /** Short paragraphs in the operator's words. */
  text: readonly string[];
  commands?: readonly InfoCommand[];
}

/** What a page may know of the console it is shown in (e.g. the inventory file it loaded). */
export interface InfoPageContext {
  /** The inventory file the console loaded; undefined in the DEMO. */
  inventoryPath?: string;
}

export interface InfoPage {
  /** The catalogue entry it belongs to (kind 'info'). */
  id: string;
  /** One line: what the page is about. */
  lead: string;
  sections: (ctx: InfoPageContext) => readonly InfoSection[];
  /** A procedure that does what the page describes (Enter on the page opens it). */
  procedure?: { id: string; what: string };
}

export interface InfoLine {
  text: string;
  bold?: boolean;
  dim?: boolean;
  indent?: string;
  /** Index of the command this line shows (in `infoCommands` order). */
  command?: number;
}

/** Every command of the page, in the order shown. */
export function infoCommands(page: InfoPage, ctx: InfoPageContext): InfoCommand[] {
  return page.sections(ctx).flatMap((s) => s.commands ?? []);
}

/** The page's lines; the selected command is marked (▶) so `y` says which one it copies. */
export function infoPageLines(page: InfoPage, ctx: InfoPageContext, selected: number): InfoLine[] {
  const lines: InfoLine[] = [{ text: page.lead, bold: true }];
  if (page.procedure) lines.push({ text: `Enter: ${page.procedure.what} (procedure ${page.procedure.id}).` });
  let n = 0;
  for (const s of page.sections(ctx)) {
    lines.push({ text: '' }, { text: s.heading.toUpperCase(), bold: true });
    for (const t of s.text) lines.push({ text: t });
    for (const c of s.commands ?? []) {
      lines.push({ text: `  # ${c.what}`, dim: true, indent: '    # ' });
      lines.push({ text: `${n === selected ? '▶ ' : '  '}$ ${c.command}`, bold: n === selected, indent: '      ', command: n });
      n++;
    }
  }
  return lines;
}

/** The line index of a command (to scroll it into view). */
export function lineOfCommand(lines: readonly InfoLine[], command: number): number {
  return Math.max(
    0,
    lines.findIndex((l) => l.command === command),
  );
}

// `day2-tui list [--json]`: every check, procedure and guidance section, with its parameters.

import { CATALOGUE, entriesByChapter } from '../../procedures/catalogue.js';
import type { CatalogueEntry, ParameterInfo } from '../model/catalogue.js';

export interface ListedProcedure {
  id: string;
  kind: CatalogueEntry['kind'];
  title: string;
  chapter: number;
  section: string;
  guideLine: number;
  risk: CatalogueEntry['risk'];
  built: boolean;
  summary: string;
  parameters: ParameterInfo[];
}

export interface ListJson {
  procedures: ListedProcedure[];
}

/** The `list --json` document: every catalogue entry, in catalogue order. */
export function listJson(entries: readonly CatalogueEntry[] = CATALOGUE): ListJson {
  return {
    procedures: entries.map((e) => ({
      id: e.id,
      kind: e.kind,
      title: e.title,
      chapter: e.chapter,
      section: e.section,
      guideLine: e.guideLine,
      risk: e.risk,
      built: e.built,
      summary: e.summary,
      parameters: e.parameters.map((p) => ({ ...p })),
    })),
  };
}

/** `host*=<etcd host>`, `method=set-ntp|chrony (set-ntp)`, `password*=<secret>`. */
export function describeParameter(p: ParameterInfo): string {
  let value: string;
  if (p.secret) value = '<secret>';
  else if (p.choices && 'fromRole' in p.choices) value = `<${p.choices.fromRole} host>`;
  else if (p.choices) value = p.choices.values.join('|');
  else value = '<text>';
  const dflt = p.default !== undefined && !p.secret ? ` (${p.default})` : '';
  return `${p.name}${p.required ? '*' : ''}=${value}${dflt}`;
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

const WIDTH = 80;

/** Words joined by two spaces, broken before `width`; continuation lines aligned under the first word. */
function wrap(words: string[], prefix: string, width: number): string[] {
  const lines: string[] = [];
  const indent = ' '.repeat(prefix.length);
  let line = prefix;
  for (const word of words) {
    if (line !== prefix && line.length + 2 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === prefix ? line + word : `${line}  ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** The readable table: one block per chapter, one line per entry, its parameters on the next line. */
export function formatList(entries: readonly CatalogueEntry[] = CATALOGUE): string {
  const firstSection = (e: CatalogueEntry) => e.section.split(/[,–]/)[0]!.trim();
  // an info entry that is built is a page of the console (Enter on it), not something to run
  const status = (e: CatalogueEntry) => (e.built ? (e.kind === 'info' ? 'page' : 'built') : 'not built');
  const idW = Math.max(2, ...entries.map((e) => e.id.length));
  const secW = Math.max(7, ...entries.map((e) => firstSection(e).length));
  const kindW = Math.max(4, ...entries.map((e) => e.kind.length));
  const statW = Math.max(6, ...entries.map((e) => status(e).length));

  const lines: string[] = [];
  lines.push(`  ${pad('ID', idW)}  ${pad('SECTION', secW)}  ${pad('KIND', kindW)}  ${pad('STATUS', statW)}  TITLE`);
  for (const group of entriesByChapter(entries)) {
    lines.push('', `Chapter ${group.chapter} — ${group.chapterTitle}`);
    for (const e of group.entries) {
      lines.push(`  ${pad(e.id, idW)}  ${pad(firstSection(e), secW)}  ${pad(e.kind, kindW)}  ${pad(status(e), statW)}  ${e.title}`);
      if (e.parameters.length > 0) lines.push(...wrap(e.parameters.map(describeParameter), '      parameters: ', WIDTH));
    }
  }
  const built = entries.filter((e) => e.built && e.kind !== 'info').length;
  const pages = entries.filter((e) => e.built && e.kind === 'info').length;
  lines.push(
    '',
    `${entries.length} entries, ${built} built${pages ? `, ${pages} guide pages (open them in the console)` : ''}. * = required; <role host> = a host of that inventory group.`,
    'Details: day2-tui list --json',
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `list`; returns the exit code. */
export function runList(command: { json: boolean }, write: (text: string) => void): number {
  write(command.json ? `${JSON.stringify(listJson(), null, 2)}\n` : formatList());
  return 0;
}

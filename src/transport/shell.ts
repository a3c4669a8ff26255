// The one place where command text is built. Every value interpolated into a command is quoted for
// a POSIX shell, so nothing from the inventory or a parameter can become shell syntax.
import { quote } from 'shell-quote';

export interface ShellCommand {
  /** The exact text handed to the remote (or local) `sh -c`. */
  readonly script: string;
}

export type ShellValue = string | number | ShellCommand | readonly (string | number)[];

function isShellCommand(v: unknown): v is ShellCommand {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ShellCommand).script === 'string';
}

// Words made only of these characters mean the same to sh quoted or not; leaving them bare keeps the
// commands shown to the operator readable (`https://10.0.0.1:2379,https://…` rather than `https\://…`).
const BARE_WORD = /^[A-Za-z0-9_/.:,=@%+-]+$/;

/** Quotes one word (shell-quote does the quoting; plain words stay as they are). */
export function quoteWord(word: string | number): string {
  const s = String(word);
  if (s === '') return "''";
  if (BARE_WORD.test(s)) return s;
  return quote([s]);
}

/**
 * Tagged template: the literal parts are trusted shell text written by us; every `${value}` is quoted
 * (arrays become several quoted words; a ShellCommand is inserted as-is, it was built here too).
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  const part = (i: number) => onOneLine(strings[i] ?? '', strings.raw[i] ?? '');
  let script = part(0);
  values.forEach((v, i) => {
    if (isShellCommand(v)) script += v.script;
    else if (Array.isArray(v)) script += v.map((w) => quoteWord(w)).join(' ');
    else script += quoteWord(v as string | number);
    script += part(i + 1);
  });
  return { script };
}

/**
 * A long command may be written over several source lines: each line break of the source (and the indent
 * after it) is one space of the script, so the command still reads, runs and is logged as one line. A part
 * that breaks lines may not also write a newline escape (which would then be ambiguous).
 */
function onOneLine(cooked: string, raw: string): string {
  if (!raw.includes('\n')) return cooked;
  if (/(^|[^\\])(\\\\)*\\n/.test(raw)) throw new Error(`sh: a part written over several lines has a \\n escape too: ${raw}`);
  return cooked.replace(/[ \t]*\n[ \t]*/g, ' ');
}

/** A command from an argument vector, every word quoted. */
export function argv(...words: (string | number)[]): ShellCommand {
  return { script: words.map((w) => quoteWord(w)).join(' ') };
}

/** Trusted literal shell text (written in this code base, never built from input). */
export function literal(script: string): ShellCommand {
  return { script };
}

/**
 * `-v name=value …` for awk, each value read back exactly as given: awk -v turns backslash escapes
 * (`\n`, `\t`, `\\`) into other characters, so every backslash is doubled first. Use it for every awk -v.
 */
export function awkVars(vars: Record<string, string>): string[] {
  return Object.entries(vars).flatMap(([name, value]) => ['-v', `${name}=${value.replace(/\\/g, '\\\\')}`]);
}

/** A value for a sed replacement between `|` delimiters (\, | and & escaped); refuses line breaks. */
export function sedReplacement(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error('the value contains a line break: refusing to write it with sed');
  return value.replace(/[\\|&]/g, (c) => `\\${c}`);
}

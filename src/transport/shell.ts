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

/** Quotes one word. */
export function quoteWord(word: string | number): string {
  const s = String(word);
  if (s === '') return "''";
  return quote([s]);
}

/**
 * Tagged template: the literal parts are trusted shell text written by us; every `${value}` is quoted
 * (arrays become several quoted words; a ShellCommand is inserted as-is, it was built here too).
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  let script = strings[0] ?? '';
  values.forEach((v, i) => {
    if (isShellCommand(v)) script += v.script;
    else if (Array.isArray(v)) script += v.map((w) => quoteWord(w)).join(' ');
    else script += quoteWord(v as string | number);
    script += strings[i + 1] ?? '';
  });
  return { script };
}

/** A command from an argument vector, every word quoted. */
export function argv(...words: (string | number)[]): ShellCommand {
  return { script: words.map((w) => quoteWord(w)).join(' ') };
}

/** Trusted literal shell text (written in this code base, never built from input). */
export function literal(script: string): ShellCommand {
  return { script };
}

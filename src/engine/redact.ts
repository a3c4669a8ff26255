// Redaction: what must never reach a log, the journal, the audit log, the screen or a plan.
// - the values of the procedure's secret parameters (as given, and as quoted into a command);
// - well-known secret forms: `--docker-password=…`, `--password …`, `--token …`, `Bearer …`,
//   `token: …` / `password=…` / `"secret": "…"`, and `-----BEGIN … PRIVATE KEY-----` blocks.
// Everything is replaced by «redacted». Text is redacted whole (a command, an output tail); streamed
// output goes through a LineRedactor, which also hides the body lines of a private key block.
import { quoteWord } from '../transport/shell.js';

export const REDACTED = '«redacted»';

/** A quoted or bare shell word: 'a b', "a b", or up to the next blank. */
const WORD = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)+`;

function patterns(marker: string): [RegExp, string | ((...m: string[]) => string)][] {
  return [
    // --docker-password=x, --password x, --token=x, --client-secret x, -p=x is too ambiguous to touch
    [new RegExp(String.raw`(--[A-Za-z0-9-]*(?:password|passwd|token|secret)(?:=|\s+))${WORD}`, 'gi'), `$1${marker}`],
    // docker login -u user -p x, oc login -p x
    [new RegExp(String.raw`(\b(?:docker|oc|podman|skopeo)\s+login\b[^\n]*?\s-p(?:=|\s+))${WORD}`, 'g'), `$1${marker}`],
    // Authorization: Bearer x
    [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${marker}`],
    // token: x, password=x, "secret": "x", client_secret = 'x' (not `--x=`, handled above)
    [
      /((?:^|[^-A-Za-z0-9])["']?[A-Za-z0-9_]*(?:token|password|passwd|secret)["']?\s*[:=]\s*["']?)(?!«)[^\s"',}]+/gi,
      `$1${marker}`,
    ],
    // a whole private key block, or from BEGIN to the end of the text when its END is not there
    [/(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?:[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)|[\s\S]*$)/g, (_m, begin: string, end?: string) => `${begin} ${marker}${end ? ` ${end}` : ''}`],
  ];
}

export interface RedactorOptions {
  /** Values that must never appear (secret parameters). Empty values are ignored. */
  secrets?: Iterable<string>;
  /** Default «redacted». */
  marker?: string;
}

export type Redactor = (text: string) => string;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A function that redacts the given secret values and every well-known secret form. */
export function makeRedactor(options: RedactorOptions = {}): Redactor {
  const marker = options.marker ?? REDACTED;
  const forms = new Set<string>();
  for (const s of options.secrets ?? []) {
    if (!s) continue;
    forms.add(quoteWord(s)); // as sh/argv put it into a command
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1)); // as it appears inside JSON text
  }
  // Longest first, so that a quoted form is replaced before the bare value inside it.
  const literal = [...forms].sort((a, b) => b.length - a.length);
  const literalRe = literal.length > 0 ? new RegExp(literal.map(escapeRe).join('|'), 'g') : undefined;
  const pats = patterns(marker);
  return (text: string): string => {
    let t = text;
    if (literalRe) t = t.replace(literalRe, marker);
    for (const [re, rep] of pats) t = t.replace(re, rep as string);
    return t;
  };
}

/** Redacts the well-known secret forms (and the given secret values) from one text. */
export function redact(text: string, secrets: Iterable<string> = [], marker = REDACTED): string {
  return makeRedactor({ secrets, marker })(text);
}

/**
 * For output streamed line by line: redacts each line, and hides the body of a private key block (the
 * BEGIN line shows as `-----BEGIN … PRIVATE KEY----- «redacted»`, the body lines are dropped, the END line kept).
 */
export class LineRedactor {
  private inKey = false;

  constructor(private readonly redactor: Redactor) {}

  /** The line to show, or undefined to drop it (a body line of a key block after the first). */
  line(text: string): string | undefined {
    if (this.inKey) {
      if (/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
        this.inKey = false;
        return this.redactor(text.replace(/^[\s\S]*?(-----END)/, '$1'));
      }
      return undefined;
    }
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text) && !/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
      this.inKey = true;
      return this.redactor(text); // the whole-text pattern turns "BEGIN…" to the end into "BEGIN … «redacted»"
    }
    return this.redactor(text);
  }
}

/** The names of a procedure's secret parameters' values that are set. */
export function secretValues(parameters: readonly { name: string; secret?: boolean }[], params: Readonly<Record<string, string>>): string[] {
  return parameters.filter((p) => p.secret && params[p.name]).map((p) => params[p.name]!);
}

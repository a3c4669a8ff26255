// Redaction: what must never reach a log, the journal, the audit log, the screen or a plan.
// - secret values: the procedure's secret parameters, secret captures, the output of a command that
//   prints a token (`oc whoami -t`), as given and in every form shell quoting puts them in a command,
//   alone or inside a larger word;
// - well-known secret forms: `--docker-password=…`, `--password …`, `--token …`, `oc login -p …`,
//   `curl -u user:pw`, `https://user:pw@host`, `Authorization: …`, `Bearer …`, `token: …` /
//   `password="a b"` / `"secret": "…"`, secret data (`.dockerconfigjson`, `tls.key`), and
//   `-----BEGIN … PRIVATE KEY-----` blocks.
// Everything is replaced by «redacted». Text is redacted whole (a command, an output tail); streamed
// output goes through a LineRedactor, which also hides the body lines of a private key block.
import { quoteWord } from '../transport/shell.js';

export const REDACTED = '«redacted»';

/** A quoted or bare shell word: 'a b', "a b", or up to the next blank. */
const WORD = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)+`;
/** A value after `key:` or `key=`: quoted (to its closing quote; a quote then a blank ends a word instead), or bare. */
const VALUE = String.raw`("(?!\s)(?:[^"\\\n]|\\.)*"|'(?!\s)[^'\n]*'|[^\s"',}]+)`;
const KEY_BLOCK = /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?:[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)|[\s\S]*$)/g;

type Pattern = [RegExp, (marker: string) => string | ((...m: string[]) => string)];

/** A quoted value keeps its quotes around the marker. */
const keepQuotes = (marker: string) => (_m: string, pre: string, value: string) =>
  pre + (value[0] === '"' || value[0] === "'" ? `${value[0]}${marker}${value[0]}` : marker);

const PATTERNS: Pattern[] = [
  // --docker-password=x, --password x, --token=x, --client-secret x; -p alone is too ambiguous to touch
  [new RegExp(String.raw`(--[A-Za-z0-9-]*(?:password|passwd|token|secret)(?:=|\s+))${WORD}`, 'gi'), (m) => `$1${m}`],
  // docker login -u user -p x, oc login -p x
  [new RegExp(String.raw`(\b(?:docker|oc|podman|skopeo)'?\s+login\b[^\n]*?\s-p(?:=|\s+)?)${WORD}`, 'g'), (m) => `$1${m}`],
  // curl -u user:pw, curl --user=user:pw (the user goes too: it is one word)
  [new RegExp(String.raw`(\bcurl\b[^\n]*?\s(?:-u|--user|--proxy-user)(?:=|\s*))${WORD}`, 'g'), (m) => `$1${m}`],
  // https://user:pw@host (a port or a path with an @ has no ':' before the '@' in the authority)
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\s@/'"]+(?=@)/gi, (m) => `$1${m}`],
  // Authorization: Basic x, Authorization: Bearer x (to the end of the header)
  [/(\bAuthorization\s*:\s*(?:(?:Basic|Bearer|Token|Negotiate|Digest)\s+)?)(?!«)[^'"\r\n]+/gi, (m) => `$1${m}`],
  // Bearer x
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, (m) => `$1${m}`],
  // secret data of a Secret: .dockerconfigjson: x, "tls.key": "x", ssh-privatekey: x
  [
    new RegExp(
      String.raw`((?:^|[\s"'{,])["']?(?:\.dockerconfigjson|\.dockercfg|[A-Za-z0-9_.-]*\.key|ssh-privatekey)["']?\s*:\s*)(?!["']?«)${VALUE}`,
      'gim',
    ),
    keepQuotes,
  ],
  // password: a b c (YAML: to the end of the line)
  [/((?:^|[^-A-Za-z0-9])[A-Za-z0-9_]*(?:token|password|passwd|secret)\s*:[ \t]*)(?![ \t"'«])[^\r\n]+/gi, (m) => `$1${m}`],
  // token: x, password="a b", "secret": "x", client_secret = 'x' (not `--x=`, handled above)
  [
    new RegExp(String.raw`((?:^|[^-A-Za-z0-9])["']?[A-Za-z0-9_]*(?:token|password|passwd|secret)["']?\s*[:=]\s*)(?!["']?«)${VALUE}`, 'gi'),
    keepQuotes,
  ],
  // a whole private key block, or from BEGIN to the end of the text when its END is not there
  [KEY_BLOCK, (m) => (_m: string, begin: string, end?: string) => `${begin} ${m}${end ? ` ${end}` : ''}`],
];

/** Turns text into what may be shown. */
export type Redact = (text: string) => string;

/** A Redact that also learns secret values found during a run (captures, tokens printed). */
export interface Redactor extends Redact {
  /** From now on, `secret` (in every quoted form) is redacted too. Empty values are ignored. */
  add(secret: string): void;
  /** Whether `text` holds a secret value it knows (not a secret form: a path like /backup/secret=x is no secret). */
  knows(text: string): boolean;
  readonly marker: string;
}

export interface RedactorOptions {
  /** Values that must never appear (secret parameters). Empty values are ignored. */
  secrets?: Iterable<string>;
  /** Default «redacted». */
  marker?: string;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How a value can appear in a command or an output: bare, quoted alone, or inside a larger quoted word. */
function formsOf(s: string): string[] {
  return [
    s,
    quoteWord(s), // as sh/argv put it into a command
    JSON.stringify(s).slice(1, -1), // inside JSON text
    s.replace(/'/g, `'"'"'`), // inside a '…' word (shell-quote's style with ' and !)
    s.replace(/(["\\$`])/g, '\\$1'), // inside a "…" word
    s.replace(/([A-Za-z]:)?([#!"$&'()*,:;<=>?@[\\\]^`{|}~])/g, '$1\\$2'), // inside a backslash-escaped word
    s.replace(/\s+/g, ' '), // printed by `echo $x`
  ];
}

/** A function that redacts the given secret values (and those added later) and every well-known secret form. */
export function makeRedactor(options: RedactorOptions = {}): Redactor {
  const marker = options.marker ?? REDACTED;
  const forms = new Set<string>();
  let literalRe: RegExp | undefined;
  const add = (secret: string): void => {
    if (!secret) return;
    for (const f of formsOf(secret)) forms.add(f);
    // Longest first, so that a quoted form is replaced before the bare value inside it.
    literalRe = new RegExp(
      [...forms]
        .sort((a, b) => b.length - a.length)
        .map(escapeRe)
        .join('|'),
      'g',
    );
  };
  for (const s of options.secrets ?? []) add(s);
  const pats = PATTERNS.map(([re, rep]) => [re, rep(marker)] as const);
  const redactor = (text: string): string => {
    let t = literalRe ? text.replace(literalRe, marker) : text;
    for (const [re, rep] of pats) t = t.replace(re, rep as string);
    return t;
  };
  const knows = (text: string): boolean => literalRe !== undefined && text.replace(literalRe, '') !== text;
  return Object.assign(redactor, { add, knows, marker });
}

/** Redacts the well-known secret forms (and the given secret values) from one text. */
export function redact(text: string, secrets: Iterable<string> = [], marker = REDACTED): string {
  return makeRedactor({ secrets, marker })(text);
}

/** Commands whose standard output is a secret: `oc whoami -t`, `oc sa get-token`, `kubectl create token`. */
const PRINTS_SECRET = /\b(?:oc|kubectl)'?\s+(?:whoami\s+(?:-t|--show-token)\b|(?:sa|serviceaccounts)\s+get-token\b|create\s+token\b)/;

export function printsSecret(script: string): boolean {
  return PRINTS_SECRET.test(script);
}

/**
 * How the standard output of `script` is shown: when the command prints a secret, each line is one
 * (learned by the redactor, so it is redacted wherever it appears later) and shows as the marker.
 */
export function outputRedactor(redactor: Redactor, script: string): Redact {
  if (!printsSecret(script)) return redactor;
  return (text) =>
    text
      .split('\n')
      .map((l) => {
        if (!l.trim()) return l;
        redactor.add(l.trim());
        return redactor.marker;
      })
      .join('\n');
}

const KEY_MARKER = /-----(BEGIN|END) [A-Z0-9 ]*PRIVATE KEY-----/g;

/**
 * For output streamed line by line: redacts each line, and hides the body of a private key block (the
 * BEGIN line shows as `-----BEGIN … PRIVATE KEY----- «redacted»`, the body lines are dropped, the END line kept).
 */
export class LineRedactor {
  private inKey = false;

  constructor(private readonly redactor: Redact) {}

  /** The line to show, or undefined to drop it (a body line of a key block after the first). */
  line(text: string): string | undefined {
    const markers = [...text.matchAll(KEY_MARKER)];
    const wasInKey = this.inKey;
    // Inside a key after this line when its last marker is a BEGIN (blocks may follow one another).
    if (markers.length > 0) this.inKey = markers.at(-1)![1] === 'BEGIN';
    if (!wasInKey) return this.redactor(text); // the whole-text pattern turns "BEGIN…" to the end into "BEGIN … «redacted»"
    if (markers.length === 0) return undefined;
    return this.redactor(text.slice(markers[0]!.index)); // the key's body before its END goes
  }
}

/** The names of a procedure's secret parameters' values that are set. */
export function secretValues(
  parameters: readonly { name: string; secret?: boolean }[],
  params: Readonly<Record<string, string>>,
): string[] {
  return parameters.filter((p) => p.secret && params[p.name]).map((p) => params[p.name]!);
}

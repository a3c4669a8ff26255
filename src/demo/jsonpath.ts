// kubectl's `-o jsonpath=TEMPLATE` for the DEMO cluster's `oc get`: the JSON the demo already prints for
// nodes, pods, deployment configs and endpoints, read by the template the procedures send. What kubectl
// 1.10 supports and the procedures use: literal text, `{.a.b}` (a key with dots escaped `\.`), `[*]`,
// `[N]`, filters `[?(@.a.b=="x")]` (== and !=, or the key's presence), `{range X}…{end}`, string literals
// `{"\t"}` with \t \n escapes. A field that is missing prints nothing (kubectl's allowMissingKeys); several
// results of one field are joined by spaces; an object or array prints as JSON.

// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
type Json = any;

type Seg =
  | { kind: 'key'; key: string }
  | { kind: 'all' }
  | { kind: 'index'; i: number }
  | { kind: 'filter'; path: Seg[]; op?: '==' | '!='; value?: string };

type Node = { kind: 'text'; text: string } | { kind: 'field'; path: Seg[] } | { kind: 'range'; path: Seg[]; body: Node[] };

function unescapeLiteral(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** The segments of a path like `.items[*].metadata.labels.node-role\.kubernetes\.io/master`. */
export function parsePath(text: string): Seg[] {
  const segs: Seg[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.') {
      i++;
      let key = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) {
          key += s[i + 1];
          i += 2;
        } else key += s[i++];
      }
      if (key === '*') segs.push({ kind: 'all' });
      else if (key !== '') segs.push({ kind: 'key', key });
    } else if (c === '[') {
      let j = i + 1;
      let quote = '';
      while (j < s.length && (quote || s[j] !== ']')) {
        if (quote) {
          if (s[j] === quote) quote = '';
        } else if (s[j] === '"' || s[j] === "'") quote = s[j]!;
        j++;
      }
      const inner = s.slice(i + 1, j).trim();
      i = j + 1;
      if (inner === '*') segs.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) segs.push({ kind: 'index', i: Number(inner) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const expr = inner.slice(2, -1).trim();
        const m = /^@((?:\.(?:\\.|[^.=!\s])+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))$/.exec(expr);
        if (m) segs.push({ kind: 'filter', path: parsePath(m[1]!), op: m[2] as '==' | '!=', value: m[3] ?? m[4] ?? m[5]! });
        else if (/^@\./.test(expr)) segs.push({ kind: 'filter', path: parsePath(expr.slice(1)) });
        else throw new Error(`jsonpath: unsupported filter ${inner}`);
      } else if (/^(["']).*\1$/.test(inner)) segs.push({ kind: 'key', key: inner.slice(1, -1) });
      else throw new Error(`jsonpath: unsupported subscript [${inner}]`);
    } else if (c === '$' || c === '@') i++;
    else throw new Error(`jsonpath: unexpected ${JSON.stringify(c)} in ${s}`);
  }
  return segs;
}

/** The values a path selects from `from` (missing keys select nothing). */
export function select(from: Json[], path: readonly Seg[]): Json[] {
  let cur = from;
  for (const seg of path) {
    const next: Json[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (seg.kind === 'key') {
        if (typeof v === 'object' && !Array.isArray(v) && seg.key in v) next.push(v[seg.key]);
      } else if (seg.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object') next.push(...Object.values(v));
      } else if (seg.kind === 'index') {
        if (Array.isArray(v)) {
          const x = v[seg.i < 0 ? v.length + seg.i : seg.i];
          if (x !== undefined) next.push(x);
        }
      } else {
        const items = Array.isArray(v) ? v : [v];
        for (const item of items) {
          const got = select([item], seg.path);
          if (seg.op === undefined ? got.length > 0 : got.some((g) => text(g) === seg.value) === (seg.op === '==')) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

function text(v: Json): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The template's parts: text, fields, ranges (with their bodies up to `{end}`). */
export function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ kind: 'text', text: template.slice(i, open) });
    let j = open + 1;
    let quote = '';
    while (j < template.length && (quote || template[j] !== '}')) {
      if (quote) {
        if (template[j] === '\\') j++;
        else if (template[j] === quote) quote = '';
      } else if (template[j] === '"') quote = '"';
      j++;
    }
    if (j >= template.length) throw new Error(`jsonpath: unclosed action in ${template}`);
    const action = template.slice(open + 1, j).trim();
    i = j + 1;
    const lit = /^"((?:\\.|[^"\\])*)"$/.exec(action);
    if (lit) stack.at(-1)!.push({ kind: 'text', text: unescapeLiteral(lit[1]!) });
    else if (action === 'end') {
      if (stack.length < 2) throw new Error('jsonpath: {end} without {range}');
      stack.pop();
    } else if (action.startsWith('range ')) {
      const r: Node = { kind: 'range', path: parsePath(action.slice(6)), body: [] };
      stack.at(-1)!.push(r);
      stack.push(r.body);
    } else stack.at(-1)!.push({ kind: 'field', path: parsePath(action) });
  }
  if (stack.length > 1) throw new Error('jsonpath: {range} without {end}');
  return root;
}

function run(nodes: readonly Node[], data: Json): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'field') out += select([data], n.path).map(text).join(' ');
    else for (const item of select([data], n.path)) out += run(n.body, item);
  }
  return out;
}

/** kubectl's jsonpath output of `data` (a template of `-o jsonpath=…`, with or without its braces). */
export function jsonpath(template: string, data: Json): string {
  const t = template.includes('{') ? template : `{${template}}`;
  return run(parseTemplate(t), data);
}

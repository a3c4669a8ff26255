// The Ansible INI inventory of an OpenShift 3.x install, parsed by hand.
//
// Why by hand: generic INI libraries (ini, configparser ports) do not know Ansible's rules — host lines
// that are shell-like words (`name key="a b" key2='c'`), host ranges (`node[01:10:2]`), `[g:children]`
// nesting with cycles, `[g:vars]` precedence by group depth, and `#` comments that are not comments
// inside quotes. This follows ansible's `plugins/inventory/ini.py` (and its `expand_hostname_range`),
// with clearer errors: every error names file:line, what is wrong and how to fix it.
//
// Deliberate differences from ansible: a `:children` entry naming a group that is defined nowhere is a
// warning (the group is taken as empty), not an error; values are kept as strings (ansible
// `literal_eval`s them) — `openshift_node_labels` is additionally parsed into a map.

import { basename } from 'node:path';
import { CONTROL_RE, printable } from './printable.js';
import {
  type Host,
  type HostSources,
  type Inventory,
  InventoryError,
  type InventoryWarning,
  type OpenShiftHostVars,
  ROLE_ORDER,
  type Role,
} from './types.js';

/** One variable as written, with the file and line that set it; `where` is how a screen names it (`hosts:12`). */
export interface VarDef {
  value: string;
  file: string;
  line: number;
  where: string;
}

/** Variables of the files beside the inventory (`group_vars/<group>`, `host_vars/<host>`), see var-files.ts. */
export interface VarFiles {
  groups: Map<string, Map<string, VarDef>>;
  hosts: Map<string, Map<string, VarDef>>;
}

interface GroupDef {
  name: string;
  /** Declared by `[name]` or `[name:children]` (not only named as a child or by `[name:vars]`). */
  declared: boolean;
  /** Line of the first section header naming it (or of the children entry that first named it). */
  line: number;
  hosts: string[];
  children: { name: string; line: number }[];
  vars: Map<string, VarDef>;
  /** Line of a `[name:vars]` header, to report a vars section for a group defined nowhere. */
  varsLine?: number;
}

interface HostDef {
  name: string;
  file: string;
  line: number;
  vars: Map<string, VarDef>;
}

export interface ParseOptions {
  /** How the file is named in messages, Host.file and the source (default `<inventory>`). */
  file?: string;
  /** Source recorded in the Inventory (default: `{ kind: 'file', path: file }`). */
  source?: Inventory['source'];
  /** group_vars/ and host_vars/ beside the inventory (none by default). */
  varFiles?: VarFiles;
}

const SECTION_RE = /^\[([^:\]\s]+)(?::([^\]\s]*))?\]\s*(?:[#;].*)?$/;
const GROUP_NAME_RE = /^[A-Za-z0-9_.-]+$/;
const VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0', 'f']);

/** Ansible's boolean forms (true/True/yes/on/1 …); undefined when the text is not one of them. */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

const BOOLEAN_VARS = new Set(['ansible_become', 'openshift_schedulable']);
const PORT_VARS = new Set(['ansible_port', 'ansible_ssh_port']);
/** Variables that name a host: they go into commands, URLs and awk values, so only a host name's characters. */
const ADDRESS_VARS = new Set(['ansible_host', 'ansible_ssh_host', 'openshift_ip', 'openshift_hostname', 'openshift_public_hostname']);
const ADDRESS_RE = /^[A-Za-z0-9._:%[\]-]+$/;

/**
 * Why a host name cannot be used, or undefined. Names become paths on the bastion (backups are copied to
 * <dir>/<host>/), journal keys and command words: nothing that can leave a directory or read as an option.
 */
export function hostNameProblem(name: string): string | undefined {
  if (name.includes('/')) return 'contains "/"';
  if (name.includes('..') || name === '.') return 'is or contains ".." or "."';
  if (name.startsWith('-')) return 'starts with "-" (it would read as an option)';
  if (/[\s\\'"]/.test(name)) return 'contains a space, a quote or a backslash';
  if (name.includes('\uFFFD')) return 'is not valid UTF-8';
  return undefined;
}

/** Rejects values of the recognised variables that cannot be used, at the line that sets them. */
export function validateVar(file: string, line: number | undefined, key: string, value: string): void {
  if (PORT_VARS.has(key)) {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535) {
      throw new InventoryError(file, line, `${key}=${value}: the port is not a number from 1 to 65535; write e.g. ${key}=22`);
    }
  }
  if (ADDRESS_VARS.has(key) && !ADDRESS_RE.test(value)) {
    const allowed = 'letters, digits, ".", "-", "_", ":" only';
    throw new InventoryError(file, line, `${key}=${value}: not a host name or IP address (${allowed}); fix the value`);
  }
  if (BOOLEAN_VARS.has(key) && parseBoolean(value) === undefined) {
    throw new InventoryError(file, line, `${key}=${value}: not a boolean; write ${key}=true or ${key}=false (yes/no, 1/0 work too)`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Words, quotes and comments

/**
 * Splits a host line into shell-like words (as ansible's shlex does): whitespace separates words,
 * '…' and "…" quote (a backslash escapes `"` and `\` inside "…", anything outside quotes), and a `#`
 * that starts a word begins a comment.
 */
export function splitWords(text: string, file: string, line: number): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let quoteStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else if (c === '"') quote = undefined;
      else cur += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    if (c === '#' && !inWord) break;
    inWord = true;
    if (c === '"' || c === "'") {
      quote = c;
      quoteStart = i;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
    } else {
      cur += c;
    }
  }
  if (quote) {
    throw new InventoryError(
      file,
      line,
      `unterminated ${quote} quote at column ${quoteStart + 1} (${JSON.stringify(text.slice(quoteStart, quoteStart + 30))}): ` +
        `close the quote, or escape a literal quote with a backslash`,
    );
  }
  if (inWord) words.push(cur);
  return words;
}

/** Index of a `#` comment that follows whitespace outside quotes, or -1. Throws on an unterminated quote. */
function commentStart(text: string, file: string, line: number): number {
  let quote: string | undefined;
  let quoteStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s=:,[{(]/.test(text[i - 1]!))) {
      // A quote that opens a value; an apostrophe inside a word ("it's") is just a letter.
      quote = c;
      quoteStart = i;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      return i;
    }
  }
  if (quote) {
    throw new InventoryError(
      file,
      line,
      `unterminated ${quote} quote at column ${quoteStart + 1} (${JSON.stringify(text.slice(quoteStart, quoteStart + 30))}): ` +
        `close the quote, or escape a literal quote with a backslash`,
    );
  }
  return -1;
}

/** The value of a `[g:vars]` line: the rest of the line, unquoted when it is one quoted string. */
function varsValue(raw: string): string {
  const v = raw.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
    const inner = v.slice(1, -1);
    if (q === "'") {
      if (!inner.includes("'")) return inner;
    } else {
      // Unescape \" and \\; a bare " inside means it was not one string (keep the text as written).
      let out = '';
      let ok = true;
      for (let i = 0; i < inner.length; i++) {
        const c = inner[i]!;
        if (c === '\\' && (inner[i + 1] === '"' || inner[i + 1] === '\\')) out += inner[++i];
        else if (c === '"') {
          ok = false;
          break;
        } else out += c;
      }
      if (ok) return out;
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------
// Host ranges

function rangeError(file: string, line: number, pattern: string, why: string): InventoryError {
  return new InventoryError(
    file,
    line,
    `bad host range in "${pattern}": ${why}; ranges are written [start:end] or ` +
      `[start:end:step], e.g. node[1:3], node[01:10], node[a:c], node[1:10:2]`,
  );
}

/**
 * Expands ansible host ranges: `node[1:3]` → node1 node2 node3; `node[01:10]` keeps the zero padding;
 * `[a:c]` letters; `[1:10:2]` a step; several ranges in one name multiply out.
 */
export function expandHostPattern(pattern: string, file = '<inventory>', line = 0): string[] {
  const open = pattern.indexOf('[');
  if (open < 0) {
    if (pattern.includes(']')) throw rangeError(file, line, pattern, 'a "]" without "["');
    return [pattern];
  }
  const close = pattern.indexOf(']', open);
  if (close < 0) throw rangeError(file, line, pattern, 'a "[" without "]"');
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  if (head.includes(']')) throw rangeError(file, line, pattern, 'a "]" without "["');
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) throw rangeError(file, line, pattern, `"[${body}]" is not start:end or start:end:step`);
  let [beg, end, stepText] = parts as [string, string, string | undefined];
  if (beg === '') beg = '0';
  if (end === '') throw rangeError(file, line, pattern, `"[${body}]" has no end value`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1)
      throw rangeError(file, line, pattern, `step "${stepText}" is not a positive whole number`);
    step = Number(stepText);
  }
  const items: string[] = [];
  if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) {
      throw rangeError(file, line, pattern, `zero-padded start "${beg}" and end "${end}" must have the same number of digits`);
    }
    const b = Number(beg);
    const e = Number(end);
    if (b > e) throw rangeError(file, line, pattern, `start ${beg} is greater than end ${end}`);
    for (let i = b; i <= e; i += step) items.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  } else if (/^[A-Za-z]$/.test(beg) && /^[A-Za-z]$/.test(end)) {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const b = letters.indexOf(beg);
    const e = letters.indexOf(end);
    if (b > e) throw rangeError(file, line, pattern, `start "${beg}" comes after end "${end}"`);
    for (let i = b; i <= e; i += step) items.push(letters[i]!);
  } else {
    throw rangeError(file, line, pattern, `"${beg}" and "${end}" must both be numbers or both single letters`);
  }
  const tails = expandHostPattern(tail, file, line);
  const out: string[] = [];
  for (const item of items) for (const t of tails) out.push(head + item + t);
  return out;
}

/** Splits `name:port` (the port ansible accepts after a host name); IPv6 addresses are left alone. */
function splitHostPort(word: string, file: string, line: number): { pattern: string; port?: number } {
  const lastBracket = word.lastIndexOf(']');
  const after = word.slice(lastBracket + 1);
  const colons = after.split(':').length - 1;
  if (colons !== 1 || (lastBracket < 0 && word.split(':').length - 1 !== 1)) return { pattern: word };
  const idx = lastBracket + 1 + after.indexOf(':');
  const portText = word.slice(idx + 1);
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new InventoryError(file, line, `"${word}": the port after ":" is not a number from 1 to 65535; write host:22 or ansible_port=22`);
  }
  return { pattern: word.slice(0, idx), port: Number(portText) };
}

// ---------------------------------------------------------------------------------------------------
// openshift_node_labels

/**
 * Parses the Python-dict text of `openshift_node_labels` (`{'region': 'infra', "zone": "a"}`, JSON
 * too). Bare values True/False become "true"/"false". Undefined when the text is not such a dict.
 */
export function parseNodeLabels(text: string): Record<string, string> | undefined {
  let i = 0;
  const s = text.trim();
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const scalar = (): string | undefined => {
    ws();
    const q = s[i];
    if (q === '"' || q === "'") {
      let out = '';
      i++;
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        out += s[i++];
      }
      if (s[i] !== q) return undefined;
      i++;
      return out;
    }
    const m = /^[^\s,:{}'"]+/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return /^(true|false)$/i.test(m[0]) ? m[0].toLowerCase() : m[0];
  };
  ws();
  if (s[i] !== '{') return undefined;
  i++;
  const labels: Record<string, string> = {};
  for (;;) {
    ws();
    if (s[i] === '}') {
      i++;
      break;
    }
    const key = scalar();
    ws();
    if (key === undefined || s[i] !== ':') return undefined;
    i++;
    const value = scalar();
    if (value === undefined) return undefined;
    labels[key] = value;
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '}') {
      i++;
      break;
    }
    return undefined;
  }
  ws();
  return i === s.length ? labels : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The parser

type SectionKind = 'hosts' | 'children' | 'vars';

/** Parses inventory text. Throws InventoryError (file:line, what, how to fix) on the first error. */
export function parseInventory(text: string, options: ParseOptions = {}): Inventory {
  const file = options.file ?? '<inventory>';
  const groups = new Map<string, GroupDef>();
  const hosts = new Map<string, HostDef>();
  const warnings: InventoryWarning[] = [];
  const at = (line: number) => ({ file, line, where: `${basename(file)}:${line}` });

  const group = (name: string, line: number): GroupDef => {
    let g = groups.get(name);
    if (!g) {
      g = { name, declared: false, line, hosts: [], children: [], vars: new Map() };
      groups.set(name, g);
    }
    return g;
  };
  group('all', 0).declared = true;
  group('ungrouped', 0).declared = true;

  let current: GroupDef = group('ungrouped', 0);
  let kind: SectionKind = 'hosts';

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  if (lines[0]?.startsWith('#!')) {
    throw new InventoryError(
      file,
      1,
      'this is a dynamic inventory script, not an INI inventory: run it and save its INI form, ' +
        'or pass the static inventory the installer used with -i',
    );
  }
  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const control = CONTROL_RE.exec(line);
    if (control) {
      const at = `a control character (${printable(control[0])}) at column ${rawLine.indexOf(control[0]) + 1}`;
      throw new InventoryError(file, lineNo, `${at}: remove it (an inventory is plain text)`);
    }

    if (line.startsWith('[')) {
      const m = SECTION_RE.exec(line);
      if (!m) {
        throw new InventoryError(
          file,
          lineNo,
          `unknown section syntax ${JSON.stringify(line)}: write [group], [group:vars] or [group:children] (no spaces inside the brackets)`,
        );
      }
      const name = m[1]!;
      const suffix = m[2];
      if (suffix !== undefined && suffix !== 'vars' && suffix !== 'children') {
        throw new InventoryError(
          file,
          lineNo,
          `unknown section type ":${suffix}" in [${name}:${suffix}]: only [${name}], [${name}:vars] and [${name}:children] exist`,
        );
      }
      if (!GROUP_NAME_RE.test(name)) {
        throw new InventoryError(file, lineNo, `bad group name "${name}": use letters, digits, "_" and "-" only`);
      }
      kind = (suffix ?? 'hosts') as SectionKind;
      current = group(name, lineNo);
      if (kind === 'vars') current.varsLine ??= lineNo;
      else if (!current.declared) {
        current.declared = true;
        current.line = lineNo;
      }
      return;
    }

    if (kind === 'children') {
      const c = commentStart(line, file, lineNo);
      const words = (c >= 0 ? line.slice(0, c) : line).trim().split(/\s+/).filter(Boolean);
      if (words.length !== 1) {
        throw new InventoryError(file, lineNo, `[${current.name}:children] lists one group name per line; found ${JSON.stringify(line)}`);
      }
      const child = words[0]!;
      if (!GROUP_NAME_RE.test(child)) {
        throw new InventoryError(
          file,
          lineNo,
          `bad group name "${child}" in [${current.name}:children]: use letters, digits, "_" and "-" only`,
        );
      }
      if (child === 'all')
        throw new InventoryError(file, lineNo, `[${current.name}:children] cannot contain "all": every group is already inside all`);
      group(child, lineNo);
      if (!current.children.some((ch) => ch.name === child)) current.children.push({ name: child, line: lineNo });
      return;
    }

    if (kind === 'vars') {
      const c = commentStart(line, file, lineNo);
      const body = (c >= 0 ? line.slice(0, c) : line).trim();
      const eq = body.indexOf('=');
      if (eq < 0) {
        throw new InventoryError(
          file,
          lineNo,
          `bad key=value in [${current.name}:vars]: ${JSON.stringify(body)} has no "="; write name=value`,
        );
      }
      const key = body.slice(0, eq).trim();
      if (!VAR_NAME_RE.test(key)) {
        throw new InventoryError(
          file,
          lineNo,
          `bad key=value in [${current.name}:vars]: "${key}" is not a variable name (letters, digits and "_", not starting with a digit)`,
        );
      }
      const value = varsValue(body.slice(eq + 1));
      validateVar(file, lineNo, key, value);
      current.vars.set(key, { value, ...at(lineNo) });
      return;
    }

    // A host line.
    const words = splitWords(line, file, lineNo);
    if (words.length === 0) return;
    const [first, ...rest] = words as [string, ...string[]];
    if (first.includes('=')) {
      throw new InventoryError(file, lineNo, `bad host line: it starts with "${first}"; a host line is "hostname key=value …"`);
    }
    const { pattern, port } = splitHostPort(first, file, lineNo);
    const vars = new Map<string, VarDef>();
    // `name:port` is ansible_port set on the host, before (so below) the line's own key=value words.
    if (port !== undefined) vars.set('ansible_port', { value: String(port), ...at(lineNo) });
    for (const w of rest) {
      const eq = w.indexOf('=');
      const key = eq < 0 ? '' : w.slice(0, eq);
      if (eq < 0 || !VAR_NAME_RE.test(key)) {
        throw new InventoryError(
          file,
          lineNo,
          `bad key=value "${w}" after host "${first}": every word after the host name must be name=value; ` +
            `quote values that contain spaces, e.g. openshift_node_labels="{'region': 'infra'}"`,
        );
      }
      const value = w.slice(eq + 1);
      validateVar(file, lineNo, key, value);
      vars.set(key, { value, ...at(lineNo) });
    }
    for (const name of expandHostPattern(pattern, file, lineNo)) {
      const problem = hostNameProblem(name);
      if (problem) {
        throw new InventoryError(file, lineNo, `host name ${JSON.stringify(name)} ${problem}: write the host's DNS name or address`);
      }
      let h = hosts.get(name);
      if (!h) {
        h = { name, file, line: lineNo, vars: new Map() };
        hosts.set(name, h);
      }
      for (const [k, v] of vars) h.vars.set(k, v);
      if (!current.hosts.includes(name)) current.hosts.push(name);
    }
  });

  // Groups named only as children, or only by [g:vars].
  for (const g of groups.values()) {
    if (g.declared) continue;
    if (g.varsLine !== undefined && !isChildAnywhere(groups, g.name)) {
      throw new InventoryError(
        file,
        g.varsLine,
        `[${g.name}:vars] sets variables for group "${g.name}", which is defined nowhere in this file: ` +
          `add [${g.name}] or [${g.name}:children], or fix the name (group names are case-sensitive)`,
      );
    }
    if (isChildAnywhere(groups, g.name)) {
      const parents = [...groups.values()].filter((p) => p.children.some((c) => c.name === g.name));
      const at = parents[0]!.children.find((c) => c.name === g.name)!;
      warnings.push({
        file,
        line: at.line,
        message: `[${parents[0]!.name}:children] names group "${g.name}", which is not defined in this file: it is taken as empty`,
      });
    }
  }

  detectCycles(groups, file);

  // Resolved membership, depth and order.
  const memberMemo = new Map<string, Set<string>>();
  const members = (name: string): Set<string> => {
    const memo = memberMemo.get(name);
    if (memo) return memo;
    const g = groups.get(name)!;
    const set = new Set<string>(g.hosts);
    for (const c of g.children) for (const h of members(c.name)) set.add(h);
    memberMemo.set(name, set);
    return set;
  };
  const parentsOf = new Map<string, string[]>();
  for (const g of groups.values()) for (const c of g.children) parentsOf.set(c.name, [...(parentsOf.get(c.name) ?? []), g.name]);
  const depthMemo = new Map<string, number>([['all', 0]]);
  const depth = (name: string): number => {
    const d = depthMemo.get(name);
    if (d !== undefined) return d;
    const ps = parentsOf.get(name) ?? [];
    const v = ps.length === 0 ? 1 : Math.max(...ps.map(depth)) + 1;
    depthMemo.set(name, v);
    return v;
  };

  const hostNames = [...hosts.keys()];
  const groupNames = [...groups.keys()].filter((n) => n !== 'all');
  const resolved: Record<string, string[]> = { all: hostNames };
  for (const n of groupNames) {
    const set = members(n);
    resolved[n] = hostNames.filter((h) => set.has(h));
  }
  // Hosts that are in no group other than ungrouped (declared before any section) stay in ungrouped;
  // a host listed in ungrouped and elsewhere too leaves ungrouped, as in ansible.
  resolved['ungrouped'] = (resolved['ungrouped'] ?? []).filter(
    (h) => !groupNames.some((n) => n !== 'ungrouped' && resolved[n]!.includes(h)),
  );

  const files = options.varFiles ?? { groups: new Map(), hosts: new Map() };
  const priority = (name: string): number => {
    const v = files.groups.get(name)?.get('ansible_group_priority') ?? groups.get(name)?.vars.get('ansible_group_priority');
    return v && /^-?\d+$/.test(v.value.trim()) ? Number(v.value) : 1;
  };
  // Ansible's order: depth, then ansible_group_priority, then name.
  const byPrecedence = [...groupNames].sort((a, b) => depth(a) - depth(b) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));

  const outHosts: Host[] = [];
  for (const hd of hosts.values()) {
    const inGroups = groupNames.filter((n) => resolved[n]!.includes(hd.name));
    const ordered = byPrecedence.filter((n) => inGroups.includes(n));
    // Ansible's precedence, lowest first: inventory-file group vars (all, then groups), group_vars/all,
    // group_vars/<group>, the host line, host_vars/<host>.
    const layers = [
      groups.get('all')!.vars,
      ...ordered.map((n) => groups.get(n)!.vars),
      files.groups.get('all'),
      ...ordered.map((n) => files.groups.get(n)),
      hd.vars,
      files.hosts.get(hd.name),
    ];
    const eff = new Map<string, VarDef & { rank: number }>();
    layers.forEach((layer, rank) => {
      for (const [k, v] of layer ?? new Map<string, VarDef>()) eff.set(k, { ...v, rank });
    });
    outHosts.push(buildHost(hd, eff, inGroups, resolved, warnings));
  }

  const groupVars: Record<string, Record<string, string>> = {};
  for (const g of groups.values()) {
    const merged = new Map<string, VarDef>([...g.vars, ...(files.groups.get(g.name) ?? [])]);
    if (merged.size === 0) continue;
    groupVars[g.name] = Object.fromEntries([...merged].map(([k, v]) => [k, v.value]));
  }

  warnings.push(...clusterWarnings(outHosts, groups, file));

  return {
    source: options.source ?? { kind: 'file', path: file },
    hosts: outHosts,
    groups: resolved,
    groupVars,
    warnings: warnings.map((w) => ({ ...w, message: printable(w.message) })),
  };
}

/** The host as the console uses it, from its effective variables (each with the layer it came from). */
function buildHost(
  hd: HostDef,
  eff: Map<string, VarDef & { rank: number }>,
  inGroups: string[],
  resolved: Record<string, string[]>,
  warnings: InventoryWarning[],
): Host {
  const vars: Record<string, string> = {};
  for (const [k, v] of eff) vars[k] = v.value;
  // The highest layer that sets any of the keys; in one layer, the first key listed.
  const pick = (...keys: string[]): VarDef | undefined => {
    let best: (VarDef & { rank: number }) | undefined;
    for (const k of keys) {
      const v = eff.get(k);
      if (v && (!best || v.rank > best.rank)) best = v;
    }
    return best;
  };
  const openshift = openshiftVars(hd.name, vars, eff, warnings);
  const sources: HostSources = {};
  const setting = <K extends keyof HostSources>(key: K, ...names: string[]): string | undefined => {
    const v = pick(...names);
    if (v) sources[key] = v.where;
    return v?.value;
  };
  const address = setting('address', 'ansible_host', 'ansible_ssh_host');
  const port = setting('port', 'ansible_port', 'ansible_ssh_port');
  const user = setting('user', 'ansible_user', 'ansible_ssh_user');
  const keyFile = setting('keyFile', 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  const become = setting('become', 'ansible_become');
  const becomeUser = setting('becomeUser', 'ansible_become_user');
  const host: Host = {
    name: hd.name,
    address: address ?? hd.name,
    port: port !== undefined ? Number(port) : 22,
    become: parseBoolean(become ?? 'false') ?? false,
    roles: rolesOf(inGroups, openshift),
    groups: inGroups.filter((n) => n !== 'ungrouped' || resolved['ungrouped']!.includes(hd.name)),
    vars,
    file: hd.file,
    line: hd.line,
    openshift,
    sources,
  };
  if (user !== undefined) host.user = user;
  if (keyFile !== undefined) host.keyFile = keyFile;
  if (becomeUser !== undefined) host.becomeUser = becomeUser;
  return host;
}

function openshiftVars(
  name: string,
  vars: Record<string, string>,
  eff: Map<string, VarDef>,
  warnings: InventoryWarning[],
): OpenShiftHostVars {
  const openshift: OpenShiftHostVars = {};
  if (vars['openshift_ip'] !== undefined) openshift.ip = vars['openshift_ip'];
  if (vars['openshift_hostname'] !== undefined) openshift.hostname = vars['openshift_hostname'];
  if (vars['openshift_public_hostname'] !== undefined) openshift.publicHostname = vars['openshift_public_hostname'];
  if (vars['openshift_node_group_name'] !== undefined) openshift.nodeGroupName = vars['openshift_node_group_name'];
  if (vars['openshift_schedulable'] !== undefined) openshift.schedulable = parseBoolean(vars['openshift_schedulable']);
  if (vars['openshift_node_labels'] !== undefined) {
    const labels = parseNodeLabels(vars['openshift_node_labels']);
    if (labels) openshift.labels = labels;
    else {
      const def = eff.get('openshift_node_labels')!;
      warnings.push({
        file: def.file,
        line: def.line,
        message:
          `openshift_node_labels of ${name} is not a dict like "{'region': 'infra'}": its labels ` +
          `are ignored (infra role detection included)`,
      });
    }
  }
  return openshift;
}

function isChildAnywhere(groups: Map<string, GroupDef>, name: string): boolean {
  for (const g of groups.values()) if (g.children.some((c) => c.name === name)) return true;
  return false;
}

function detectCycles(groups: Map<string, GroupDef>, file: string): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const c of groups.get(name)!.children) {
      const s = state.get(c.name);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(c.name)), c.name].join(' → ');
        throw new InventoryError(
          file,
          c.line,
          `[${name}:children] makes a cycle of groups: ${cycle}; a group cannot contain itself — remove one of these :children entries`,
        );
      }
      if (s === undefined) visit(c.name);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of groups.keys()) if (!state.has(name)) visit(name);
}

/** Is this host an infra node, by node group name or labels? */
export function isInfra(openshift: OpenShiftHostVars): boolean {
  if (openshift.nodeGroupName?.toLowerCase().includes('infra')) return true;
  const l = openshift.labels;
  if (!l) return false;
  return l['region'] === 'infra' || l['node-role.kubernetes.io/infra'] === 'true';
}

function rolesOf(groups: string[], openshift: OpenShiftHostVars): Role[] {
  const roles = new Set<Role>();
  const has = (g: string) => groups.includes(g);
  if (has('masters')) roles.add('master').add('node');
  if (has('etcd')) roles.add('etcd');
  if (has('nodes')) roles.add('node');
  if (has('lb')) roles.add('lb');
  if (has('new_etcd')) roles.add('new_etcd');
  if (has('new_nodes')) roles.add('new_node');
  if (has('glusterfs')) roles.add('glusterfs');
  if ((roles.has('node') || roles.has('new_node')) && isInfra(openshift)) roles.add('infra');
  return ROLE_ORDER.filter((r) => roles.has(r));
}

function clusterWarnings(hosts: Host[], groups: Map<string, GroupDef>, file: string): InventoryWarning[] {
  const out: InventoryWarning[] = [];
  const inGroup = (g: string) => hosts.filter((h) => h.groups.includes(g));
  const etcd = inGroup('etcd');
  const masters = inGroup('masters');
  const etcdLine = groups.get('etcd')?.line;
  if (etcd.length > 0 && etcd.length % 2 === 0) {
    out.push({
      file,
      ...(etcdLine ? { line: etcdLine } : {}),
      message: `etcd needs an odd number of members for quorum: ${etcd.length} found (${etcd.map((h) => h.name).join(', ')})`,
    });
  }
  if (etcd.length === 0 && masters.length > 0) {
    out.push({
      file,
      message: 'no [etcd] hosts: an OCP 3.x cluster needs its etcd members listed in [etcd] for the etcd checks and procedures',
    });
  }
  if (masters.length > 0 && groups.has('nodes')) {
    for (const m of masters) {
      if (!m.groups.includes('nodes')) {
        out.push({
          file,
          line: m.line,
          message:
            `master ${m.name} is not in [nodes]: masters are nodes too in OCP 3.x; add it to [nodes] ` +
            `(openshift_node_group_name=node-config-master on 3.10)`,
        });
      }
    }
  }
  return out;
}

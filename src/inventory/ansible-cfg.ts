// The operator's Ansible settings: the one ansible.cfg Ansible would read, and the environment variables
// that override it. Found as Ansible finds it — the first of $ANSIBLE_CONFIG, ./ansible.cfg (skipped when
// the current directory is world-writable: anyone could have put it there), ~/.ansible.cfg,
// /etc/ansible/ansible.cfg; only that one file is read.
//
// A small reader of our own rather than an INI library: ansible.cfg is Python configparser's dialect as
// Ansible sets it up — full-line `#` and `;` comments, inline comments only after whitespace + `;`,
// `=` or `:` between key and value, keys case-insensitive, indented continuation lines, and no `%(x)s`
// interpolation taken — which generic INI parsers (npm `ini`: `#` anywhere, no continuations) do not follow.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readInputText } from './input-file.js';
import { parseBoolean } from './parse.js';
import { InventoryError } from './types.js';

/** A setting and where it came from (`ansible.cfg (/path)` or `$ANSIBLE_REMOTE_USER`). */
export interface AnsibleSetting<T = string> {
  value: T;
  source: string;
}

export interface AnsibleSettings {
  /** The ansible.cfg read, if any. */
  cfgPath?: string;
  inventory?: AnsibleSetting;
  user?: AnsibleSetting;
  keyFile?: AnsibleSetting;
  become?: AnsibleSetting<boolean>;
  becomeUser?: AnsibleSetting;
  /** What the operator should know (a skipped ./ansible.cfg, a comma list of inventories cut to its first). */
  notes: string[];
}

export interface AnsibleLookup {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
  /** Default /etc/ansible/ansible.cfg. */
  systemCfg?: string;
}

/** Section → lowercased key → value and line. */
type Ini = Map<string, Map<string, { value: string; line: number }>>;

/** The one ansible.cfg Ansible would read, or undefined; notes say why ./ansible.cfg was skipped. */
export function findAnsibleCfg(lookup: AnsibleLookup = {}, notes: string[] = []): string | undefined {
  const env = lookup.env ?? process.env;
  const cwd = lookup.cwd ?? process.cwd();
  const home = lookup.home ?? env['HOME'] ?? homedir();
  const candidates: string[] = [];
  const named = env['ANSIBLE_CONFIG'];
  if (named) {
    const path = resolve(cwd, expandHome(named, home));
    candidates.push(isDir(path) ? join(path, 'ansible.cfg') : path);
  }
  if (worldWritable(cwd)) {
    if (exists(join(cwd, 'ansible.cfg')))
      notes.push(`${join(cwd, 'ansible.cfg')} was not read: the current directory is world-writable (Ansible skips it too)`);
  } else candidates.push(join(cwd, 'ansible.cfg'));
  candidates.push(join(home, '.ansible.cfg'), lookup.systemCfg ?? '/etc/ansible/ansible.cfg');
  return candidates.find(exists);
}

/** ansible.cfg's and the environment's inventory, remote user, key and become settings (env over cfg, as in Ansible). */
export function readAnsibleSettings(lookup: AnsibleLookup = {}): AnsibleSettings {
  const env = lookup.env ?? process.env;
  const cwd = lookup.cwd ?? process.cwd();
  const home = lookup.home ?? env['HOME'] ?? homedir();
  const notes: string[] = [];
  const cfgPath = findAnsibleCfg(lookup, notes);
  const ini: Ini = cfgPath ? parseAnsibleCfg(readCfg(cfgPath), cfgPath) : new Map();
  const settings: AnsibleSettings = { notes };
  if (cfgPath) settings.cfgPath = cfgPath;
  const fromCfg = `ansible.cfg (${cfgPath})`;
  const get = (section: string, key: string, envName: string) => {
    const e = env[envName];
    if (e !== undefined && e !== '') return { value: e, source: `$${envName}`, base: cwd, line: undefined };
    const c = ini.get(section)?.get(key);
    return c && c.value !== '' ? { value: c.value, source: fromCfg, base: dirname(cfgPath!), line: c.line } : undefined;
  };
  const path = (s: { value: string; base: string }) => resolve(s.base, expandHome(s.value, home));

  const inv = get('defaults', 'inventory', 'ANSIBLE_INVENTORY');
  if (inv) {
    const list = inv.value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (list.length > 1) notes.push(`${inv.source} lists ${list.length} inventories; day2-tui reads the first, ${list[0]}`);
    if (list[0]) settings.inventory = { value: path({ value: list[0], base: inv.base }), source: inv.source };
  }
  const user = get('defaults', 'remote_user', 'ANSIBLE_REMOTE_USER');
  if (user) settings.user = { value: user.value, source: user.source };
  const key = get('defaults', 'private_key_file', 'ANSIBLE_PRIVATE_KEY_FILE');
  if (key) settings.keyFile = { value: path(key), source: key.source };
  const become = get('privilege_escalation', 'become', 'ANSIBLE_BECOME');
  if (become) {
    const value = parseBoolean(become.value);
    if (value === undefined) {
      const where = become.line !== undefined ? cfgPath! : become.source;
      throw new InventoryError(where, become.line, `become = ${become.value}: not a boolean; write True or False`);
    }
    settings.become = { value, source: become.source };
  }
  const becomeUser = get('privilege_escalation', 'become_user', 'ANSIBLE_BECOME_USER');
  if (becomeUser) settings.becomeUser = { value: becomeUser.value, source: becomeUser.source };
  return settings;
}

/** Parses ansible.cfg text (see the header comment for the dialect). */
export function parseAnsibleCfg(text: string, file: string): Ini {
  const ini: Ini = new Map();
  let section: Map<string, { value: string; line: number }> | undefined;
  let last: { value: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*([#;]|$)/.test(raw)) return;
    if (/^\s/.test(raw) && last) {
      last.value = `${last.value}\n${stripComment(raw).trim()}`.trim();
      return;
    }
    const header = /^\[([^\]]+)\]\s*(?:;.*)?$/.exec(raw.trim());
    if (header) {
      section = ini.get(header[1]!) ?? new Map();
      ini.set(header[1]!, section);
      last = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw.trim());
    if (!kv) throw new InventoryError(file, line, `not "key = value" or a [section]: ${JSON.stringify(raw.trim())}`);
    if (!section) throw new InventoryError(file, line, 'a setting before any [section]: put it under [defaults]');
    last = { value: stripComment(kv[2]!).trim(), line };
    section.set(kv[1]!.toLowerCase(), last);
  });
  return ini;
}

function stripComment(value: string): string {
  const m = /\s;/.exec(value);
  return m ? value.slice(0, m.index) : value;
}

function readCfg(path: string): string {
  return readInputText(
    path,
    (e) => new InventoryError(path, undefined, `the Ansible configuration ${e.what}: fix it, or point $ANSIBLE_CONFIG elsewhere`),
  );
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

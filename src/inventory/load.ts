// Which inventory the console opens, and loading it.
//   -i FILE  >  $DAY2_INVENTORY  >  the settings file's `inventory`  >  $ANSIBLE_INVENTORY / ansible.cfg's inventory
//   >  /etc/ansible/hosts (when it exists)  >  the built-in DEMO cluster.
// Loading also reads group_vars/ and host_vars/ beside the file, and ansible.cfg's (and $ANSIBLE_*)
// remote user, key and become settings, below every inventory variable, as in Ansible.
// `--demo` forces the demo. A file the operator named (flag or variable) that is missing or unreadable
// is an error, never a silent fallback to the demo: showing a simulated cluster to someone who asked
// for a real one would be the worst thing this tool could do at 3 a.m.
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { demoInventory } from '../demo/inventory.js';
import { quoteWord } from '../transport/shell.js';
import { type AnsibleSettings, readAnsibleSettings } from './ansible-cfg.js';
import { InputFileError, readInputFile } from './input-file.js';
import { parseInventory } from './parse.js';
import { type Host, type Inventory, InventoryError, type InventoryWarning } from './types.js';
import { readVarFiles } from './var-files.js';
import { fromAnsibleList, isYamlInventory, listAnsibleInventory } from './yaml-inventory.js';

export const DEFAULT_INVENTORY_PATH = '/etc/ansible/hosts';
export const INVENTORY_ENV = 'DAY2_INVENTORY';

export interface InventorySourceOptions {
  /** `-i/--inventory FILE`. */
  flag?: string;
  /** Environment to read `$DAY2_INVENTORY` from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** `inventory` in the console's settings file (src/settings): after $DAY2_INVENTORY. */
  configured?: string;
  /** Default `/etc/ansible/hosts`. */
  defaultPath?: string;
  /** `--demo`: use the built-in simulated cluster whatever else is given. */
  demo?: boolean;
  /** `--demo=NAME`: the demo's scenario (src/demo/scenarios.ts; none: healthy). */
  scenario?: string;
  /** The operator's Ansible settings, or how to read them once (default: read from ansible.cfg and `env`, only when needed). */
  ansible?: AnsibleSettings | (() => AnsibleSettings);
}

export type InventorySource =
  | { kind: 'file'; path: string; from: 'flag' | 'env' | 'config' | 'default' }
  /** Named by $ANSIBLE_INVENTORY or ansible.cfg's `inventory`; `via` says which (`ansible.cfg (/path)`). */
  | { kind: 'file'; path: string; from: 'ansible'; via: string }
  | { kind: 'demo'; reason: 'flag' | 'no-inventory'; scenario?: string };

/** Decides where the inventory comes from. Does not read the file (see loadInventory). */
export function resolveInventorySource(options: InventorySourceOptions = {}): InventorySource {
  if (options.demo) return { kind: 'demo', reason: 'flag', ...(options.scenario ? { scenario: options.scenario } : {}) };
  if (options.flag !== undefined && options.flag !== '') return { kind: 'file', path: resolvePath(options.flag), from: 'flag' };
  const env = options.env ?? process.env;
  const fromEnv = env[INVENTORY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'file', path: resolvePath(fromEnv), from: 'env' };
  if (options.configured) return { kind: 'file', path: resolvePath(options.configured), from: 'config' };
  const ansible = ansibleOf(options, env).inventory;
  if (ansible) return { kind: 'file', path: ansible.value, from: 'ansible', via: ansible.source };
  const def = options.defaultPath ?? DEFAULT_INVENTORY_PATH;
  // The default counts when anything is there — even a file we cannot read is an error, not the demo.
  if (pathExists(def)) return { kind: 'file', path: resolvePath(def), from: 'default' };
  return { kind: 'demo', reason: 'no-inventory' };
}

function ansibleOf(options: InventorySourceOptions, env: Readonly<Record<string, string | undefined>>): AnsibleSettings {
  const given = options.ansible;
  if (given === undefined) return readAnsibleSettings({ env });
  return typeof given === 'function' ? given() : given;
}

function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch (e) {
    // EACCES on a parent directory: something may be there; let the read report it.
    return (e as NodeJS.ErrnoException).code === 'EACCES';
  }
}

function how(source: Extract<InventorySource, { kind: 'file' }>): string {
  switch (source.from) {
    case 'flag':
      return 'given with -i';
    case 'env':
      return `named by $${INVENTORY_ENV}`;
    case 'config':
      return 'named in the settings file';
    case 'default':
      return 'the default inventory';
    case 'ansible':
      return `named by ${source.via}`;
  }
}

/**
 * Reads and parses an inventory file with the group_vars/ and host_vars/ beside it, then the operator's
 * Ansible settings below them; InventoryError (naming the path and what to do) when it cannot.
 */
export function readInventoryFile(
  source: Extract<InventorySource, { kind: 'file' }>,
  ansible: AnsibleSettings = readAnsibleSettings(),
): Inventory {
  const inventory = parseInventoryFile(source);
  applyAnsibleSettings(inventory, ansible);
  return inventory;
}

function parseInventoryFile(source: Extract<InventorySource, { kind: 'file' }>): Inventory {
  const { path } = source;
  const text = decodeInventory(readBytes(source), path);
  if (isYamlInventory(path, text)) return readYamlInventory(path);
  const warnings: InventoryWarning[] = [];
  const varFiles = readVarFiles(path, warnings);
  const inventory = parseInventory(text, { file: path, source: { kind: 'file', path }, varFiles });
  inventory.warnings.push(...warnings);
  return inventory;
}

/** A YAML or JSON inventory through ansible-inventory (group_vars/ and host_vars/ applied by it). */
function readYamlInventory(path: string): Inventory {
  const { ini, hostVars } = fromAnsibleList(listAnsibleInventory(path), path);
  const inventory = parseInventory(ini, { file: path, source: { kind: 'file', path }, varFiles: { groups: new Map(), hosts: hostVars } });
  // The INI text was made from ansible-inventory's answer: its line numbers are not the file's.
  inventory.warnings = inventory.warnings.map(({ line: _line, ...w }) => w);
  return inventory;
}

/** ansible.cfg / $ANSIBLE_* user, key and become: for the hosts whose inventory variables do not set them. */
export function applyAnsibleSettings(inventory: Inventory, ansible: AnsibleSettings): void {
  for (const note of ansible.notes) inventory.warnings.push({ file: ansible.cfgPath ?? 'ansible.cfg', message: note });
  for (const host of inventory.hosts) {
    const sources = (host.sources ??= {});
    const fill = <K extends 'user' | 'keyFile' | 'becomeUser'>(key: K, setting: AnsibleSettings[K]) => {
      if (!setting || host[key] !== undefined) return;
      (host as Host)[key] = setting.value;
      sources[key] = setting.source;
    };
    fill('user', ansible.user);
    fill('keyFile', ansible.keyFile);
    fill('becomeUser', ansible.becomeUser);
    if (ansible.become && sources.become === undefined) {
      host.become = ansible.become.value;
      sources.become = ansible.become.source;
    }
  }
}

function readBytes(source: Extract<InventorySource, { kind: 'file' }>): Buffer {
  const { path } = source;
  try {
    return readInputFile(path);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new InventoryError(path, undefined, `the inventory ${how(source)} ${e.what}: ${fixFor(source, e)}`);
  }
}

function fixFor(source: Extract<InventorySource, { kind: 'file' }>, e: InputFileError): string {
  switch (e.problem) {
    case 'directory':
      return `day2-tui reads one INI file: pass -i ${quoteWord(`${source.path.replace(/\/$/, '')}/hosts`)} (or the one that lists [etcd])`;
    case 'denied':
      return 'run day2-tui as a user that can read it (often root, or via sudo), or copy it somewhere readable and pass -i';
    case 'not-a-file':
    case 'too-large':
      return 'pass the INI inventory file the installer used (a plain file) with -i';
    default:
      if (source.from === 'flag') return 'check the path given with -i, or leave -i out to use the DEMO cluster';
      if (source.from === 'config') return 'fix it with `day2-tui config set inventory FILE`, or `day2-tui config unset inventory`';
      if (source.from === 'ansible') return `fix ${source.via}, or pass the inventory with -i`;
      return source.from === 'env' ? `fix or unset $${INVENTORY_ENV}` : 'pass the right file with -i, or run with --demo';
  }
}

/**
 * The text of the inventory. A line that is not valid UTF-8 is refused at its line (a host name or value
 * with stray bytes would be shown and used as something else), unless it is a comment.
 */
function decodeInventory(bytes: Buffer, path: string): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    // find the line
  }
  const lines = bytes.toString('latin1').split('\n');
  let offset = 0;
  lines.forEach((latin, i) => {
    const raw = bytes.subarray(offset, offset + latin.length);
    offset += latin.length + 1;
    if (/^\s*[#;]/.test(latin)) return;
    try {
      strict.decode(raw);
    } catch {
      throw new InventoryError(path, i + 1, 'this line is not valid UTF-8: save the inventory as UTF-8 (e.g. iconv -f latin1 -t utf-8)');
    }
  });
  return new TextDecoder('utf-8').decode(bytes);
}

/** Resolves the source (see resolveInventorySource) and returns the inventory: a parsed file or the DEMO cluster. */
export function loadInventory(options: InventorySourceOptions = {}): Inventory {
  const source = resolveInventorySource(options);
  if (source.kind === 'demo') return demoInventory(source.scenario);
  return readInventoryFile(source, ansibleOf(options, options.env ?? process.env));
}

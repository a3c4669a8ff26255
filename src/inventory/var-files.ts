// group_vars/ and host_vars/ beside the inventory file, as Ansible's host_group_vars plugin reads them:
// `group_vars/<group>` with no extension or .yml/.yaml/.json, or a directory `group_vars/<group>/` of such
// files (read in sorted order, a later file's variable over an earlier one's). Values become the text
// Ansible's templating would give (true → "True", a dict → its Python form), which the INI parser's
// readers of the values (booleans, openshift_node_labels) already take.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { readInputText } from './input-file.js';
import { type VarDef, type VarFiles, validateVar } from './parse.js';
import { InventoryError, type InventoryWarning } from './types.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** The variables of group_vars/ and host_vars/ beside the inventory; InventoryError (file:line) on a bad file. */
export function readVarFiles(inventoryPath: string, warnings: InventoryWarning[] = []): VarFiles {
  const base = dirname(inventoryPath);
  return { groups: readVarDir(base, 'group_vars', warnings), hosts: readVarDir(base, 'host_vars', warnings) };
}

function readVarDir(base: string, kind: 'group_vars' | 'host_vars', warnings: InventoryWarning[]): Map<string, Map<string, VarDef>> {
  const dir = join(base, kind);
  const out = new Map<string, Map<string, VarDef>>();
  for (const entry of entriesOf(dir)) {
    const path = join(dir, entry);
    const files = isDirectory(path) ? entriesOf(path).map((f) => join(path, f)) : [path];
    const name = isDirectory(path) ? entry : nameOf(entry);
    if (name === undefined) continue;
    const vars = out.get(name) ?? new Map<string, VarDef>();
    for (const f of files) {
      if (isDirectory(f) || nameOf(basename(f)) === undefined) continue;
      for (const [k, v] of readVarFile(f, relative(base, f), warnings)) vars.set(k, v);
    }
    out.set(name, vars);
  }
  return out;
}

/** The group or host a file is for: its name without a .yml/.yaml/.json extension; undefined for other files. */
function nameOf(file: string): string | undefined {
  if (file.startsWith('.') || file.endsWith('~')) return undefined;
  const ext = EXTENSIONS.find((e) => e !== '' && file.endsWith(e)) ?? '';
  if (ext === '' && /\.(bak|orig|swp|retry|rpmnew|rpmsave)$/.test(file)) return undefined;
  return file.slice(0, file.length - ext.length);
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** One file's top-level variables; `shown` names it in sources (`group_vars/OSEv3.yml`). */
export function readVarFile(path: string, shown: string, warnings: InventoryWarning[] = []): Map<string, VarDef> {
  const text = readText(path);
  const vars = new Map<string, VarDef>();
  if (text.startsWith('$ANSIBLE_VAULT')) {
    warnings.push({ file: path, message: `${shown} is encrypted with ansible-vault: its variables are not read` });
    return vars;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) throw new InventoryError(path, error.linePos?.[0].line, `not valid YAML (${error.code}): ${firstLine(error.message)}`);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return vars;
  if (!isMap(doc.contents)) throw new InventoryError(path, 1, 'a variables file is a YAML mapping of name: value; this is not one');
  for (const pair of doc.contents.items) {
    const line = lineCounter.linePos(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0).line;
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InventoryError(path, line, `"${key}" is not a variable name`);
    const raw: unknown = isScalar(pair.value) || pair.value === null ? (pair.value?.value ?? null) : pair.value.toJS(doc);
    if (raw === null) continue;
    const value = templateText(raw);
    validateVar(path, line, key, value);
    vars.set(key, { value, file: path, line, where: `${shown}:${line}` });
  }
  return vars;
}

function readText(path: string): string {
  return readInputText(path, (e) => new InventoryError(path, undefined, `${e.what}: fix or remove this variables file`));
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** The text Ansible's templating makes of a YAML value: Python's str() of it. */
export function templateText(value: unknown): string {
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

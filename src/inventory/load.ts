// Which inventory the console opens, and loading it.
//   -i FILE  >  $DAY2_INVENTORY  >  /etc/ansible/hosts (when it exists)  >  the built-in DEMO cluster.
// `--demo` forces the demo. A file the operator named (flag or variable) that is missing or unreadable
// is an error, never a silent fallback to the demo: showing a simulated cluster to someone who asked
// for a real one would be the worst thing this tool could do at 3 a.m.
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { demoInventory } from './demo.js';
import { parseInventory } from './parse.js';
import { InventoryError, type Inventory } from './types.js';

export const DEFAULT_INVENTORY_PATH = '/etc/ansible/hosts';
export const INVENTORY_ENV = 'DAY2_INVENTORY';

export interface InventorySourceOptions {
  /** `-i/--inventory FILE`. */
  flag?: string;
  /** Environment to read `$DAY2_INVENTORY` from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default `/etc/ansible/hosts`. */
  defaultPath?: string;
  /** `--demo`: use the built-in simulated cluster whatever else is given. */
  demo?: boolean;
}

export type InventorySource =
  | { kind: 'file'; path: string; from: 'flag' | 'env' | 'default' }
  | { kind: 'demo'; reason: 'flag' | 'no-inventory' };

/** Decides where the inventory comes from. Does not read the file (see loadInventory). */
export function resolveInventorySource(options: InventorySourceOptions = {}): InventorySource {
  if (options.demo) return { kind: 'demo', reason: 'flag' };
  if (options.flag !== undefined && options.flag !== '') return { kind: 'file', path: resolvePath(options.flag), from: 'flag' };
  const env = options.env ?? process.env;
  const fromEnv = env[INVENTORY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'file', path: resolvePath(fromEnv), from: 'env' };
  const def = options.defaultPath ?? DEFAULT_INVENTORY_PATH;
  // The default counts when anything is there — even a file we cannot read is an error, not the demo.
  if (pathExists(def)) return { kind: 'file', path: resolvePath(def), from: 'default' };
  return { kind: 'demo', reason: 'no-inventory' };
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
    case 'default':
      return 'the default inventory';
  }
}

/** Reads and parses an inventory file; InventoryError (naming the path and what to do) when it cannot. */
export function readInventoryFile(source: Extract<InventorySource, { kind: 'file' }>): Inventory {
  const { path } = source;
  let text: string;
  try {
    if (statSync(path).isDirectory()) {
      throw new InventoryError(
        path,
        undefined,
        `the inventory ${how(source)} is a directory; day2-tui reads one INI file: pass -i ${path.replace(/\/$/, '')}/hosts (or the file in it that lists [masters] and [etcd])`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InventoryError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const fix =
      source.from === 'flag'
        ? 'check the path given with -i, or leave -i out to use the DEMO cluster'
        : source.from === 'env'
          ? `fix or unset $${INVENTORY_ENV}`
          : `pass the right file with -i, or run with --demo`;
    if (code === 'ENOENT') throw new InventoryError(path, undefined, `the inventory ${how(source)} does not exist: ${fix}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new InventoryError(
        path,
        undefined,
        `the inventory ${how(source)} cannot be read (permission denied): run day2-tui as a user that can read it (often root, or via sudo), or copy it somewhere readable and pass -i`,
      );
    }
    throw new InventoryError(path, undefined, `the inventory ${how(source)} cannot be read (${code ?? String(e)}): ${fix}`);
  }
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (/^(---|all:\s*$|\{)/m.test(trimmed.split('\n')[0] ?? '')) {
    throw new InventoryError(
      path,
      1,
      'this looks like a YAML or JSON inventory; day2-tui reads the INI form that the OCP 3.x installer uses: pass that file with -i',
    );
  }
  return parseInventory(text, { file: path, source: { kind: 'file', path } });
}

/** Resolves the source (see resolveInventorySource) and returns the inventory: a parsed file or the DEMO cluster. */
export function loadInventory(options: InventorySourceOptions = {}): Inventory {
  const source = resolveInventorySource(options);
  if (source.kind === 'demo') return demoInventory();
  return readInventoryFile(source);
}

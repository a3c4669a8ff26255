// The console's own settings (issue 15 item 4), kept with `conf` in $XDG_CONFIG_HOME/day2-tui/config.json
// (else ~/.config/day2-tui/config.json). Validated with conf's JSON schema; a broken file is an error naming
// the file and the key, never cleared. Which value wins (flag > env > this file > default) is src/cli/args.ts's.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import Conf from 'conf';

export const SETTINGS_DIR_NAME = 'day2-tui';
export const SETTING_KEYS = ['inventory', 'known-hosts', 'identity', 'oc', 'kubeconfig', 'concurrency', 'color'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** What the file holds; every key optional. */
export interface StoredSettings {
  inventory?: string;
  'known-hosts'?: string;
  identity?: string;
  oc?: string;
  kubeconfig?: string;
  concurrency?: number;
  color?: boolean;
}

/** The settings file read: its path and what it holds ({} when there is no file). */
export interface SettingsFile {
  path: string;
  values: StoredSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

const aPath = { type: 'string', minLength: 1 } as const;
const SCHEMA = {
  inventory: aPath,
  'known-hosts': aPath,
  identity: aPath,
  oc: aPath,
  kubeconfig: aPath,
  concurrency: { type: 'integer', minimum: 1 },
  color: { type: 'boolean' },
} as const;

/** What each key takes, in the words of `config set`. */
export const EXPECTED: Record<SettingKey, string> = {
  inventory: 'the path of an Ansible INI inventory file',
  'known-hosts': 'the path of a known_hosts file',
  identity: 'the path of an SSH private key',
  oc: 'the oc client: a path, or a command name found in PATH',
  kubeconfig: 'the path of a kubeconfig file',
  concurrency: 'a positive integer (hosts worked on at once)',
  color: 'true or false',
};

/** A settings file or value the operator must fix: one line, naming the file and the key. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** $XDG_CONFIG_HOME/day2-tui, else $HOME/.config/day2-tui. */
export function settingsDir(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, SETTINGS_DIR_NAME);
}

export function settingsPath(env: Env): string {
  return join(settingsDir(env), 'config.json');
}

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

function openStore(env: Env): Conf<StoredSettings> {
  return new Conf<StoredSettings>({
    cwd: settingsDir(env),
    configName: 'config',
    schema: SCHEMA,
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    // The schema is this file's constant (its tests use it): checking it against JSON Schema's meta-schema
    // and optimising the validator's code cost ~150 ms of every start-up, for one file read once.
    ajvOptions: { validateSchema: false, code: { optimize: false } },
  });
}

/** conf's own errors, said as what to fix in which file. */
function explained(err: unknown, path: string): SettingsError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SyntaxError) {
    return new SettingsError(`the settings file ${path} is not valid JSON (${message}): correct it, or remove it to start again`);
  }
  const violation = /^Config schema violation: `([^`]*)` (.*?)(;|$)/.exec(message);
  if (violation) {
    const key = violation[1] ?? '';
    const expected = isSettingKey(key) ? EXPECTED[key] : 'a valid value';
    return new SettingsError(
      `the settings file ${path} has a wrong value for "${key}" (${violation[2]}): it must be ${expected}; correct or remove it there`,
    );
  }
  return new SettingsError(`the settings file ${path} cannot be used: ${message}`);
}

function unknownKeys(values: object, path: string): void {
  const unknown = Object.keys(values).filter((k) => !isSettingKey(k));
  if (unknown.length > 0) {
    throw new SettingsError(
      `the settings file ${path} has an unknown key "${unknown[0]}" (the keys: ${SETTING_KEYS.join(', ')}): remove it there`,
    );
  }
}

/** Reads the settings file; a missing one is no settings. Throws SettingsError for a broken one. */
export function readSettings(env: Env): SettingsFile {
  const path = settingsPath(env);
  if (!existsSync(path)) return { path, values: {} };
  return { path, values: { ...checkedStore(env).store } };
}

/** The file opened and checked (JSON, schema, known keys): a broken one is said, never overwritten. */
function checkedStore(env: Env): Conf<StoredSettings> {
  const path = settingsPath(env);
  try {
    const store = openStore(env);
    unknownKeys(store.store, path);
    return store;
  } catch (err) {
    throw err instanceof SettingsError ? err : explained(err, path);
  }
}

/**
 * The value `config set KEY TEXT` stores: checked against what the key takes, paths made absolute
 * (from `cwd`); an `oc` without a slash stays a command name looked up in PATH.
 */
export function settingValue(key: SettingKey, text: string, cwd: string): string | number | boolean {
  const bad = () => new SettingsError(`${key} must be ${EXPECTED[key]}, not '${text}'`);
  if (key === 'concurrency') {
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) throw bad();
    return Number(text);
  }
  if (key === 'color') {
    if (text !== 'true' && text !== 'false') throw bad();
    return text === 'true';
  }
  if (text.trim() === '') throw bad();
  if (key === 'oc' && !text.includes('/')) return text;
  return isAbsolute(text) ? text : resolve(cwd, text);
}

function unknownKey(key: string): SettingsError {
  return new SettingsError(`unknown setting '${key}' (the keys: ${SETTING_KEYS.join(', ')})`);
}

/** `config set`: validates, then writes the file atomically (conf). Returns the value stored. */
export function writeSetting(env: Env, key: string, text: string, cwd: string): string | number | boolean {
  if (!isSettingKey(key)) throw unknownKey(key);
  const value = settingValue(key, text, cwd);
  const store = checkedStore(env);
  try {
    store.set(key, value);
  } catch (err) {
    throw explained(err, settingsPath(env));
  }
  return value;
}

/** `config unset`: removes the key from the file (nothing to do when it is not there). */
export function removeSetting(env: Env, key: string): void {
  if (!isSettingKey(key)) throw unknownKey(key);
  if (!existsSync(settingsPath(env))) return;
  const store = checkedStore(env);
  if (store.get(key) === undefined) return;
  try {
    store.delete(key);
  } catch (err) {
    throw explained(err, settingsPath(env));
  }
}

/** A key named on the command line (`config get KEY`): an unknown one lists the keys. */
export function settingKey(key: string): SettingKey {
  if (!isSettingKey(key)) throw unknownKey(key);
  return key;
}

// The command line (DESIGN.md "Command line contract"), parsed with commander into a plain value.
// Pure: nothing is printed and the process is never exited here; help, version and usage errors come
// back as { kind: 'exit' } for main() to print.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { CATALOGUE, findEntry } from '../../procedures/catalogue.js';
import { findInfoPage } from '../../procedures/info-pages.js';
import { DEFAULT_SCENARIO, DEMO_SCENARIOS, findScenario } from '../demo/scenarios.js';
import type { AnsibleSettings } from '../inventory/ansible-cfg.js';
import { DEFAULT_INVENTORY_PATH, type InventorySource, resolveInventorySource } from '../inventory/load.js';
import { EXPECTED, SETTING_KEYS, type SettingKey, type SettingsFile, settingKey } from '../settings/store.js';

export const PROGRAM = 'day2-tui';
/** The git commit, set by scripts/release.mjs in the release file (`--version` prints "<version> (<commit>)"). */
declare const __DAY2_COMMIT__: string | undefined;
export const VERSION: string = typeof __DAY2_COMMIT__ === 'string' ? `${packageJson.version} (${__DAY2_COMMIT__})` : packageJson.version;
export const DEFAULT_CONCURRENCY = 20;

/**
 * Options valid with every command (before or after the subcommand), defaults resolved. The settings
 * (inventory, known-hosts, identity, oc, kubeconfig, concurrency, color) are each the first of: flag,
 * environment variable, settings file, default; `settings` says which.
 */
export interface GlobalOptions {
  /** Which inventory to load and why (src/inventory/load.ts; paths made absolute). Not read yet. */
  inventory: InventorySource;
  /** The operator's Ansible settings (ansible.cfg, $ANSIBLE_*) as main read them, once; none: read when the inventory is. */
  ansible?: () => AnsibleSettings;
  /** --known-hosts; undefined: the ssh config's UserKnownHostsFile, else ~/.ssh/known_hosts (the system's files are read too). */
  knownHostsFile?: string;
  /** --identity; undefined: the ssh agent and the default keys. */
  identityFile?: string;
  /** --state-dir, else $XDG_STATE_HOME/day2-tui, else ~/.local/state/day2-tui (journals, audit log). */
  stateDir: string;
  /** --oc, else `oc` from PATH. */
  ocPath: string;
  /** --kubeconfig, $KUBECONFIG or the settings file: given to every oc run on the bastion; undefined: oc's own. */
  kubeconfig?: string;
  /** --concurrency: hosts worked on at once. */
  concurrency: number;
  /** False with --no-color, a non-empty $NO_COLOR or `color: false` in the settings file. */
  color: boolean;
  /** Every setting's effective value and where it came from (`config list`). */
  settings: Record<SettingKey, EffectiveSetting>;
  /** $DAY2_DEBUG set (and not "0"): errors show their stack. */
  debug: boolean;
}

/** Where a setting's value came from: a flag, an environment variable, the settings file, the default. */
/** `ansible`: $ANSIBLE_INVENTORY or ansible.cfg named it; `name` says which (e.g. `ansible.cfg (/etc/ansible/ansible.cfg)`). */
export type SettingOrigin = { from: 'flag' | 'env' | 'file' | 'ansible'; name: string } | { from: 'default' };

export interface EffectiveSetting {
  /** undefined: none (the tool's own default applies, e.g. ssh-agent keys). */
  value: string | number | boolean | undefined;
  origin: SettingOrigin;
}

export type ConfigAction =
  | { action: 'get' | 'unset'; key: SettingKey }
  | { action: 'set'; key: SettingKey; value: string }
  | { action: 'list'; json: boolean }
  | { action: 'path' };

export type ParsedCommand =
  | { kind: 'console'; options: GlobalOptions }
  | { kind: 'check'; options: GlobalOptions; json: boolean; only?: string[]; limit?: string[] }
  | { kind: 'list'; options: GlobalOptions; json: boolean }
  | { kind: 'plan'; options: GlobalOptions; procedure: string; params: Record<string, string>; json: boolean }
  | { kind: 'run'; options: GlobalOptions; procedure: string; params: Record<string, string>; yes: boolean }
  | { kind: 'runs'; options: GlobalOptions; json: boolean }
  | { kind: 'resume'; options: GlobalOptions; runId: string; yes: boolean }
  | { kind: 'report'; options: GlobalOptions; runId: string; format: 'md' | 'json' }
  | { kind: 'completion'; options: GlobalOptions; shell: 'bash' | 'zsh' }
  | { kind: 'config'; options: GlobalOptions; config: ConfigAction };

/** Print these (stdout/stderr as given, newline included) and exit with code. */
export interface ParseExit {
  kind: 'exit';
  code: number;
  stdout?: string;
  stderr?: string;
}

export type ParseResult = ParsedCommand | ParseExit;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ParseDeps {
  /** Default /etc/ansible/hosts: used when it exists and no inventory was named (tests point it elsewhere). */
  defaultInventoryPath?: string;
  /** The settings file (src/settings/store.ts readSettings); main reads it, tests give it. None: no settings. */
  settings?: () => SettingsFile;
  /** The operator's Ansible settings (ansible.cfg, $ANSIBLE_*), read at most once. Default: from `env` when needed. */
  ansible?: () => AnsibleSettings;
}

/** A usage error found after commander's own parsing; becomes one line on stderr and exit 2. */
class UsageError extends Error {}

// ---- option value parsers (commander calls them; InvalidArgumentError becomes a usage error) ----

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('It must be a positive integer.');
  }
  return Number(value);
}

function commaList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError('It must be a comma-separated list without empty items.');
  return [...(previous ?? []), ...items];
}

function keyValue(value: string, previous: [string, string][] | undefined): [string, string][] {
  const at = value.indexOf('=');
  const key = at < 0 ? '' : value.slice(0, at);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) throw new InvalidArgumentError('It must be key=value.');
  return [...(previous ?? []), [key, value.slice(at + 1)]];
}

// ---- the program ----------------------------------------------------------------------------------

const HELP_AFTER = `
With no command, ${PROGRAM} starts the full-screen console.

Inventory: --inventory FILE, else $DAY2_INVENTORY, else the settings file's
inventory, else $ANSIBLE_INVENTORY or ansible.cfg's inventory, else
${DEFAULT_INVENTORY_PATH} when it exists, else the built-in demo cluster
(labelled DEMO).
Demo scenarios (--demo=NAME; --demo alone: ${DEFAULT_SCENARIO}):
${DEMO_SCENARIOS.map((s) => `  ${s.id.padEnd(20)}${s.summary}\n${' '.repeat(22)}rehearse: ${s.rehearse.join(', ')}`).join('\n')}
Settings: flag > environment > settings file > default. The file is
$XDG_CONFIG_HOME/day2-tui/config.json (else ~/.config/day2-tui/config.json),
edited with \`${PROGRAM} config set KEY VALUE\`; \`${PROGRAM} config list\` shows
where each value came from. Keys: ${SETTING_KEYS.slice(0, 4).join(', ')},
${SETTING_KEYS.slice(4).join(', ')}. Variables: $DAY2_INVENTORY, $DAY2_KNOWN_HOSTS,
$DAY2_IDENTITY, $DAY2_OC, $KUBECONFIG, $DAY2_CONCURRENCY, $NO_COLOR.
Exit codes: check: 0 ok, 1 warn, 2 fail or error.
  run, resume: 0 ok; 1 a step failed or the run was aborted; 3 a gate stopped it
  without --yes; 4 refused by a precondition before anything destructive began.
  The console: 0 after q, 130 after Ctrl-C.
  config get: 1 when the setting has no value.
  Any command: 2 a usage or configuration error (a broken settings file too).
Shell completion: source <(${PROGRAM} completion bash)   (zsh: completion zsh)
Set DAY2_DEBUG=1 to see the stack of an error.`;

interface Captured {
  out: string;
  err: string;
  /** The subcommand being parsed, for the "(see day2-tui X --help)" hint. */
  active?: string;
  result?: ParsedCommand;
}

function buildProgram(cap: Captured, finish: (kind: ParsedCommand['kind'], cmd: Command) => void): Command {
  const program = new Command(PROGRAM);
  const configure = (cmd: Command): Command =>
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: (s) => void (cap.out += s),
        writeErr: (s) => void (cap.err += s),
        outputError: () => {}, // the CommanderError carries the message; main prints one line
      })
      .showSuggestionAfterError(true)
      .helpOption('-h, --help', 'show this help');

  configure(program)
    .description('Terminal console for Day 2 operations of OpenShift Container Platform 3.x clusters')
    .usage('[options] [command]')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-i, --inventory <file>', 'Ansible inventory of the cluster')
    .addOption(new Option('--demo [scenario]', 'the built-in demo cluster; --demo=NAME: a scenario (below)').conflicts('inventory'))
    .option(
      '--known-hosts <file>',
      'your known_hosts file (instead of UserKnownHostsFile or ~/.ssh/known_hosts; the system file is read too)',
    )
    .option('--identity <file>', 'SSH private key')
    .option('--state-dir <dir>', 'where run journals and the audit log are kept')
    .option('--oc <path>', 'the oc client to run cluster commands with')
    .option('--kubeconfig <file>', 'the kubeconfig every oc on the bastion uses (also $KUBECONFIG)')
    .option('--concurrency <n>', `hosts worked on at once (default: ${DEFAULT_CONCURRENCY})`, positiveInteger)
    .option('--no-color', 'no colour (also with NO_COLOR set)')
    .allowExcessArguments(true)
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', HELP_AFTER)
    .hook('preSubcommand', (_this, sub) => {
      cap.active = sub.name();
    })
    .action(() => {
      // No subcommand: the console. A leftover word is a command we do not know.
      if (program.args.length > 0) {
        const withSuggestion = program as unknown as { unknownCommand?: () => never };
        if (typeof withSuggestion.unknownCommand === 'function') withSuggestion.unknownCommand();
        program.error(`error: unknown command '${program.args[0]}'`, { code: 'commander.unknownCommand' });
      }
      finish('console', program);
    });

  const sub = (name: string, description: string) =>
    configure(program.command(name).description(description)).allowExcessArguments(false).configureHelp({ showGlobalOptions: true });

  sub('check', 'run the health checks (exit 0 ok, 1 warn, 2 fail)')
    .option('--json', 'print one JSON object')
    .option('--only <ids>', 'only these checks (comma list; see list)', commaList)
    .option('--limit <hosts>', 'only these hosts (comma list)', commaList)
    .action((_opts, cmd: Command) => finish('check', cmd));

  sub('list', 'list checks and procedures with their parameters')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) => finish('list', cmd));

  sub('plan', "show a procedure's steps and commands; changes nothing")
    .argument('<procedure>', 'procedure id (see list)')
    .option('--param <key=value>', 'a procedure parameter (repeatable)', keyValue)
    .option('--json', 'print one JSON object')
    .action((_id, _opts, cmd: Command) => finish('plan', cmd));

  sub('run', 'run a procedure')
    .argument('<procedure>', 'procedure id (see list)')
    .option('--param <key=value>', 'a procedure parameter (repeatable)', keyValue)
    .option('-y, --yes', 'answer the confirmation gates')
    .action((_id, _opts, cmd: Command) => finish('run', cmd));

  sub('runs', 'list the journals of past and interrupted runs')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) => finish('runs', cmd));

  sub('resume', 'resume an interrupted run')
    .argument('<run-id>', 'run id (see runs)')
    .option('-y, --yes', 'answer the confirmation gates')
    .action((_id, _opts, cmd: Command) => finish('resume', cmd));

  sub('report', 'the record of a run for the incident ticket: commands, exit codes, gates, the cluster before and after')
    .argument('<run-id>', 'run id (see runs)')
    .addOption(new Option('--format <format>', 'Markdown or JSON').choices(['md', 'json']).default('md'))
    .action((_id, _opts, cmd: Command) => finish('report', cmd));

  sub('completion', 'print a shell completion script (bash or zsh)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((_shell, _opts, cmd: Command) => finish('completion', cmd));

  const config = sub('config', "the console's own settings: get, set, unset, list, path (see Settings in --help)");
  const configSub = (name: string, description: string) =>
    configure(config.command(name).description(description)).allowExcessArguments(false).configureHelp({ showGlobalOptions: true });
  configSub('get', 'print the effective value of a setting').argument('<key>', SETTING_KEYS.join(', '));
  configSub('set', 'store a setting in the settings file (checked first; paths made absolute)')
    .argument('<key>', SETTING_KEYS.join(', '))
    .argument('<value>', 'the value');
  configSub('unset', 'remove a setting from the settings file').argument('<key>', SETTING_KEYS.join(', '));
  configSub('list', 'every setting, its effective value and where it came from').option('--json', 'print JSON');
  configSub('path', 'print the path of the settings file');
  for (const cmd of config.commands) cmd.action((...args: unknown[]) => finish('config', args[args.length - 1] as Command));

  return program;
}

/** The commands and options of the command line, read from the commander program (for `completion`). */
export interface CliShape {
  /** subcommands: a command's own commands (config get|set|…). */
  commands: { name: string; options: string[]; subcommands: string[] }[];
  globalOptions: string[];
  /** Options that take a value in the next word (e.g. -i FILE). */
  valueOptions: string[];
}

export function cliShape(): CliShape {
  const program = buildProgram({ out: '', err: '' }, () => {});
  const flags = (cmd: Command) => [...cmd.options.flatMap((o) => [o.short, o.long]), '--help'].filter((f): f is string => !!f);
  const valueOptions = [program, ...program.commands].flatMap((c) => c.options.filter((o) => o.required).flatMap((o) => [o.short, o.long]));
  const commands = program.commands.map((c) => ({
    name: c.name(),
    options: [...new Set([...flags(c), ...c.commands.flatMap(flags)])],
    subcommands: c.commands.map((s) => s.name()),
  }));
  return {
    commands: [...commands, { name: 'help', options: [], subcommands: [] }],
    globalOptions: flags(program),
    valueOptions: [...new Set(valueOptions.filter((f): f is string => !!f))],
  };
}

// ---- after commander: defaults, catalogue look-ups ------------------------------------------------

/** The environment variable of each setting (color: $NO_COLOR, which only turns it off). */
export const SETTING_ENV: Record<SettingKey, string> = {
  inventory: 'DAY2_INVENTORY',
  'known-hosts': 'DAY2_KNOWN_HOSTS',
  identity: 'DAY2_IDENTITY',
  oc: 'DAY2_OC',
  kubeconfig: 'KUBECONFIG',
  concurrency: 'DAY2_CONCURRENCY',
  color: 'NO_COLOR',
};

type SettingValue = EffectiveSetting['value'];

/** Flag > environment > settings file > default: the first source that has a value. */
function firstOf(sources: [SettingValue, SettingOrigin][], fallback: SettingValue): EffectiveSetting {
  const found = sources.find(([value]) => value !== undefined);
  return found ? { value: found[0], origin: found[1] } : { value: fallback, origin: { from: 'default' } };
}

/** A setting's environment variable: empty counts as unset; concurrency must be a positive integer. */
function fromEnv(key: SettingKey, env: Env): SettingValue {
  const name = SETTING_ENV[key];
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (key === 'color') return false;
  if (key !== 'concurrency') return text;
  try {
    return positiveInteger(text);
  } catch {
    throw new UsageError(`$${name} must be ${EXPECTED.concurrency}, not '${text}': fix or unset it`);
  }
}

function inventoryOrigin(source: InventorySource, settingsPath: string): EffectiveSetting {
  if (source.kind === 'demo') {
    return { value: 'DEMO', origin: source.reason === 'flag' ? { from: 'flag', name: '--demo' } : { from: 'default' } };
  }
  const origins: Record<typeof source.from, SettingOrigin> = {
    flag: { from: 'flag', name: '--inventory' },
    env: { from: 'env', name: SETTING_ENV.inventory },
    config: { from: 'file', name: settingsPath },
    ansible: { from: 'ansible', name: source.from === 'ansible' ? source.via : '' },
    default: { from: 'default' },
  };
  return { value: source.path, origin: origins[source.from] };
}

interface GlobalFlags {
  inventory?: string;
  demo?: string | boolean;
  knownHosts?: string;
  identity?: string;
  stateDir?: string;
  oc?: string;
  kubeconfig?: string;
  concurrency?: number;
  color: boolean;
}

/** Each setting resolved: flag > env > settings file > default. */
function resolveSettings(program: Command, env: Env, file: SettingsFile, inventory: InventorySource): Record<SettingKey, EffectiveSetting> {
  const o = program.opts<GlobalFlags>();
  const flagOf = (value: SettingValue, name: string): [SettingValue, SettingOrigin] => [
    typeof value === 'string' ? nonEmpty(value, name) : value,
    { from: 'flag', name },
  ];
  const inFile: SettingOrigin = { from: 'file', name: file.path };
  const chain = (key: SettingKey, flag: [SettingValue, SettingOrigin], fallback?: SettingValue) =>
    firstOf([flag, [fromEnv(key, env), { from: 'env', name: SETTING_ENV[key] }], [file.values[key], inFile]], fallback);
  const colorFlag = program.getOptionValueSource('color') === 'cli' ? false : undefined;
  return {
    inventory: inventoryOrigin(inventory, file.path),
    'known-hosts': chain('known-hosts', flagOf(o.knownHosts, '--known-hosts')),
    identity: chain('identity', flagOf(o.identity, '--identity')),
    oc: chain('oc', flagOf(o.oc, '--oc'), 'oc'),
    kubeconfig: chain('kubeconfig', flagOf(o.kubeconfig, '--kubeconfig')),
    concurrency: chain('concurrency', flagOf(o.concurrency, '--concurrency'), DEFAULT_CONCURRENCY),
    color: chain('color', flagOf(colorFlag, '--no-color'), true),
  };
}

function inventorySource(o: GlobalFlags, env: Env, file: SettingsFile, deps: ParseDeps): InventorySource {
  const sourceOptions: Parameters<typeof resolveInventorySource>[0] = { env: { ...env }, demo: o.demo !== undefined && o.demo !== false };
  if (typeof o.demo === 'string' && o.demo !== '') {
    if (!findScenario(o.demo))
      throw new UsageError(`unknown demo scenario '${o.demo}' (the scenarios: ${DEMO_SCENARIOS.map((s) => s.id).join(', ')})`);
    sourceOptions.scenario = o.demo;
  }
  if (o.inventory !== undefined) sourceOptions.flag = nonEmpty(o.inventory, '--inventory');
  if (file.values.inventory !== undefined) sourceOptions.configured = file.values.inventory;
  if (deps.defaultInventoryPath !== undefined) sourceOptions.defaultPath = deps.defaultInventoryPath;
  if (deps.ansible) sourceOptions.ansible = deps.ansible;
  return resolveInventorySource(sourceOptions);
}

const NO_SETTINGS: SettingsFile = { path: '', values: {} };

/** `readFile` false: `config path`, which must work even when the file is broken. */
function globalOptions(program: Command, env: Env, deps: ParseDeps, readFile = true): GlobalOptions {
  const o = program.opts<GlobalFlags>();
  const file = readFile && deps.settings ? deps.settings() : NO_SETTINGS;
  const inventory = inventorySource(o, env, file, deps);
  const settings = resolveSettings(program, env, file, inventory);
  const stateBase = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  const options: GlobalOptions = {
    inventory,
    stateDir: o.stateDir !== undefined ? nonEmpty(o.stateDir, '--state-dir') : join(stateBase, PROGRAM),
    ocPath: String(settings.oc.value),
    concurrency: Number(settings.concurrency.value),
    color: settings.color.value !== false,
    debug: !!env.DAY2_DEBUG && env.DAY2_DEBUG !== '0',
    settings,
  };
  if (deps.ansible) options.ansible = deps.ansible;
  const text = (key: SettingKey) => (typeof settings[key].value === 'string' ? (settings[key].value as string) : undefined);
  const knownHosts = text('known-hosts');
  const identity = text('identity');
  const kubeconfig = text('kubeconfig');
  if (knownHosts !== undefined) options.knownHostsFile = knownHosts;
  if (identity !== undefined) options.identityFile = identity;
  if (kubeconfig !== undefined) options.kubeconfig = kubeconfig;
  return options;
}

function nonEmpty(value: string, option: string): string {
  if (value.trim() === '') throw new UsageError(`${option} needs a value`);
  return value;
}

function procedureId(id: string): string {
  const entry = findEntry(id);
  if (!entry) throw new UsageError(`unknown procedure '${id}' (see ${PROGRAM} list)`);
  if (entry.kind === 'check') throw new UsageError(`'${id}' is a check, not a procedure: use \`${PROGRAM} check --only ${id}\``);
  if (entry.kind === 'info') {
    const offered = findInfoPage(id)?.procedure?.id;
    const instead = offered ? `; the procedure ${offered} does what it says: \`${PROGRAM} plan ${offered}\`` : '';
    throw new UsageError(`'${id}' is guidance, not a procedure: open it in the console (:${id})${instead}`);
  }
  return id;
}

function procedureParams(id: string, pairs: [string, string][] | undefined): Record<string, string> {
  const entry = findEntry(id)!;
  const params: Record<string, string> = {};
  for (const [key, value] of pairs ?? []) {
    const info = entry.parameters.find((p) => p.name === key);
    if (!info) {
      const known = entry.parameters.map((p) => p.name).join(', ') || 'none';
      throw new UsageError(`${id} has no parameter '${key}' (its parameters: ${known})`);
    }
    if (Object.hasOwn(params, key)) throw new UsageError(`--param ${key} given twice`);
    if (info.choices && 'values' in info.choices && !info.choices.values.includes(value)) {
      throw new UsageError(`--param ${key} must be one of ${info.choices.values.join(', ')}, not '${value}'`);
    }
    params[key] = value;
  }
  return params;
}

function checkIds(ids: string[] | undefined): string[] | undefined {
  if (!ids) return undefined;
  for (const id of ids) {
    const entry = findEntry(id);
    if (entry?.kind !== 'check') {
      const checks = CATALOGUE.filter((e) => e.kind === 'check')
        .map((e) => e.id)
        .join(', ');
      throw new UsageError(`unknown check '${id}' (checks: ${checks})`);
    }
  }
  return [...new Set(ids)];
}

function toParsed(kind: ParsedCommand['kind'], cmd: Command, options: GlobalOptions): ParsedCommand {
  const o = cmd.opts<{
    json?: boolean;
    only?: string[];
    limit?: string[];
    param?: [string, string][];
    yes?: boolean;
    format?: 'md' | 'json';
  }>();
  const arg0 = cmd.args[0] ?? '';
  switch (kind) {
    case 'console':
      return { kind, options };
    case 'check': {
      const parsed: ParsedCommand = { kind, options, json: !!o.json };
      const only = checkIds(o.only);
      if (only) parsed.only = only;
      if (o.limit) parsed.limit = [...new Set(o.limit)];
      return parsed;
    }
    case 'list':
    case 'runs':
      return { kind, options, json: !!o.json };
    case 'plan': {
      const procedure = procedureId(arg0);
      return { kind, options, procedure, params: procedureParams(procedure, o.param), json: !!o.json };
    }
    case 'run': {
      const procedure = procedureId(arg0);
      return { kind, options, procedure, params: procedureParams(procedure, o.param), yes: !!o.yes };
    }
    case 'resume':
      return { kind, options, runId: nonEmpty(arg0, 'resume'), yes: !!o.yes };
    case 'report':
      return { kind, options, runId: nonEmpty(arg0, 'report'), format: o.format ?? 'md' };
    case 'completion':
      return { kind, options, shell: arg0 === 'zsh' ? 'zsh' : 'bash' };
    case 'config':
      return { kind, options, config: configAction(cmd) };
  }
}

/** `config get|set|unset|list|path`: the key checked here (set's value is checked by the store). */
function configAction(cmd: Command): ConfigAction {
  const [key = '', value = ''] = cmd.args;
  switch (cmd.name()) {
    case 'get':
    case 'unset':
      return { action: cmd.name() as 'get' | 'unset', key: knownKey(key) };
    case 'set':
      return { action: 'set', key: knownKey(key), value };
    case 'list':
      return { action: 'list', json: !!cmd.opts<{ json?: boolean }>().json };
    default:
      return { action: 'path' };
  }
}

function knownKey(key: string): SettingKey {
  try {
    return settingKey(key);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** One stderr line: `day2-tui: <what> (see day2-tui [cmd] --help)`. */
function usageLine(message: string, active: string | undefined): string {
  const text = message
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\(Did you mean (.*)\?\)\s*$/, ': did you mean $1?')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
  const help = active ? `${PROGRAM} ${active} --help` : `${PROGRAM} --help`;
  return `${PROGRAM}: ${text} (see ${help})\n`;
}

/**
 * A bare `--demo` becomes `--demo=`: its scenario is optional, and commander would take the next word as
 * the value (`--demo run x`, `--demo --yes` after a procedure id). A scenario is given as `--demo=NAME`.
 */
export function bareDemo(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '--demo' && (end < 0 || i < end) ? '--demo=' : a));
}

/**
 * Parses the arguments after `node script` (process.argv.slice(2)). Never prints, never exits.
 * Usage errors → { kind: 'exit', code: 2, stderr: one line }; --help / --version → code 0 with stdout.
 */
export function parseCommandLine(argv: readonly string[], env: Env, deps: ParseDeps = {}): ParseResult {
  const cap: Captured = { out: '', err: '' };
  let finished: { kind: ParsedCommand['kind']; cmd: Command } | undefined;
  const program = buildProgram(cap, (kind, cmd) => {
    finished = { kind, cmd };
  });
  try {
    program.parse(bareDemo(argv), { from: 'user' });
    if (!finished) return { kind: 'exit', code: 2, stderr: usageLine('nothing to do', undefined) };
    const readFile = !(finished.kind === 'config' && finished.cmd.name() === 'path');
    return toParsed(finished.kind, finished.cmd, globalOptions(program, env, deps, readFile));
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) {
        const result: ParseExit = { kind: 'exit', code: 0 };
        if (cap.out) result.stdout = cap.out;
        if (cap.err) result.stderr = cap.err;
        return result;
      }
      if (err.code === 'commander.help') {
        // `day2-tui help frobnicate`: commander prints the whole help to stderr; say what was wrong instead.
        const asked = argv[argv.indexOf('help') + 1];
        return { kind: 'exit', code: 2, stderr: usageLine(`unknown command '${asked ?? ''}'`, undefined) };
      }
      return { kind: 'exit', code: 2, stderr: usageLine(err.message, cap.active) };
    }
    if (err instanceof UsageError) {
      return { kind: 'exit', code: 2, stderr: usageLine(err.message, finished && finished.kind !== 'console' ? finished.kind : undefined) };
    }
    throw err;
  }
}

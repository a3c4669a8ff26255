// The operator's own OpenSSH client settings (ssh_config(5)): ~/.ssh/config, then /etc/ssh/ssh_config,
// the first value obtained winning, as ssh does. Parsed with the `ssh-config` package; its compute() keeps
// no line numbers, so the walk below (Host patterns with the package's `glob`) also says where each value
// came from. Reading files is loadSshConfig's; resolving a host is pure (resolveSshHost).
//
// Ansible runs `ssh` with the host's address (ansible_host, else the name) as destination: Host patterns
// match that. Explicit inventory settings (ansible_user, ansible_port, ansible_ssh_private_key_file) win
// over the config; the config wins over the defaults.
import { readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { glob, type Line, LineType } from 'ssh-config';
import { InputFileError, readInputFile } from '../inventory/input-file.js';
import type { Host } from '../inventory/types.js';

/** One config file, parsed, with the files its Include lines name (already read). */
export interface SshConfigFile {
  /** How the file is named in messages and origins: `~/.ssh/config`, `/etc/ssh/ssh_config`. */
  label: string;
  lines: SSHConfig;
}

/** The files in the order ssh reads them; `included` holds every file an Include names, by its label. */
export interface SshClientConfig {
  files: SshConfigFile[];
  included: Map<string, SshConfigFile[]>;
  /** For `~` and %d in IdentityFile and known-hosts paths. */
  home: string;
  /** For %u. */
  localUser: string;
}

/** A config that cannot be used for a host: names the file:line and what to do. */
export class SshConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshConfigError';
  }
}

/** A value and where it came from: `~/.ssh/config:12`, `inventory`, `default`, `--known-hosts`. */
export interface Setting<T> {
  value: T;
  from: string;
}

/** Where one SSH connection goes, each setting with its origin. */
export interface EndpointSettings {
  hostName: Setting<string>;
  user: Setting<string>;
  port: Setting<number>;
  identityFiles: Setting<string[]>;
  userKnownHostsFiles: Setting<string[]>;
  globalKnownHostsFiles: Setting<string[]>;
}

/** One jump host of a ProxyJump chain, resolved through the config itself. */
export interface JumpHop extends EndpointSettings {
  /** The hop as written in ProxyJump (`[user@]host[:port]`). */
  spec: string;
  /** The name Host patterns matched (the host part of spec). */
  name: string;
}

/** How to reach one inventory host: each setting with its origin, and the jump hosts in order. */
export interface ResolvedSsh extends EndpointSettings {
  proxyJump: Setting<string>;
  jumps: JumpHop[];
}

export interface SshDefaults {
  /** The user when neither inventory nor config name one. */
  user: string;
  /** Tried when no IdentityFile is given (the runner adds --identity itself). */
  identityFiles: string[];
  /** `--known-hosts`: replaces the user's known-hosts files (config or default). */
  knownHostsOverride?: string;
}

export const USER_CONFIG_LABEL = '~/.ssh/config';
export const SYSTEM_CONFIG_PATH = '/etc/ssh/ssh_config';
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];

/** Said once when the config turns host key checking off: it is not honoured. */
export const STRICT_HOST_KEY_NOTE = 'StrictHostKeyChecking no is not honoured: every host key is verified against known_hosts';

// ---- reading -------------------------------------------------------------------------------------------

/** Parses one file's text (no I/O). */
export function parseSshConfigText(label: string, text: string): SshConfigFile {
  return { label, lines: SSHConfig.parse(text) };
}

/** Reads ~/.ssh/config then /etc/ssh/ssh_config (missing ones are empty) and the files they Include. */
export function loadSshConfig(home: string, localUser: string, systemPath = SYSTEM_CONFIG_PATH): SshClientConfig {
  const config: SshClientConfig = { files: [], included: new Map(), home, localUser };
  const sources = [
    { path: join(home, '.ssh', 'config'), label: USER_CONFIG_LABEL, base: join(home, '.ssh') },
    { path: systemPath, label: systemPath, base: dirname(systemPath) },
  ];
  for (const s of sources) {
    const file = readConfigFile(s.path, s.label);
    if (!file) continue;
    config.files.push(file);
    loadIncludes(config, file, s.base, 0);
  }
  return config;
}

function readConfigFile(path: string, label: string): SshConfigFile | undefined {
  try {
    return parseSshConfigText(label, readInputFile(path).toString('utf8'));
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.problem === 'missing') return undefined;
    throw new SshConfigError(`ssh config ${label} ${err.what}: fix or remove it`);
  }
}

/** Reads every file the Include lines of `file` name (relative to base; `*` and `?` in the last part). */
function loadIncludes(config: SshClientConfig, file: SshConfigFile, base: string, depth: number): void {
  for (const { directive } of walk(file.lines)) {
    if (directive.param.toLowerCase() !== 'include') continue;
    for (const pattern of words(directive)) {
      if (config.included.has(pattern) || depth > 8) continue;
      const files: SshConfigFile[] = [];
      config.included.set(pattern, files);
      for (const path of expandInclude(pattern, base, config.home)) {
        const f = readConfigFile(path, path);
        if (!f) continue;
        files.push(f);
        loadIncludes(config, f, base, depth + 1);
      }
    }
  }
}

function expandInclude(pattern: string, base: string, home: string): string[] {
  const path = expandTilde(pattern, home);
  const full = isAbsolute(path) ? path : join(base, path);
  const dir = dirname(full);
  const name = full.slice(dir.length + 1);
  if (!/[*?]/.test(name)) return [full];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => glob(name, n))
    .sort()
    .map((n) => join(dir, n));
}

// ---- walking: each directive with its line ------------------------------------------------------------

interface Placed {
  directive: Extract<Line, { param: string }>;
  line: number;
  /** The Host/Match line this directive is under, if any. */
  section?: Extract<Line, { param: string }>;
}

function countNewlines(s: string | undefined): number {
  return s ? (s.match(/\n/g)?.length ?? 0) : 0;
}

/** Every directive in document order with its 1-based line. */
function walk(lines: SSHConfig): Placed[] {
  const out: Placed[] = [];
  let line = 1;
  const visit = (list: readonly Line[], section?: Placed['directive']): void => {
    for (const l of list) {
      line += countNewlines(l.before);
      if (l.type === LineType.DIRECTIVE) {
        out.push(section ? { directive: l, line, section } : { directive: l, line });
        line += countNewlines(l.after);
        if ('config' in l) visit(l.config, l);
      } else line += countNewlines(l.after);
    }
  };
  visit(lines);
  return out;
}

function words(d: Placed['directive']): string[] {
  return typeof d.value === 'string' ? [d.value] : d.value.map((v) => v.val);
}

function text(d: Placed['directive']): string {
  return words(d).join(' ');
}

// ---- resolving -----------------------------------------------------------------------------------------

interface Found {
  /** keyword (lower case) → first value and its origin; identityfile accumulates. */
  first: Map<string, Setting<string>>;
  identityFiles: Setting<string>[];
}

/** The settings the config gives for a destination, first value winning, with origins. */
function collect(config: SshClientConfig, destination: string): Found {
  const found: Found = { first: new Map(), identityFiles: [] };
  const visitFile = (file: SshConfigFile): void => {
    for (const p of walk(file.lines)) {
      const where = `${file.label}:${p.line}`;
      const key = p.directive.param.toLowerCase();
      if (key === 'match' && !matchesAll(p.directive)) {
        throw new SshConfigError(`${where}: Match blocks are not supported; write Host blocks (ssh_config(5) patterns) instead`);
      }
      if (key === 'host' || key === 'match') continue;
      if (p.section && !sectionApplies(p.section, destination)) continue;
      if (key === 'include') {
        for (const pattern of words(p.directive)) for (const f of config.included.get(pattern) ?? []) visitFile(f);
      } else if (key === 'identityfile') {
        found.identityFiles.push({ value: text(p.directive), from: where });
      } else if (!found.first.has(key)) {
        found.first.set(key, { value: text(p.directive), from: where });
      }
    }
  };
  for (const f of config.files) visitFile(f);
  const proxy = found.first.get('proxycommand');
  if (proxy && proxy.value.toLowerCase() !== 'none') {
    throw new SshConfigError(`${proxy.from}: ProxyCommand is not supported (for ${destination}); use ProxyJump [user@]host[:port] instead`);
  }
  return found;
}

/** `Match all` / `Match final all` (as distributions ship): a block for every host, the one Match supported. */
function matchesAll(d: Placed['directive']): boolean {
  return words(d).every((w) => ['all', 'final', 'canonical'].includes(w.toLowerCase()));
}

function sectionApplies(section: Placed['directive'], destination: string): boolean {
  return section.param.toLowerCase() === 'match' ? matchesAll(section) : glob(words(section), destination);
}

function expandTilde(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** ssh_config(5) TOKENS for the ones supported here: %% %d %u %r %h. */
function expandTokens(value: string, tokens: Record<string, string>, where: string): string {
  return value.replace(/%(.)/g, (_, t: string) => {
    if (t === '%') return '%';
    const v = tokens[t];
    if (v === undefined) throw new SshConfigError(`${where}: the token %${t} is not supported here (only %% %d %u %r %h)`);
    return v;
  });
}

function portOf(s: Setting<string>): Setting<number> {
  const n = Number(s.value);
  if (!/^\d+$/.test(s.value) || n < 1 || n > 65535) throw new SshConfigError(`${s.from}: Port ${s.value} is not a number from 1 to 65535`);
  return { value: n, from: s.from };
}

interface Explicit {
  user?: string;
  port?: number;
  keyFile?: string;
  /** Origin of the explicit values: `inventory`, or `ProxyJump at <file:line>`. */
  from: string;
}

/** One endpoint (an inventory host or a hop): destination + explicit values + config + defaults. */
function resolveEndpoint(
  config: SshClientConfig,
  destination: string,
  explicit: Explicit,
  defaults: SshDefaults,
): EndpointSettings & { proxyJump: Setting<string> } {
  const found = collect(config, destination);
  const get = (k: string) => found.first.get(k);
  const hn = get('hostname');
  const hostName: Setting<string> = hn
    ? { value: expandTokens(hn.value, { h: destination }, hn.from), from: hn.from }
    : { value: destination, from: 'default' };
  const cu = get('user');
  const user: Setting<string> =
    explicit.user !== undefined ? { value: explicit.user, from: explicit.from } : cu ? cu : { value: defaults.user, from: 'default' };
  const cp = get('port');
  const port: Setting<number> =
    explicit.port !== undefined ? { value: explicit.port, from: explicit.from } : cp ? portOf(cp) : { value: 22, from: 'default' };
  const tokens = { d: config.home, u: config.localUser, r: user.value, h: hostName.value };
  const path = (v: string, where: string) => expandTilde(expandTokens(v, tokens, where), config.home);
  let identityFiles: Setting<string[]>;
  if (explicit.keyFile !== undefined) identityFiles = { value: [expandTilde(explicit.keyFile, config.home)], from: explicit.from };
  else if (found.identityFiles.length > 0)
    identityFiles = {
      value: found.identityFiles.map((f) => path(f.value, f.from)),
      from: [...new Set(found.identityFiles.map((f) => f.from))].join(', '),
    };
  else identityFiles = { value: defaults.identityFiles, from: 'default' };
  const files = (k: string, fallback: string[]): Setting<string[]> => {
    const s = get(k);
    return s
      ? { value: s.value.split(/\s+/).map((v) => path(v, s.from)), from: s.from }
      : { value: fallback.map((v) => path(v, 'default')), from: 'default' };
  };
  const userKnownHostsFiles = defaults.knownHostsOverride
    ? { value: [defaults.knownHostsOverride], from: '--known-hosts' }
    : files('userknownhostsfile', DEFAULT_USER_KNOWN_HOSTS);
  const globalKnownHostsFiles = files('globalknownhostsfile', DEFAULT_GLOBAL_KNOWN_HOSTS);
  const proxyJump = get('proxyjump') ?? { value: 'none', from: 'default' };
  return { hostName, user, port, identityFiles, userKnownHostsFiles, globalKnownHostsFiles, proxyJump };
}

/** `[user@]host[:port]` (or `[host]:port`) of one ProxyJump hop. */
export function parseJumpSpec(spec: string, where: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@\s]+)@)?(?:\[([^\]]+)\]|([^:@\s[\]]+))(?::(\d+))?$/.exec(spec);
  const host = m?.[2] ?? m?.[3];
  if (!m || !host) throw new SshConfigError(`${where}: ProxyJump hop "${spec}" is not [user@]host[:port]`);
  const out: { user?: string; host: string; port?: number } = { host };
  if (m[1]) out.user = m[1];
  if (m[4]) {
    const port = Number(m[4]);
    if (port < 1 || port > 65535) throw new SshConfigError(`${where}: ProxyJump hop "${spec}": port is not from 1 to 65535`);
    out.port = port;
  }
  return out;
}

/**
 * How to reach an inventory host, every setting with its origin (what the host detail screen shows).
 * Throws SshConfigError (naming file:line) for what is not supported: Match, ProxyCommand, a bad hop.
 * A hop is resolved through the config like a host (its own ProxyJump is not followed: the chain is the
 * one written on the host).
 */
export function resolveSshHost(config: SshClientConfig, host: Host, defaults: SshDefaults): ResolvedSsh {
  const explicit: Explicit = { from: 'inventory' };
  if (host.user !== undefined) explicit.user = host.user;
  // the inventory's port: written there (even as 22), or any other than 22 (a Host made without vars)
  if (host.port !== 22 || host.vars['ansible_port'] !== undefined || host.vars['ansible_ssh_port'] !== undefined) explicit.port = host.port;
  if (host.keyFile !== undefined) explicit.keyFile = host.keyFile;
  const own = resolveEndpoint(config, host.address, explicit, defaults);
  const jumps: JumpHop[] = [];
  if (own.proxyJump.value.toLowerCase() !== 'none') {
    for (const spec of own.proxyJump.value.split(',')) {
      const hop = parseJumpSpec(spec.trim(), own.proxyJump.from);
      const hopExplicit: Explicit = { from: `ProxyJump at ${own.proxyJump.from}` };
      if (hop.user !== undefined) hopExplicit.user = hop.user;
      if (hop.port !== undefined) hopExplicit.port = hop.port;
      const { proxyJump: _, ...r } = resolveEndpoint(config, hop.host, hopExplicit, defaults);
      jumps.push({ spec: spec.trim(), name: hop.host, ...r });
    }
  }
  return { ...own, jumps };
}

/** The line that says StrictHostKeyChecking is off somewhere in the config (to say once it is not honoured). */
export function strictHostKeyCheckingOff(config: SshClientConfig): string | undefined {
  const all = [...config.files, ...[...config.included.values()].flat()];
  for (const f of all) {
    for (const p of walk(f.lines)) {
      if (p.directive.param.toLowerCase() === 'stricthostkeychecking' && /^(no|off)$/i.test(text(p.directive))) {
        return `${f.label}:${p.line}: ${STRICT_HOST_KEY_NOTE}`;
      }
    }
  }
  return undefined;
}

/** The settings as rows for the host detail screen: name, value, origin. */
export function sshSettingRows(r: ResolvedSsh): { setting: string; value: string; from: string }[] {
  const row = (setting: string, s: Setting<string | number | string[]>) => ({
    setting,
    value: Array.isArray(s.value) ? s.value.join(' ') : String(s.value),
    from: s.from,
  });
  return [
    row('HostName', r.hostName),
    row('User', r.user),
    row('Port', r.port),
    row('IdentityFile', r.identityFiles),
    row('ProxyJump', r.proxyJump),
    row('UserKnownHostsFile', r.userKnownHostsFiles),
    row('GlobalKnownHostsFile', r.globalKnownHostsFiles),
  ];
}

/** The operator's own user name (the default User, as ssh's). */
export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

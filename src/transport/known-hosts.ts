// OpenSSH known_hosts: parsing and the host key decision. Pure (no I/O except loadKnownHosts).
//
// Line format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
//   [@revoked|@cert-authority] hostpatterns keytype base64-key [comment]
// hostpatterns is a comma list of names/addresses (`[host]:port` when the port is not 22), with `*`/`?`
// wildcards and `!` negation, or a single hashed entry `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
import { createHash, createHmac } from 'node:crypto';
import { InputFileError, readInputFile } from '../inventory/input-file.js';

export type KnownHostsMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  /** The file it was read from (set by loadKnownHostsFiles). */
  file?: string;
  marker?: KnownHostsMarker;
  /** The host patterns as written (one hashed entry, or the comma list split). */
  patterns: string[];
  keyType: string;
  /** The decoded public key blob (SSH wire format), as sent by the server. */
  key: Buffer;
  comment?: string;
}

export interface KnownHostsParseResult {
  entries: KnownHostEntry[];
  /** Lines that could not be understood (OpenSSH skips them too). */
  invalid: { line: number; text: string; problem: string }[];
}

export function parseKnownHosts(text: string): KnownHostsParseResult {
  const entries: KnownHostEntry[] = [];
  const invalid: KnownHostsParseResult['invalid'] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const text = raw.replace(/\r$/, '').trim();
    if (text === '' || text.startsWith('#')) return;
    const fields = text.split(/[ \t]+/);
    let marker: KnownHostsMarker | undefined;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        invalid.push({ line: lineNo, text: raw, problem: `unknown marker ${m}` });
        return;
      }
    }
    const [hosts, keyType, b64, ...rest] = fields;
    if (!hosts || !keyType || !b64) {
      invalid.push({ line: lineNo, text: raw, problem: 'expected: hosts keytype key' });
      return;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      invalid.push({ line: lineNo, text: raw, problem: 'key is not base64' });
      return;
    }
    const key = Buffer.from(b64, 'base64');
    const blobType = keyTypeOfBlob(key);
    if (blobType === undefined) {
      invalid.push({ line: lineNo, text: raw, problem: 'key blob is malformed' });
      return;
    }
    const patterns = hosts.startsWith('|') ? [hosts] : hosts.split(',').filter((p) => p !== '');
    const entry: KnownHostEntry = { line: lineNo, patterns, keyType, key };
    if (marker) entry.marker = marker;
    if (rest.length > 0) entry.comment = rest.join(' ');
    entries.push(entry);
  });
  return { entries, invalid };
}

/** The key type named inside an SSH public key blob (its first string), or undefined if malformed. */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** The name OpenSSH looks up for a host: `name` on port 22, `[name]:port` otherwise. */
export function hostLookupName(name: string, port: number): string {
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `|1|salt|hash` as `ssh-keygen -H` writes it, for a lookup name (useful in tests). */
export function hashHostName(lookupName: string, salt: Buffer): string {
  const hash = createHmac('sha1', salt).update(lookupName).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

function matchHashed(pattern: string, lookupName: string): boolean {
  const parts = pattern.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(lookupName).digest();
  return got.length === want.length && got.equals(want);
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** Whether an entry's host patterns select the lookup name (negations win, as in OpenSSH). */
export function entryMatchesName(entry: KnownHostEntry, lookupName: string): boolean {
  let positive = false;
  for (const p of entry.patterns) {
    if (p.startsWith('|')) {
      if (matchHashed(p, lookupName)) positive = true;
      continue;
    }
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    if (globToRegExp(glob).test(lookupName)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export interface HostQuery {
  /** Every name the host is known by: the inventory name and the address (ansible_host). */
  names: string[];
  port: number;
}

export type HostKeyStatus = 'match' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyVerdict {
  status: HostKeyStatus;
  /** For match: the entry that matched; for changed: the entry that holds another key for the host
   * (one of the same key type when there is one, as OpenSSH reports); for revoked: the @revoked line. */
  entry?: KnownHostEntry;
}

/**
 * The decision OpenSSH makes for a presented host key:
 * - the key is on a `@revoked` line → revoked (refuse). Stricter than needed: a revoked key is refused
 *   whatever host patterns its line carries.
 * - an entry for one of the host's names holds exactly this key → match;
 * - otherwise an entry for the host holds another key → changed (reports that line);
 * - otherwise → unknown.
 * `@cert-authority` lines are ignored: host certificates are not used by this tool (ssh2 does not
 * verify them), so a host known only through a CA is reported as unknown.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: HostQuery, keyType: string, keyBlob: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const lookups = [...new Set(host.names.filter((n) => n !== '').map((n) => hostLookupName(n, host.port)))];
  const forHost = entries.filter((e) => e.marker === undefined && lookups.some((n) => entryMatchesName(e, n)));
  const match = forHost.find((e) => e.keyType === keyType && e.key.equals(keyBlob));
  if (match) return { status: 'match', entry: match };
  const other = forHost.find((e) => e.keyType === keyType) ?? forHost[0];
  if (other) return { status: 'changed', entry: other };
  return { status: 'unknown' };
}

/** Key types the file holds for a host (to prefer them in the key exchange, as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: HostQuery): string[] {
  const lookups = host.names.filter((n) => n !== '').map((n) => hostLookupName(n, host.port));
  const types: string[] = [];
  for (const e of entries) {
    if (e.marker !== undefined) continue;
    if (lookups.some((n) => entryMatchesName(e, n)) && !types.includes(e.keyType)) types.push(e.keyType);
  }
  return types;
}

/** A known_hosts file that cannot be used (a directory, a FIFO, unreadable, too large): no host key can be checked. */
export class KnownHostsError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`known_hosts ${path} ${what}`);
    this.name = 'KnownHostsError';
  }
}

/** Reads and parses a known_hosts file; a missing file is an empty one (every key unknown); KnownHostsError when unusable. */
export async function loadKnownHosts(path: string): Promise<KnownHostsParseResult> {
  let bytes: Buffer;
  try {
    bytes = readInputFile(path);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.problem === 'missing') return { entries: [], invalid: [] };
    throw new KnownHostsError(path, err.what);
  }
  return parseKnownHosts(bytes.toString('utf8'));
}

/**
 * Several known_hosts files as one (the user's and the system's, as ssh consults them): each entry
 * carries its file, so a match in either is a match and a changed key in either is reported at its line.
 */
export async function loadKnownHostsFiles(paths: readonly string[]): Promise<KnownHostsParseResult> {
  const all: KnownHostsParseResult = { entries: [], invalid: [] };
  for (const path of [...new Set(paths)]) {
    const one = await loadKnownHosts(path);
    for (const e of one.entries) all.entries.push({ ...e, file: path });
    all.invalid.push(...one.invalid);
  }
  return all;
}

/** OpenSSH-style SHA256 fingerprint of a key blob: `SHA256:base64-without-padding`. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

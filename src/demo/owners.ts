// Who owns a file on a DEMO host. The demo's files belong to whoever runs the console, so `chown` cannot be
// real; it records owner:group per file instead, and `stat -c %U %G %u %g` reports it. A file is known by
// its inode and birth time (both follow a `mv`, a new file never inherits them), in a table kept beside
// the host's directory (`<root>.owners.json`, outside what the host's scripts see). A file never chowned
// is root's, as everything an install leaves in the demo but the etcd data dir (seeded in host-files.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DemoAnswer, DemoCommand, DemoContext } from './commands.js';

/** The accounts of a demo host: name → uid/gid (etcd as the RHEL 7 package's `useradd -r` makes it). */
const ACCOUNTS: Record<string, number> = { root: 0, etcd: 997 };

type Owners = Record<string, string>;

const tableOf = (root: string) => `${root}.owners.json`;
const readTable = (root: string): Owners => (existsSync(tableOf(root)) ? (JSON.parse(readFileSync(tableOf(root), 'utf8')) as Owners) : {});

function keyOf(file: string, follow: boolean): string {
  const s = (follow ? statSync : lstatSync)(file, { bigint: true });
  return `${s.ino}:${s.birthtimeNs}`;
}

/** The files under `file` (itself first), symlinks not followed — what `chown -R` walks. */
function walk(file: string): string[] {
  if (!lstatSync(file).isDirectory()) return [file];
  return [file, ...readdirSync(file).flatMap((f) => walk(join(file, f)))];
}

/** Records `owner` ("user:group") for a path of the host (and everything under it when `recursive`). */
export function setOwner(root: string, path: string, owner: string, recursive = false): void {
  const table = readTable(root);
  const file = join(root, path);
  table[keyOf(file, true)] = owner;
  if (recursive) for (const f of walk(file).slice(1)) table[keyOf(f, false)] = owner;
  writeFileSync(tableOf(root), JSON.stringify(table));
}

/** "user:group" of a host's path, root:root when never chowned. */
export function ownerOf(root: string, path: string): string {
  return readTable(root)[keyOf(join(root, path), true)] ?? 'root:root';
}

/** `etcd:etcd`, `etcd.etcd`, `etcd`, `:etcd` → the new owner of a file owned by `was`, or undefined if an account is unknown. */
function newOwner(spec: string, was: string): string | undefined {
  const [user = '', group] = spec.split(/[:.]/);
  const [oldUser, oldGroup] = was.split(':');
  const next = `${user || oldUser}:${group || (spec.includes(':') || spec.includes('.') ? user : oldGroup)}`;
  return next.split(':').every((a) => a in ACCOUNTS) ? next : undefined;
}

function chown(c: DemoContext): DemoAnswer {
  const args = c.words.slice(c.words.indexOf('chown') + 1);
  const recursive = args.some((a) => /^-[a-zA-Z]*R/.test(a));
  const [spec = '', ...paths] = args.filter((a) => !a.startsWith('-'));
  if (!c.root) return {};
  const errs: string[] = [];
  for (const p of paths) {
    const file = isAbsolute(p) ? p : join('/root', p);
    if (!existsSync(join(c.root, file))) {
      errs.push(`chown: cannot access ‘${p}’: No such file or directory`);
      continue;
    }
    const next = newOwner(spec, ownerOf(c.root, file));
    if (!next) return { err: `chown: invalid user: ‘${spec}’`, code: 1 };
    setOwner(c.root, file, next, recursive);
  }
  return errs.length ? { err: errs.join('\n'), code: 1 } : {};
}

/** The format of `stat -c F`, `--format=F`, `--printf=F` (and the words without it), if any. */
function statFormat(args: string[]): { format?: string; flag?: string; rest: string[] } {
  const i = args.findIndex((a) => /^(-c|--format|--printf)(=|$)/.test(a));
  if (i < 0) return { rest: args };
  const [flag = '', inline] = args[i]!.split(/=(.*)/s);
  const format = inline ?? args[i + 1] ?? '';
  return { format, flag, rest: [...args.slice(0, i), ...args.slice(i + (inline === undefined ? 2 : 1))] };
}

/** The format with %U %G %u %g of the file's recorded owner written in (a `%%` stays). */
function withOwner(format: string, owner: string): string {
  const [user = 'root', group = 'root'] = owner.split(':');
  const values: Record<string, string> = { U: user, G: group, u: String(ACCOUNTS[user]), g: String(ACCOUNTS[group]) };
  return format.replace(/%([%UGug])/g, (m, k: string) => (k === '%' ? m : values[k]!));
}

function realStat(args: string[]): DemoAnswer {
  const r = spawnSync('stat', args, { encoding: 'utf8' });
  return {
    out: r.stdout.replace(/\n$/, ''),
    noNewline: !r.stdout.endsWith('\n'),
    err: r.stderr.replace(/\n$/, '') || undefined,
    code: r.status ?? 1,
  };
}

/** `stat`: the machine's own, on the host's files, with the recorded owner where the format asks for one. */
function stat(c: DemoContext): DemoAnswer {
  const root = c.root ?? '/';
  const inRoot = (a: string) => (isAbsolute(a) ? join(root, a) : a);
  const args = c.words.slice(c.words.indexOf('stat') + 1);
  const { format, flag, rest } = statFormat(args);
  if (format === undefined || !/%[UGug]/.test(format.replace(/%%/g, '')))
    return realStat(args.map((a) => (a.startsWith('-') ? a : inRoot(a))));
  const files = rest.filter((a) => !a.startsWith('-'));
  const answers = files.map((f) => {
    const owner = existsSync(inRoot(f)) ? ownerOf(root, isAbsolute(f) ? f : join('/root', f)) : 'root:root';
    const formatted = withOwner(format, owner);
    return realStat([
      ...rest.filter((a) => a.startsWith('-')),
      ...(flag === '-c' ? ['-c', formatted] : [`${flag}=${formatted}`]),
      inRoot(f),
    ]);
  });
  return {
    out: answers
      .map((a) => a.out)
      .filter(Boolean)
      .join('\n'),
    noNewline: flag === '--printf',
    err:
      answers
        .map((a) => a.err)
        .filter(Boolean)
        .join('\n') || undefined,
    code: Math.max(0, ...answers.map((a) => a.code ?? 0)),
  };
}

export const OWNER_COMMANDS: DemoCommand[] = [
  { id: 'chown', match: /^chown\b/, answer: chown },
  { id: 'stat', match: /^stat\b/, answer: stat },
];

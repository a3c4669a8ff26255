// Files the operator names (-i, --known-hosts) are read only when they are regular files of a sane size:
// reading a FIFO or a device would hang the console (or feed it bytes without end) at 3 a.m. The file is
// opened without blocking and checked on the open descriptor, so what is checked is what is read.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** An inventory or known_hosts file larger than this is not one (a large cluster's inventory is a few hundred KiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export type InputFileProblem = 'missing' | 'denied' | 'directory' | 'not-a-file' | 'too-large' | 'unreadable';

/** Why a named file cannot be read; `what` says what the path is instead, for the caller's message. */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: InputFileProblem,
    readonly what: string,
  ) {
    super(`${path} ${what}`);
    this.name = 'InputFileError';
  }
}

/** The bytes of a regular file of at most maxBytes; InputFileError otherwise. */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw openError(path, e as NodeJS.ErrnoException);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(path, 'directory', 'is a directory');
    if (!st.isFile()) throw new InputFileError(path, 'not-a-file', `is ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) throw tooLarge(path, maxBytes, `is ${mib(st.size)}`);
    return readAtMost(fd, path, maxBytes);
  } finally {
    closeSync(fd);
  }
}

function openError(path: string, e: NodeJS.ErrnoException): InputFileError {
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return new InputFileError(path, 'missing', 'does not exist');
  if (e.code === 'EACCES' || e.code === 'EPERM') return new InputFileError(path, 'denied', 'cannot be read (permission denied)');
  return new InputFileError(path, 'unreadable', `cannot be read (${e.code ?? e.message})`);
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Reads to the end, refusing more than maxBytes (a file that grows while read counts too). */
function readAtMost(fd: number, path: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) throw tooLarge(path, maxBytes, 'grew while it was read');
  }
}

function tooLarge(path: string, maxBytes: number, size: string): InputFileError {
  return new InputFileError(path, 'too-large', `${size}, over the ${mib(maxBytes)} this file can be`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

/** The text of a file read as readInputFile reads it, without a BOM; `fail` turns why it cannot be read into the caller's error. */
export function readInputText(path: string, fail: (e: InputFileError) => Error): string {
  try {
    return readInputFile(path)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } catch (e) {
    throw e instanceof InputFileError ? fail(e) : e;
  }
}

// Output handling shared by the SSH and local runners: byte chunks → lines (UTF-8 safe across chunk
// boundaries), and a bounded buffer that keeps the tail of a stream.
import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines on `\n`. A trailing `\r` is removed from each line (CRLF output).
 * Multi-byte UTF-8 characters split across chunks are decoded whole; invalid bytes become U+FFFD.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  /** Flushes the last line when the stream did not end with a newline. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.emit(rest);
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** Keeps at most `max` bytes of what is written: the tail. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (this.max <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    if (chunk.length >= this.max) {
      if (chunk.length > this.max || this.size > 0) this.truncated = true;
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.max))];
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max) {
      const first = this.chunks[0]!;
      const excess = this.size - this.max;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** The kept bytes as text. When the tail was cut inside a UTF-8 character, its remains are dropped. */
  text(): string {
    let buf = Buffer.concat(this.chunks, this.size);
    if (this.truncated) {
      let i = 0;
      while (i < buf.length && i < 4 && (buf[i]! & 0xc0) === 0x80) i++;
      buf = buf.subarray(i);
    }
    return buf.toString('utf8');
  }
}

/** Feeds one output stream: the line callback (every line) and the bounded buffer (the tail). */
export class OutputCollector {
  private readonly splitter: LineSplitter | undefined;
  private readonly tail: TailBuffer;

  constructor(maxBytes: number, onLine: ((line: string) => void) | undefined) {
    this.tail = new TailBuffer(maxBytes);
    this.splitter = onLine ? new LineSplitter(onLine) : undefined;
  }

  push(chunk: Buffer): void {
    this.tail.push(chunk);
    this.splitter?.push(chunk);
  }

  end(): void {
    this.splitter?.end();
  }

  get truncated(): boolean {
    return this.tail.truncated;
  }

  text(): string {
    return this.tail.text();
  }
}

/** Wraps a user callback so that an exception in it cannot break the runner's stream handling. */
export function safeCallback(cb: ((line: string) => void) | undefined): ((line: string) => void) | undefined {
  if (!cb) return undefined;
  return (line) => {
    try {
      cb(line);
    } catch {
      // A broken consumer must not stop the command or lose its result.
    }
  };
}

/**
 * Splits a byte stream at marker lines `\n<prefix><payload>\n` (the SSH runner's batch protocol: one
 * channel runs several commands and prints such a line after each). Bytes between markers go to
 * `onData` as they arrive, except a tail short enough to be the start of a marker, which is held back
 * until it is known not to be one. The marker itself (its leading newline included) is removed.
 */
export class MarkerSplitter {
  private readonly prefix: Buffer;
  private held: Buffer = Buffer.alloc(0);

  constructor(
    prefix: string,
    private readonly onData: (chunk: Buffer) => void,
    private readonly onMarker: (payload: string) => void,
    /** Longest payload accepted; a longer "marker" is ordinary output. */
    private readonly maxPayload = 64,
  ) {
    this.prefix = Buffer.from(`\n${prefix}`, 'latin1');
  }

  push(chunk: Buffer): void {
    let buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = buf.indexOf(this.prefix, from);
      if (at < 0) break;
      const end = buf.indexOf(0x0a, at + this.prefix.length);
      if (end < 0) {
        if (buf.length - (at + this.prefix.length) > this.maxPayload) {
          from = at + 1; // too long to be ours
          continue;
        }
        // an unfinished marker: hand out what comes before it, keep the rest
        if (at > 0) this.onData(buf.subarray(0, at));
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      if (end - (at + this.prefix.length) > this.maxPayload) {
        from = at + 1;
        continue;
      }
      if (at > 0) this.onData(buf.subarray(0, at));
      this.onMarker(buf.subarray(at + this.prefix.length, end).toString('latin1'));
      buf = buf.subarray(end + 1);
      from = 0;
    }
    // no marker starts in buf at or after `from`; hold back a tail that could be the start of one
    let keep = 0;
    for (let n = Math.min(this.prefix.length - 1, buf.length); n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.prefix.subarray(0, n))) {
        keep = n;
        break;
      }
    }
    if (buf.length - keep > 0) this.onData(buf.subarray(0, buf.length - keep));
    this.held = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : Buffer.alloc(0);
  }

  /** Hands out what was held back (the stream ended). */
  end(): void {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    if (rest.length > 0) this.onData(rest);
  }
}

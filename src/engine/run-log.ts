// The run's log as the console shows it: every command, output line and note, numbered, the newest
// `limit` lines kept (the full record is the audit log).
import type { Redactor } from './redact.js';
import type { LogLine } from './session.js';

export class RunLog {
  /** A new array after every line, so a snapshot holding the old one does not change under the screen. */
  lines: LogLine[] = [];
  private seq = 0;

  constructor(
    private readonly limit: number,
    private readonly redactor: Redactor,
    private readonly changed: () => void,
  ) {}

  add(step: string, host: string | null, stream: LogLine['stream'], text: string): void {
    this.lines = [...this.lines, { seq: this.seq++, step, host, stream, text, at: Date.now() }];
    if (this.lines.length > this.limit) this.lines = this.lines.slice(this.lines.length - this.limit);
    this.changed();
  }

  /** A note of the engine's own (redacted, like everything it shows). */
  info(step: string, text: string): void {
    this.add(step, null, 'info', this.redactor(text));
  }

  /** The number of the oldest line kept (the next one's while the log is empty). */
  get firstSeq(): number {
    return this.lines[0]?.seq ?? this.seq;
  }
}

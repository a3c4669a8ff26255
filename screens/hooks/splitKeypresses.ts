// Ink hands useInput one read() of the terminal at a time. Over SSH (and from tmux send-keys) several
// presses often share one read: "node-0\r\r" arrives as a single input with no `return` flag, so the
// Enter presses would be lost. Split such chunks into one keypress per character. Escape sequences
// (arrows, PgUp…) and Ctrl/Meta combinations are left as Ink parsed them.
import type { Key } from 'ink';

export function splitKeypresses(input: string, key: Key): [string, Key][] {
  // Esc and a key pressed right after it share one read ("\x1bq"), which Ink reads as Meta-q. No screen binds Meta,
  // so it is the two presses the operator made: Esc, then the key (from tmux, or over a slow SSH link).
  if (key.meta && !key.ctrl && [...input].length === 1 && input >= ' ' && input !== '\x7f') {
    const plainKey: Key = { ...key, meta: false, escape: false };
    return [
      ['', { ...plainKey, escape: true }],
      [input, plainKey],
    ];
  }
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\x1b')) return [[input, key]];
  const plain: Key = { ...key, return: false, tab: false, backspace: false, delete: false, escape: false };
  return [...input].map((ch): [string, Key] => {
    if (ch === '\r' || ch === '\n') return ['', { ...plain, return: true }];
    if (ch === '\t') return ['', { ...plain, tab: true }];
    if (ch === '\x7f' || ch === '\b') return ['', { ...plain, backspace: true }];
    return [ch, plain];
  });
}

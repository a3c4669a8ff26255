// The operator's clipboard from a console reached over SSH: OSC 52 asks their terminal (through SSH, and
// through tmux with `set -g set-clipboard on`) to take the text. Nothing is shown; a terminal that does not
// allow it ignores the sequence.

/** The OSC 52 sequence that puts `text` on the clipboard. */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}

// Plain-text helpers for a fixed-width terminal (no React).

/** Cuts text to `width` columns, ending with `…` when it had to cut (never "foo …": the spaces before it go). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width === 1) return '…';
  return `${chars
    .slice(0, width - 1)
    .join('')
    .trimEnd()}…`;
}

/** Pads (or truncates) to exactly `width` columns. */
export function fit(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - [...t].length));
}

/**
 * Word-wraps text to `width` columns, paragraph by paragraph (newlines). Spaces inside a line are
 * kept as written (alignment); a word longer than a line is cut; `indent` starts every continuation
 * line.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const w = Math.max(1, width);
  const len = (s: string) => [...s].length;
  const ind = len(indent) < w / 2 ? indent : '';
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let fresh = true; // the line holds no word yet
    for (const [, sep = '', word = ''] of paragraph.matchAll(/( *)([^ ]+)/g)) {
      let cur = line + (fresh && line !== '' ? '' : sep) + word;
      if (len(cur) > w && !fresh) {
        out.push(line);
        cur = ind + word;
      }
      while (len(cur) > w) {
        const chars = [...cur];
        out.push(chars.slice(0, w).join(''));
        cur = ind + chars.slice(w).join('');
      }
      line = cur;
      fresh = false;
    }
    out.push(line);
  }
  return out;
}

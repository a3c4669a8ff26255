// Inventory text in messages: a control character in a name, a value or a path could rewrite the
// operator's terminal line (or hide what follows), so it is shown as a \u escape instead.

/** C0 controls but tab, DEL and C1 controls. */
export const CONTROL_RE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/** The text with every control character written as a \u escape. */
export function printable(text: string): string {
  return text.replace(new RegExp(CONTROL_RE.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

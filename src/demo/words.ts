// Reading a cluster tool's words (quotes already removed): shared by the demo's answer tables.

/** The value of `--name=v`, `--name v` or `-n v` among the words. */
export function flagValue(words: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const n of names) {
      if (w === n) return words[i + 1];
      if (w.startsWith(`${n}=`)) return w.slice(n.length + 1);
    }
  }
  return undefined;
}

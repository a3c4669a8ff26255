#!/usr/bin/env python3
"""Splits string literals on lines over 140 columns without changing their value: plain '…' / "…" strings
and untagged `…` templates into `'…' +` continuations (outside ${…}); sh`…` commands over several source
lines (sh turns each break and its indent into one space: src/transport/shell.ts), broken at a single space
of a literal part that has no \\n escape. Regexes and anything else are left for a person.
Usage: python3 scripts/split-long-strings.py FILE... ; then npx biome format --write."""
import re
import sys

LIMIT = 140
WANT = 120  # where a piece should end, roughly


def literal_spans(line):
    """(start, end, quote) of each string literal on the line; templates only when untagged."""
    spans, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if line.startswith('//', i):
            break
        if c in '\'"`':
            start, q, depth = i, c, 0
            i += 1
            while i < n:
                if line[i] == '\\':
                    i += 2
                    continue
                if q == '`' and line.startswith('${', i):
                    depth += 1
                    i += 2
                    continue
                if q == '`' and depth and line[i] == '}':
                    depth -= 1
                elif line[i] == q and depth == 0:
                    break
                i += 1
            if i >= n:
                return spans  # spans lines: leave it
            tagged = q == '`' and start > 0 and (line[start - 1].isalnum() or line[start - 1] in '_.)')
            if not tagged:
                spans.append((start, i + 1, q))
            elif line[max(0, start - 2):start] == 'sh' and (start < 3 or not line[start - 3].isalnum()):
                spans.append((start, i + 1, 'sh'))
        i += 1
    return spans


def cut_points(body, q):
    """Offsets in body after a space, outside ${…} for templates, not after a backslash."""
    out, depth, i = [], 0, 0
    while i < len(body):
        if body[i] == '\\':
            i += 2
            continue
        if q == '`' and body.startswith('${', i):
            depth += 1
            i += 2
            continue
        if q == '`' and depth and body[i] == '}':
            depth -= 1
        elif body[i] == ' ' and depth == 0:
            out.append(i + 1)
        i += 1
    return out


def split_literal(text, q, indent, first_col):
    body = text[1:-1]
    pieces, col = [], first_col
    cuts = cut_points(body, q)
    last = 0
    while len(body) - last + col > LIMIT - 4:
        room = [c for c in cuts if c > last and c - last + col <= WANT]
        if not room:
            break
        c = room[-1]
        pieces.append(body[last:c])
        last = c
        col = len(indent) + 2
    pieces.append(body[last:])
    if len(pieces) == 1:
        return None
    return (' +\n' + indent + '  ').join(f'{q}{p}{q}' for p in pieces)


def sh_breaks(body):
    """Offsets of single spaces in body's literal parts (outside ${…}) whose part has no \\n escape."""
    parts, depth, i, start = [], 0, 0, 0
    while i < len(body):
        if body[i] == '\\':
            i += 2
            continue
        if body.startswith('${', i):
            if depth == 0:
                parts.append((start, i))
            depth += 1
            i += 2
            continue
        if body[i] == '{' and depth:
            depth += 1
        elif body[i] == '}' and depth:
            depth -= 1
            if depth == 0:
                start = i + 1
        elif body[i] == '`' and depth:
            # a template inside ${…}: skip to its end
            j = i + 1
            while j < len(body) and body[j] != '`':
                j += 2 if body[j] == '\\' else 1
            i = j
        i += 1
    if depth == 0:
        parts.append((start, len(body)))
    out = []
    for a, b in parts:
        if '\\n' in body[a:b]:
            continue
        out += [k for k in range(a + 1, b - 1) if body[k] == ' ' and body[k - 1] not in ' \t' and body[k + 1] not in ' \t']
    return out


def split_sh(line, start, end, indent):
    body = line[start + 1:end - 1]
    breaks = sh_breaks(body)
    pieces, last, col = [], 0, start + 1
    while len(body) - last + col > LIMIT - 4:
        room = [k for k in breaks if k > last and k - last + col <= WANT]
        if not room:
            break
        # a break between commands reads best: after `;`, before `&&`, `||` or `|`
        good = [k for k in room if body[k - 1] == ';' or body[k + 1] == '|' or body.startswith('&&', k + 1)]
        k = (good or room)[-1]
        pieces.append(body[last:k])
        last = k + 1
        col = len(indent) + 2
    pieces.append(body[last:])
    if len(pieces) == 1:
        return None
    return line[:start + 1] + ('\n' + indent + '  ').join(pieces) + line[end - 1:]


def fix_comment(line):
    """A `// …` or ` * …` comment line rewrapped at a space, the same prefix on each line."""
    m = re.match(r'(\s*(?://|\*|/\*\*) )(.*)$', line)
    if not m or line.rstrip().endswith('*/') and m.group(1).strip() == '/**':
        return None
    prefix, text = m.group(1), m.group(2)
    cont = prefix.replace('/**', ' *')
    out, cur = [], prefix
    for word in text.split(' '):
        if len(cur) + len(word) > WANT and cur.strip() not in ('//', '*', '/**'):
            out.append(cur.rstrip())
            cur = cont
        cur += word + ' '
    out.append(cur.rstrip())
    return '\n'.join(out)


def fix_line(line):
    if len(line) <= LIMIT:
        return line
    comment = fix_comment(line)
    if comment:
        return comment
    indent = re.match(r'\s*', line).group(0)
    spans = literal_spans(line)
    # the longest literal first: usually the one that makes the line long
    for start, end, q in sorted(spans, key=lambda s: s[0] - s[1]):
        if end - start < 40:
            continue
        if q == 'sh':
            new = split_sh(line, start, end, indent)
            if new:
                return new
            continue
        new = split_literal(line[start:end], q, indent, start)
        if new:
            return line[:start] + new + line[end:]
    return line


def main():
    for path in sys.argv[1:]:
        with open(path) as f:
            lines = f.read().split('\n')
        out = [fix_line(l) for l in lines]
        if out != lines:
            with open(path, 'w') as f:
                f.write('\n'.join(out))
            print(path)


if __name__ == '__main__':
    main()

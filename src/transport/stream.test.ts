import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, MarkerSplitter, OutputCollector, TailBuffer } from './stream.js';

function split(chunks: (Buffer | string)[]): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on newlines, joins partial lines across chunks, keeps a final line without newline', () => {
    assert.deepEqual(split(['a\nb', 'c\n', '\nd']), ['a', 'bc', '', 'd']);
    assert.deepEqual(split(['x\n']), ['x']);
    assert.deepEqual(split([]), []);
    assert.deepEqual(split(['\n']), ['']);
  });

  it('removes the \\r of CRLF', () => {
    assert.deepEqual(split(['a\r\nb\r', '\n']), ['a', 'b']);
  });

  it('decodes UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from('été → 🚀\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(split([bytes.subarray(0, cut), bytes.subarray(cut)]), ['été → 🚀'], `cut at ${cut}`);
    }
    // byte by byte
    assert.deepEqual(split([...bytes].map((b) => Buffer.from([b]))), ['été → 🚀']);
  });
});

describe('TailBuffer', () => {
  it('keeps everything under the cap', () => {
    const t = new TailBuffer(10);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('def'));
    assert.equal(t.text(), 'abcdef');
    assert.equal(t.truncated, false);
  });

  it('keeps the tail when over the cap', () => {
    const t = new TailBuffer(5);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('defg'));
    assert.equal(t.text(), 'cdefg');
    assert.equal(t.truncated, true);
    t.push(Buffer.from('0123456789'));
    assert.equal(t.text(), '56789');
  });

  it('exactly at the cap is not truncated', () => {
    const t = new TailBuffer(4);
    t.push(Buffer.from('abcd'));
    assert.equal(t.truncated, false);
    assert.equal(t.text(), 'abcd');
  });

  it('drops a UTF-8 character cut at the start of the tail', () => {
    const t = new TailBuffer(5);
    t.push(Buffer.from('xé🚀')); // 1 + 2 + 4 bytes; the tail starts inside é
    assert.equal(t.text(), '🚀');
  });
});

describe('OutputCollector', () => {
  it('sends every line to the callback while keeping only the tail', () => {
    const lines: string[] = [];
    const c = new OutputCollector(8, (l) => lines.push(l));
    for (let i = 0; i < 100; i++) c.push(Buffer.from(`line${i}\n`));
    c.end();
    assert.equal(lines.length, 100);
    assert.equal(lines[99], 'line99');
    assert.equal(c.text(), '\nline99\n');
    assert.equal(c.text().length, 8);
    assert.ok(c.truncated);
  });
});

describe('MarkerSplitter', () => {
  const split = (chunks: Buffer[]) => {
    const parts: string[] = [];
    let data = '';
    const s = new MarkerSplitter(
      '@@m-x ',
      (c) => (data += c.toString('latin1')),
      (p) => {
        parts.push(data, `<${p}>`);
        data = '';
      },
    );
    for (const c of chunks) s.push(c);
    s.end();
    parts.push(data);
    return parts;
  };
  const text = 'one\n\n@@m-x 0 0\ntwo, no newline\n@@m-x 1 3\n\n@@m-x 2 0\n@@m-x not ours\n@@m-y 3\nlast\n@';

  it('cuts at marker lines (their leading newline included), whatever the chunking', () => {
    const want = ['one\n', '<0 0>', 'two, no newline', '<1 3>', '', '<2 0>', '@@m-x not ours\n@@m-y 3\nlast\n@'];
    assert.deepEqual(split([Buffer.from(text)]), want);
    assert.deepEqual(split([...Buffer.from(text)].map((b) => Buffer.from([b]))), want);
    for (let i = 1; i < text.length; i++) {
      assert.deepEqual(split([Buffer.from(text.slice(0, i)), Buffer.from(text.slice(i))]), want, `split at ${i}`);
    }
  });

  it('a too long "marker" is ordinary output', () => {
    const long = `a\n@@m-x ${'9'.repeat(100)}\nb`;
    assert.deepEqual(split([Buffer.from(long)]), [long]);
  });
});

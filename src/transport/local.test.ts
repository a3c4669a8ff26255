import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LocalRunner } from './local.js';
import { createRunner, RecordingRunner } from './runner.js';
import { argv, literal, sh } from './shell.js';

const bastion = { kind: 'bastion' } as const;
const runner = new LocalRunner({ killGraceMs: 500 });

function alive(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern]);
    return true;
  } catch {
    return false;
  }
}

describe('LocalRunner', () => {
  it('returns exit codes, stdout and stderr', async () => {
    const r = await runner.run(bastion, literal('echo out; echo err >&2; exit 7'));
    assert.equal(r.exitCode, 7);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.timedOut, false);
    assert.equal(r.cancelled, false);
    assert.equal(r.truncated, false);
    assert.equal((await runner.run(bastion, literal('true'))).exitCode, 0);
  });

  it('runs quoted arguments literally', async () => {
    const r = await runner.run(bastion, sh`printf '%s|' ${['a b', "it's", '$(id)', '']}`);
    assert.equal(r.stdout, "a b|it's|$(id)||");
  });

  it('streams lines in order as they arrive, the last one without newline too', async () => {
    const seen: { line: string; at: number }[] = [];
    const t0 = Date.now();
    const r = await runner.run(bastion, literal('echo one; sleep 0.3; echo two; sleep 0.3; printf three'), {
      onStdout: (line) => seen.push({ line, at: Date.now() - t0 }),
    });
    assert.deepEqual(
      seen.map((s) => s.line),
      ['one', 'two', 'three'],
    );
    assert.ok(seen[0]!.at < 250, `first line came at ${seen[0]!.at} ms, before the command ended`);
    assert.equal(r.stdout, 'one\ntwo\nthree');
  });

  it('keeps stdout and stderr lines apart, each in order', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runner.run(bastion, literal('for i in 1 2 3 4 5; do echo o$i; echo e$i >&2; done'), {
      onStdout: (l) => out.push(l),
      onStderr: (l) => err.push(l),
    });
    assert.deepEqual(out, ['o1', 'o2', 'o3', 'o4', 'o5']);
    assert.deepEqual(err, ['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('caps the buffer at the tail but streams every line', async () => {
    let count = 0;
    const r = await runner.run(bastion, literal('seq 1 200000'), { maxBufferBytes: 1000, onStdout: () => count++ });
    assert.equal(count, 200000);
    assert.equal(r.truncated, true);
    assert.equal(r.stdout.length, 1000);
    assert.ok(r.stdout.endsWith('199999\n200000\n'));
  });

  it('writes stdin and closes it', async () => {
    const r = await runner.run(bastion, literal('cat; echo end'), { stdin: 'hello\nworld\n' });
    assert.equal(r.stdout, 'hello\nworld\nend\n');
    // without stdin, a reader sees end of file at once
    const r2 = await runner.run(bastion, literal('cat; echo eof'), { timeoutMs: 5000 });
    assert.equal(r2.stdout, 'eof\n');
    assert.equal(r2.timedOut, false);
  });

  it('times out and ends the whole process group', async () => {
    const tag = `day2-local-timeout-${process.pid}`;
    const t0 = Date.now();
    const r = await runner.run(bastion, literal(`sh -c 'sleep 60; : ${tag}' & sleep 61`), { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.ok(Date.now() - t0 < 3000);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(alive(tag), false, 'the background child is gone too');
  });

  it('cancels via AbortSignal, children included', async () => {
    const tag = `day2-local-cancel-${process.pid}`;
    const ac = new AbortController();
    const lines: string[] = [];
    const p = runner.run(bastion, literal(`echo started; sh -c 'sleep 60; : ${tag}'`), {
      signal: ac.signal,
      onStdout: (l) => {
        lines.push(l);
        if (l === 'started') setTimeout(() => ac.abort(), 100);
      },
    });
    const r = await p;
    assert.equal(r.cancelled, true);
    assert.equal(r.exitCode, null);
    assert.deepEqual(lines, ['started']);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(alive(tag), false);
  });

  it('uses SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const t0 = Date.now();
    const r = await runner.run(bastion, literal("trap '' TERM; sleep 30 & wait; sleep 30"), { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  it('an already aborted signal runs nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runner.run(bastion, literal('touch /tmp/should-not-exist-day2'), { signal: ac.signal });
    assert.equal(r.cancelled, true);
  });

  it('reports a command killed by a signal', async () => {
    const r = await runner.run(bastion, literal('kill -9 $$'));
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.cancelled, false);
  });

  it('refuses host targets', async () => {
    await assert.rejects(
      runner.run(
        { kind: 'host', host: { name: 'h', address: 'h', port: 22, become: false, roles: [], groups: [], vars: {}, file: 'f', line: 1 } },
        literal('true'),
      ),
    );
  });
});

describe('RecordingRunner', () => {
  it('records every (target, script) in call order and delegates', async () => {
    const rec = new RecordingRunner(createRunner({ agentSocket: null }));
    const a = await rec.run(bastion, argv('echo', 'a b'));
    const b = await rec.run(bastion, literal('exit 3'));
    assert.equal(a.stdout, 'a b\n');
    assert.equal(b.exitCode, 3);
    assert.deepEqual(rec.scripts, ["bastion: echo 'a b'", 'bastion: exit 3']);
    assert.equal(rec.commands[1]!.result?.exitCode, 3);
    await rec.close();
  });
});

// SshRunner.upload against the lab's real OpenSSH (sftp-server): the file arrives byte for byte with mode
// 0600, replaces an existing one, leaves no partial file behind on failure, and says which copy failed.
//   bash scripts/with-lab.sh node --import tsx --test test/transport/upload.test.ts
// Never skips: without a running lab (LAB_DIR) every test fails with the reason.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Host, Role } from '../../src/inventory/types.js';
import { sh } from '../../src/transport/shell.js';
import { SshRunner } from '../../src/transport/ssh.js';
import type { Target } from '../../src/transport/types.js';

let runner: SshRunner;
let host: Host;
let target: Target;
let labError: Error | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'day2-upload-test-'));
const remoteDir = `/backup/day2-upload-test-${process.pid}`;

before(async () => {
  try {
    const dir = process.env.LAB_DIR;
    if (!dir)
      throw new Error('LAB_DIR is not set: run through `bash scripts/with-lab.sh node --import tsx --test test/transport/upload.test.ts`');
    const labJson = join(dir, 'lab.json');
    if (!existsSync(labJson)) throw new Error(`LAB_DIR=${dir} has no lab.json: the lab is not up`);
    const parsed = JSON.parse(readFileSync(labJson, 'utf8')) as {
      hosts?: Record<string, unknown>[];
      knownHosts?: string;
      identity?: string;
    };
    const raw = (parsed.hosts ?? []).find((h) => String(h.name).startsWith('node-0')) ?? parsed.hosts?.[0];
    if (!raw) throw new Error(`${labJson} lists no hosts`);
    host = {
      name: String(raw.name),
      address: String(raw.address ?? raw.ansible_host ?? raw.name),
      port: Number(raw.port ?? 22),
      user: 'root',
      keyFile: parsed.identity ?? join(dir, 'id_ed25519'),
      become: false,
      roles: (Array.isArray(raw.roles) ? raw.roles : []) as Role[],
      groups: [],
      vars: {},
      file: 'lab.json',
      line: 0,
    };
    target = { kind: 'host', host };
    runner = new SshRunner({ knownHostsPath: parsed.knownHosts ?? join(dir, 'known_hosts'), agentSocket: null, defaultIdentityFiles: [] });
    const c = await runner.probe(host);
    if (c.state !== 'ok') throw new Error(`${host.name}: ${c.state}: ${c.reason}`);
    const r = await runner.run(target, sh`mkdir -p ${remoteDir}`);
    if (r.exitCode !== 0) throw new Error(`mkdir ${remoteDir}: ${r.stderr}`);
  } catch (err) {
    labError = err as Error;
  }
});

after(async () => {
  if (runner && !labError) await runner.run(target, sh`rm -rf ${remoteDir}`);
  await runner?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function labIt(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    if (labError) throw labError;
    await fn();
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('SshRunner.upload on the lab', () => {
  labIt('copies a file byte for byte, mode 0600, and replaces an existing file', async () => {
    const body = randomBytes(300 * 1024);
    const local = join(scratch, 'a.bin');
    writeFileSync(local, body);
    const remote = `${remoteDir}/a.bin`;
    assert.deepEqual(await runner.upload(host, local, remote), { bytes: body.length });
    let r = await runner.run(target, sh`sha256sum ${remote}; stat -c %a ${remote}; ls -A ${remoteDir}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [`${sha(body)}  ${remote}`, '600', 'a.bin']);

    const body2 = Buffer.from('a smaller second version\n');
    writeFileSync(local, body2);
    assert.deepEqual(await runner.upload(host, local, remote), { bytes: body2.length });
    r = await runner.run(target, sh`cat ${remote}; ls -A ${remoteDir}`);
    assert.equal(r.stdout, `${body2.toString()}a.bin\n`);
  });

  labIt('a missing local file or a missing remote directory: an error naming the copy, no partial file left', async () => {
    await assert.rejects(runner.upload(host, join(scratch, 'nope.bin'), `${remoteDir}/x.bin`), (e: Error) => {
      assert.match(e.message, /^sftp put .*nope\.bin → node-0[^:]*:\/backup\/day2-upload-test-\d+\/x\.bin: .*ENOENT/);
      return true;
    });
    const local = join(scratch, 'b.bin');
    writeFileSync(local, 'b\n');
    await assert.rejects(runner.upload(host, local, `${remoteDir}/no/such/dir/b.bin`), (e: Error) => {
      assert.match(e.message, /^sftp put .*b\.bin → .*\/no\/such\/dir\/b\.bin: /);
      return true;
    });
    const r = await runner.run(target, sh`find ${remoteDir} -name '*.part-*' | wc -l`);
    assert.equal(r.stdout.trim(), '0');
  });

  labIt('an upload aborted mid-way rejects with an AbortError and removes its partial file', async () => {
    // the source is a FIFO fed a little and then held open: the copy is under way until it is aborted
    const fifo = join(scratch, 'slow.fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, 'r+'); // does not block; closed once the writer holds its own copy
    const writer = spawn('sh', ['-c', 'head -c 65536 /dev/urandom; exec sleep 60'], { stdio: ['ignore', fd, 'ignore'] });
    closeSync(fd);
    try {
      const ac = new AbortController();
      const p = runner.upload(host, fifo, `${remoteDir}/slow.bin`, { signal: ac.signal });
      p.catch(() => {});
      let seen = '';
      for (let i = 0; i < 100 && !seen.includes('.part-'); i++) {
        seen = (await runner.run(target, sh`ls -A ${remoteDir}`)).stdout;
        if (!seen.includes('.part-')) await new Promise((f) => setTimeout(f, 100));
      }
      assert.match(seen, /slow\.bin\.part-/, 'the partial file appears while the copy is under way');
      ac.abort();
      writer.kill(); // a read pending on the FIFO holds the source open until its writer goes
      await assert.rejects(p, (e: Error) => e.name === 'AbortError');
      const r = await runner.run(target, sh`ls -A ${remoteDir} | grep -c slow || true`);
      assert.equal(r.stdout.trim(), '0', 'neither slow.bin nor its partial file is left');
    } finally {
      if (writer.exitCode === null && writer.signalCode === null) writer.kill();
    }
  });
});

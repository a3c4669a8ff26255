// Run by console.test.tsx in a child process: starts the console on fake streams, then raises an
// uncaught exception or an unhandled rejection (which node:test would catch in the test process).
// Prints one JSON line: the exit code, what the console wrote to stdout and stderr.
import { EventEmitter } from 'node:events';
import { startConsole } from '../console.js';
import { FakeRunner, testCatalogue, testInventory } from './fixtures.js';

class Out extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out = '';
  write = (s: string) => {
    this.out += s;
    return true;
  };
}
class In extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

const stdout = new Out();
const stderr = new Out();
const kind = process.argv[2] ?? 'exception';
setTimeout(() => {
  if (kind === 'rejection') void Promise.reject(new Error('lost\nconnection'));
  else throw new Error('boom\n  at somewhere');
}, 100);
const code = await startConsole({
  inventory: testInventory(),
  runner: new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  catalogue: testCatalogue(),
  version: '0.1.0',
  stdout: stdout as unknown as NodeJS.WriteStream,
  stderr: stderr as unknown as NodeJS.WriteStream,
  stdin: new In() as unknown as NodeJS.ReadStream,
  env: {},
});
process.stdout.write(`${JSON.stringify({ code, stdout: stdout.out, stderr: stderr.out })}\n`);
process.exit(0);

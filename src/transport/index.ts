// Public surface of the transport layer. Importing this does not load ssh2 or execa: they are loaded
// on the first command that needs them.
export * from './types.js';
export * from './shell.js';
export { createRunner, CombinedRunner, RecordingRunner, type CreateRunnerOptions, type RecordedCommand } from './runner.js';
export { SshRunner, type SshRunnerOptions } from './ssh.js';
export { LocalRunner, runLocal, type LocalRunnerOptions } from './local.js';
export {
  parseKnownHosts,
  checkHostKey,
  loadKnownHosts,
  hashHostName,
  hostLookupName,
  fingerprintSha256,
  type KnownHostEntry,
  type HostKeyVerdict,
  type HostKeyStatus,
  type HostQuery,
} from './known-hosts.js';
export { LineSplitter, TailBuffer } from './stream.js';

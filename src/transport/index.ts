// Public surface of the transport layer. Importing this does not load ssh2 or execa: they are loaded
// on the first command that needs them.

export {
  checkHostKey,
  fingerprintSha256,
  type HostKeyStatus,
  type HostKeyVerdict,
  type HostQuery,
  hashHostName,
  hostLookupName,
  type KnownHostEntry,
  loadKnownHosts,
  parseKnownHosts,
} from './known-hosts.js';
export { LocalRunner, type LocalRunnerOptions, runLocal } from './local.js';
export { CombinedRunner, type CreateRunnerOptions, createRunner, type RecordedCommand, RecordingRunner } from './runner.js';
export * from './shell.js';
export { SshRunner, type SshRunnerOptions } from './ssh.js';
export { LineSplitter, TailBuffer } from './stream.js';
export * from './types.js';

// The runner the product uses: host targets over SSH, the bastion locally; and a recording wrapper for
// tests that need to assert exactly which commands ran, in order.
import type { Host } from '../inventory/types.js';
import { LocalRunner } from './local.js';
import type { ShellCommand } from './shell.js';
import { SshRunner, type SshRunnerOptions } from './ssh.js';
import {
  type BatchCommand,
  type CommandResult,
  type ConnectionSetting,
  type Connectivity,
  type DownloadOptions,
  type DownloadResult,
  downloadText,
  type Runner,
  type RunOptions,
  type Target,
  type UploadOptions,
  type UploadResult,
  uploadText,
} from './types.js';

export interface CreateRunnerOptions extends SshRunnerOptions {
  /** Environment added to bastion commands (e.g. KUBECONFIG). */
  localEnv?: Record<string, string>;
}

/** Routes `{kind:'host'}` to one SSH pool and `{kind:'bastion'}` to `sh -c` on this machine. */
export class CombinedRunner implements Runner {
  readonly ssh: SshRunner;
  readonly local: LocalRunner;

  constructor(options: CreateRunnerOptions = {}) {
    const { localEnv, ...sshOptions } = options;
    this.ssh = new SshRunner(sshOptions);
    this.local = new LocalRunner({ killGraceMs: options.killGraceMs ?? 2000, ...(localEnv ? { env: localEnv } : {}) });
  }

  run(target: Target, command: ShellCommand, options?: RunOptions): Promise<CommandResult> {
    return target.kind === 'host' ? this.ssh.run(target, command, options) : this.local.run(target, command, options);
  }

  runBatch(target: Target, commands: readonly BatchCommand[]): Promise<CommandResult>[] {
    return target.kind === 'host' ? this.ssh.runBatch(target, commands) : commands.map((c) => this.local.run(target, c.command, c.options));
  }

  connectionSettings(host: Host): ConnectionSetting[] | { error: string } {
    return this.ssh.connectionSettings(host);
  }

  probe(host: Host): Promise<Connectivity> {
    return this.ssh.probe(host);
  }

  download(host: Host, remotePath: string, localPath: string, options?: DownloadOptions): Promise<DownloadResult> {
    return this.ssh.download(host, remotePath, localPath, options);
  }

  upload(host: Host, localPath: string, remotePath: string, options?: UploadOptions): Promise<UploadResult> {
    return this.ssh.upload(host, localPath, remotePath, options);
  }

  async close(): Promise<void> {
    await Promise.all([this.ssh.close(), this.local.close()]);
  }
}

export function createRunner(options: CreateRunnerOptions = {}): CombinedRunner {
  return new CombinedRunner(options);
}

export interface RecordedCommand {
  target: Target;
  /** `host name` or `bastion`: handy for assertions. */
  where: string;
  script: string;
  /** Set when the command finished (the result) or was rejected (the error). */
  result?: CommandResult;
  error?: unknown;
}

/** Delegates to an inner runner and records every (target, script) it is asked to run, in call order. */
export interface RecordedDownload {
  host: string;
  remotePath: string;
  localPath: string;
  result?: DownloadResult;
  error?: unknown;
}

export interface RecordedUpload {
  host: string;
  localPath: string;
  remotePath: string;
  result?: UploadResult;
  error?: unknown;
}

export class RecordingRunner implements Runner {
  readonly commands: RecordedCommand[] = [];
  readonly probes: Host[] = [];
  readonly downloads: RecordedDownload[] = [];
  /** Present only when the inner runner can download. */
  readonly download?: (host: Host, remotePath: string, localPath: string, options?: DownloadOptions) => Promise<DownloadResult>;
  readonly uploads: RecordedUpload[] = [];
  /** Present only when the inner runner can upload. */
  readonly upload?: (host: Host, localPath: string, remotePath: string, options?: UploadOptions) => Promise<UploadResult>;

  constructor(readonly inner: Runner) {
    if (inner.download) {
      const innerDownload = inner.download.bind(inner);
      this.download = async (host, remotePath, localPath, options) => {
        const rec: RecordedDownload = { host: host.name, remotePath, localPath };
        this.downloads.push(rec);
        this.commands.push({ target: { kind: 'host', host }, where: host.name, script: downloadText(host.name, remotePath, localPath) });
        try {
          rec.result = await innerDownload(host, remotePath, localPath, options);
          return rec.result;
        } catch (err) {
          rec.error = err;
          throw err;
        }
      };
    }
    if (inner.upload) {
      const innerUpload = inner.upload.bind(inner);
      this.upload = async (host, localPath, remotePath, options) => {
        const rec: RecordedUpload = { host: host.name, localPath, remotePath };
        this.uploads.push(rec);
        this.commands.push({ target: { kind: 'host', host }, where: host.name, script: uploadText(host.name, localPath, remotePath) });
        try {
          rec.result = await innerUpload(host, localPath, remotePath, options);
          return rec.result;
        } catch (err) {
          rec.error = err;
          throw err;
        }
      };
    }
  }

  async run(target: Target, command: ShellCommand, options?: RunOptions): Promise<CommandResult> {
    const rec: RecordedCommand = {
      target,
      where: target.kind === 'host' ? target.host.name : 'bastion',
      script: command.script,
    };
    this.commands.push(rec);
    try {
      rec.result = await this.inner.run(target, command, options);
      return rec.result;
    } catch (err) {
      rec.error = err;
      throw err;
    }
  }

  probe(host: Host): Promise<Connectivity> {
    this.probes.push(host);
    return this.inner.probe(host);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** `where: script` for every recorded command, in order. */
  get scripts(): string[] {
    return this.commands.map((c) => `${c.where}: ${c.script}`);
  }

  clear(): void {
    this.commands.length = 0;
    this.probes.length = 0;
    this.downloads.length = 0;
    this.uploads.length = 0;
  }
}

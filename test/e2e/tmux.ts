// Drives bin/day2-tui in a real terminal (tmux) the way a person would: type keys, read the screen.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TmuxSession {
  /** A private tmux server per session, so tests never touch the user's tmux and can stop it whole. */
  readonly socket: string;
  constructor(
    readonly name: string,
    private readonly width = 80,
    private readonly height = 24,
  ) {
    this.socket = `day2-test-${process.pid}-${name}`;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  private statusFile = '';

  /** Starts `command` (a shell command line) in a detached session of the given size. */
  start(command: string, env: Record<string, string> = {}): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // tmux 3.3 does not always report pane_dead_status: the shell records the exit code itself.
    this.statusFile = join(mkdtempSync(join(tmpdir(), 'day2-tmux-')), 'status');
    const wrapped = `${command}; echo $? > ${this.statusFile}; sleep 600`;
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.name, '-x', String(this.width), '-y', String(this.height), ...envArgs, wrapped);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Literal text (`-l`) or tmux key names (Enter, Escape, Tab, Up, Down, C-c). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
  }

  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(width), '-y', String(height));
  }

  /** True once the program has exited, with its exit code (the pane stays, so its last screen can be read). */
  exited(): { dead: boolean; status?: number } {
    if (!existsSync(this.statusFile)) return { dead: false };
    const text = readFileSync(this.statusFile, 'utf8').trim();
    return text === '' ? { dead: false } : { dead: true, status: Number(text) };
  }

  /** Polls the screen until `predicate` holds; fails with the last screen after `deadlineMs` (a bound, not a timing assertion). */
  async waitFor(predicate: (screen: string) => boolean, what: string, deadlineMs = 30_000): Promise<string> {
    const until = Date.now() + deadlineMs;
    let last = '';
    while (Date.now() < until) {
      last = this.screen();
      if (predicate(last)) return last;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
  }

  stop(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}

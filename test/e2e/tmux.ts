// Drives bin/day2-tui in a real terminal (tmux) the way a person would: type keys, read the screen.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quote } from 'shell-quote';

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
  private pidFile = '';

  /**
   * Starts `command` (a shell command line) in a detached session of the given size. The pane gets a
   * small, explicit environment (PATH, HOME, TERM, LANG, then `env`) instead of whatever the test
   * runner's environment holds, so a CI runner's variables cannot change what the console draws.
   */
  start(command: string, env: Record<string, string> = {}): void {
    const dir = mkdtempSync(join(tmpdir(), 'day2-tmux-'));
    // tmux 3.3 does not always report pane_dead_status: the shell records the exit code itself.
    this.statusFile = join(dir, 'status');
    this.pidFile = join(dir, 'pid');
    const launcher = join(dir, 'run.sh');
    writeFileSync(launcher, `echo $$ > ${this.pidFile}\n${command}\necho $? > ${this.statusFile}\nexec sleep 600\n`);
    const paneEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...env,
    };
    const assignments = Object.entries(paneEnv).map(([k, v]) => `${k}=${quote([v])}`);
    const paneCommand = `exec env -i ${assignments.join(' ')} /bin/sh ${launcher}`;
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.name, '-x', String(this.width), '-y', String(this.height), paneCommand);
  }

  /**
   * What a failed wait should say besides the screen: is the program running, stopped or blocked, and on
   * what (ps STAT and WCHAN), did it exit and how, and tmux's view of the pane.
   */
  diagnose(): string {
    const out: string[] = [];
    const safe = (what: string, f: () => string) => {
      try {
        out.push(`${what}: ${f().trim()}`);
      } catch (err) {
        out.push(`${what}: (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
      }
    };
    safe('pane', () =>
      this.tmux(
        'display-message',
        '-p',
        '-t',
        this.name,
        'pid #{pane_pid} dead #{pane_dead} alternate #{alternate_on} size #{pane_width}x#{pane_height} cursor #{cursor_x},#{cursor_y}',
      ),
    );
    safe('exit status', () => (existsSync(this.statusFile) ? readFileSync(this.statusFile, 'utf8') : 'still running'));
    const shellPid = existsSync(this.pidFile) ? readFileSync(this.pidFile, 'utf8').trim() : '';
    const session = () => execFileSync('ps', ['-o', 'sid=', '-p', shellPid], { encoding: 'utf8' }).trim();
    const psColumns = 'pid,pgid,tpgid,stat,wchan:24,etime,args';
    safe('processes', () =>
      shellPid
        ? `\n${execFileSync('ps', ['-o', psColumns, '--forest', '-s', session()], { encoding: 'utf8' })}`
        : 'the launcher never started',
    );
    return out.join('\n');
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
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}\n${this.diagnose()}`);
  }

  stop(): void {
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}

/** Checks that every screen it captures fits 80×24, and keeps them all. */
export class RecordingSession extends TmuxSession {
  readonly captures: string[] = [];
  override screen(): string {
    const s = super.screen();
    this.captures.push(s);
    const lines = s.replace(/\n+$/, '').split('\n');
    assert.ok(lines.length <= 24, `a capture has ${lines.length} lines (more than 24):\n${s}`);
    for (const l of lines)
      assert.ok([...l].length <= 80, `a line is ${[...l].length} columns wide (more than 80): ${JSON.stringify(l)}\n${s}`);
    return s;
  }
  /** tmux's view of the terminal modes the program left behind. */
  modes(): { alternate: boolean; cursorVisible: boolean } {
    const out = execFileSync('tmux', ['-L', this.socket, 'display-message', '-p', '-t', this.name, '#{alternate_on} #{cursor_flag}'], {
      encoding: 'utf8',
    });
    const [alt, cursor] = out.trim().split(' ');
    return { alternate: alt === '1', cursorVisible: cursor === '1' };
  }
}

/** Temporary directories for one test file (state dir, HOME), removed all at once by `removeAll` (in after()). */
export function tempDirs(prefix = 'day2-e2e') {
  const made: string[] = [];
  return {
    make(what: string): string {
      const d = mkdtempSync(join(tmpdir(), `${prefix}-${what}-`));
      made.push(d);
      return d;
    },
    removeAll(): void {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

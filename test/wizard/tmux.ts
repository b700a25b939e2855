// A real terminal for the wizard: a private tmux server (its own socket, so
// nothing else on the machine is touched) with one fixed-size pane running a
// clean bash. Tests type with send-keys and read the screen with
// capture-pane, always polling for expected text instead of sleeping.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

export interface PaneOptions {
  columns: number;
  rows: number;
  cwd: string;
  /** The pane's whole environment (CI is never passed on unless given here). */
  env: Record<string, string>;
}

export class Pane {
  private constructor(private readonly dir: string) {}

  private get socket(): string {
    return join(this.dir, 'socket');
  }

  static start(options: PaneOptions): Pane {
    // The server's socket and config live in a temp folder removed by kill().
    const dir = mkdtempSync(join(tmpdir(), 'oid-tmux-'));
    const conf = join(dir, 'tmux.conf');
    // Whole scrollback kept: the tests read the summary after the plan scrolled it away.
    writeFileSync(conf, 'set -g history-limit 50000\nset -g status off\n');
    const pane = new Pane(dir);
    // `env -i` gives the shell exactly the variables the test chose (no CI from the runner).
    const shell = [
      'env',
      '-i',
      ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`),
      'bash',
      '--norc',
      '--noprofile',
    ];
    pane.tmux([
      '-f',
      conf,
      'new-session',
      '-d',
      '-s',
      'wizard',
      '-x',
      String(options.columns),
      '-y',
      String(options.rows),
      '-c',
      options.cwd,
      ...shell,
    ]);
    return pane;
  }

  private tmux(args: string[]): string {
    // A UTF-8 locale for the tmux client, or it draws ✔ and ❯ as underscores.
    const result = spawnSync('tmux', ['-S', this.socket, ...args], {
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Literal text (no key names), then nothing else. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 'wizard', '-l', text]);
  }

  /** Key names: Enter, Down, C-c … */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', 'wizard', ...names]);
  }

  /** Runs a shell command line in the pane. */
  run(commandLine: string): void {
    this.type(commandLine);
    this.keys('Enter');
  }

  /** Everything printed so far (scrollback included), wrapped lines joined. */
  text(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', 'wizard']);
  }

  /** Only the visible screen, with escape sequences (-e) to check colour use. */
  screenWithEscapes(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-t', 'wizard']);
  }

  /** Polls until `test` holds for the captured text; the error shows the screen. */
  async waitFor(test: RegExp | ((text: string) => boolean), timeoutMs = 15_000, what = String(test)): Promise<string> {
    const check = typeof test === 'function' ? test : (t: string) => test.test(t);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.text();
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what}; the terminal shows:\n${last.split('\n').slice(-40).join('\n')}`,
    );
  }

  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The prompt inquirer is showing now: a `? message` line after the last answered (`✔`) one. */
export function activePrompt(text: string): string | undefined {
  const lines = text.split('\n');
  let question = -1;
  let answered = -1;
  lines.forEach((line, i) => {
    if (line.startsWith('? ')) question = i;
    if (line.startsWith('✔ ')) answered = i;
  });
  return question > answered ? lines[question] : undefined;
}

export function answeredCount(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('✔ ')).length;
}

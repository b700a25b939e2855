// The wizard as a person meets it: the built CLI in a real terminal (tmux),
// answered key by key, read back from the screen.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { activePrompt, answeredCount, Pane, tmuxAvailable } from './tmux.js';

const BIN = join(packageRoot(), 'bin', 'openim-deploy.js');

/** Drives one wizard run: each step waits for its prompt to be the active one. */
class Driver {
  private answered = 0;
  constructor(readonly pane: Pane) {}

  /** Waits until `message` is the prompt being asked (and every earlier one is answered). */
  async at(message: RegExp): Promise<string> {
    return this.pane.waitFor(
      (t) => answeredCount(t) === this.answered && message.test(activePrompt(t) ?? ''),
      20_000,
      `the prompt ${message} (after ${this.answered} answers)`,
    );
  }

  /** The next prompt, whatever it is. */
  async next(): Promise<string> {
    const text = await this.pane.waitFor(
      (t) => answeredCount(t) === this.answered && activePrompt(t) !== undefined,
      20_000,
      `prompt #${this.answered + 1}`,
    );
    return activePrompt(text)!;
  }

  private async submit(): Promise<void> {
    const before = this.answered;
    this.pane.keys('Enter');
    this.answered++;
    await this.pane.waitFor((t) => answeredCount(t) > before, 20_000, `prompt #${before + 1} to be answered`);
  }

  async enter(message: RegExp): Promise<void> {
    await this.at(message);
    await this.submit();
  }

  /** Types into an input (or y/n into a confirm), waits for the echo, then Enter. */
  async answer(message: RegExp, text: string): Promise<void> {
    await this.at(message);
    this.pane.type(text);
    // inquirer breaks long lines itself: compare with the prompt's lines joined.
    const echoed = (t: string) => {
      const prompt = activePrompt(t);
      return prompt !== undefined && t.slice(t.lastIndexOf(prompt)).replace(/\n/g, '').trimEnd().endsWith(text);
    };
    await this.pane.waitFor(echoed, 10_000, `"${text}" echoed after ${message}`);
    await this.submit();
  }

  /** A masked input: waits for one * per character (a key hint follows the stars). */
  async secret(message: RegExp, text: string): Promise<void> {
    await this.at(message);
    this.pane.type(text);
    const echo = '*'.repeat(text.length);
    const echoed = (t: string) => {
      const prompt = activePrompt(t);
      return prompt !== undefined && t.slice(t.lastIndexOf(prompt)).includes(echo);
    };
    await this.pane.waitFor(echoed, 10_000, `"${echo}" echoed after ${message}`);
    await this.submit();
  }

  /** Moves the select cursor (❯) to the choice containing `choice`, then Enter. */
  async choose(message: RegExp, choice: string): Promise<void> {
    await this.at(message);
    for (let i = 0; i < 12; i++) {
      const screen = this.pane.text();
      const lines = screen.split('\n');
      const cursor = lines.slice(lines.lastIndexOf(activePrompt(screen)!)).find((l) => l.startsWith('❯ '));
      if (cursor?.includes(choice)) return this.submit();
      this.pane.keys('Down');
      await this.pane.waitFor((t) => t !== screen, 5_000, 'the cursor to move');
    }
    throw new Error(`no choice "${choice}" at ${message}:\n${this.pane.text().split('\n').slice(-15).join('\n')}`);
  }
}

/** The wizard's summary block: from its `Summary` heading line to the next marker. */
function section(text: string, to: string): string {
  const start = text.indexOf('\nSummary\n');
  const end = text.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`no summary block ending at "${to}" on screen:\n${text}`);
  return text.slice(start + 1, end);
}

describe('the wizard in a real terminal (tmux)', () => {
  const panes: Pane[] = [];
  const dirs: string[] = [];
  let mongo: Server;
  let mongoPort = 0;

  beforeAll(async () => {
    if (!tmuxAvailable()) throw new Error('tmux is missing: apt-get install -y tmux');
    if (!existsSync(join(packageRoot(), 'dist', 'main.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm run test:wizard does)');
    // Stands in for an external MongoDB: the wizard's live check only opens a TCP connection.
    mongo = createServer((s) => s.destroy());
    await new Promise<void>((r) => mongo.listen(0, '127.0.0.1', r));
    mongoPort = (mongo.address() as { port: number }).port;
  });
  afterEach(() => {
    for (const pane of panes.splice(0)) pane.kill();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => mongo?.close());

  function open(columns: number, rows: number, env: Record<string, string> = {}) {
    const cwd = mkdtempSync(join(tmpdir(), 'oid-wizard-cwd-'));
    const home = mkdtempSync(join(tmpdir(), 'oid-wizard-home-'));
    const pane = Pane.start({
      columns,
      rows,
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        TERM: 'tmux-256color',
        LANG: 'C.UTF-8',
        PS1: '$ ',
        ...env,
      },
    });
    panes.push(pane);
    dirs.push(cwd, home);
    return { pane, cwd, home, driver: new Driver(pane) };
  }

  it('kubernetes, production, external MongoDB: the summary and the plan on a 100x40 screen', async () => {
    const { pane, cwd, driver } = open(100, 40);
    pane.run(`node ${BIN} install --dry-run; echo EXIT=$?`);
    await driver.choose(/Where should OpenIM run\?/, 'Kubernetes');
    await driver.choose(/Profile/, 'production');
    await driver.answer(/Public domain/, 'im.example.com');
    await driver.enter(/Kubernetes namespace/);
    await driver.choose(/Ingress controller/, 'traefik');
    await driver.answer(/Install the traefik controller too\?/, 'y');
    await driver.choose(/TLS \(HTTPS\)/, 'cert-manager');
    await driver.enter(/cert-manager issuer name/);
    await driver.enter(/Issuer kind/);
    await driver.choose(/Storage for MongoDB/, 'nfs');
    await driver.answer(/NFS server/, '10.0.0.5');
    await driver.answer(/Exported path/, '/srv/nfs/openim');
    await driver.choose(/Object storage for files/, 'MinIO');
    await driver.enter(/MinIO: bundled or external\?/);
    await driver.enter(/Public URL for files/);
    await driver.choose(/MongoDB: bundled or external\?/, 'external');
    await driver.answer(/MongoDB address/, `127.0.0.1:${mongoPort}`);
    await driver.enter(/MongoDB database/);
    await driver.enter(/MongoDB user/);
    await driver.secret(/MongoDB password/, 'Mongo-Secret-9');
    await driver.enter(/Authentication database/);
    await driver.enter(/Redis: bundled or external\?/);
    await driver.enter(/Kafka: bundled or external\?/);
    await driver.choose(/Where should images be pulled from\?/, 'Aliyun');
    await driver.enter(/Offline bundle file/);
    await driver.enter(/Install OpenIM Chat/);
    await driver.enter(/Install the web client\?/);
    await driver.enter(/Install the admin console\?/);
    // Open registration is asked; production's default is no.
    await driver.enter(/Let anyone register an account \(open registration\)\?/);
    await driver.enter(/Install monitoring/);
    await driver.answer(/Collect logs centrally/, 'n');
    await driver.answer(/Save these answers to openim-deploy\.yaml\?/, 'y');
    await driver.enter(/Make the plan with these choices\?/);
    const text = await pane.waitFor(/EXIT=\d+/, 30_000);

    expect(text).toMatch(/reachable: 127\.0\.0\.1:\d+ open/);
    const summary = section(text, '\nPreflight');
    expect(summary).toMatch(/Profile +production/);
    expect(summary).toMatch(/Domain +im\.example\.com/);
    expect(summary).toMatch(/Ingress +traefik, installed by openim-deploy/);
    expect(summary).toMatch(/TLS +cert-manager, ClusterIssuer letsencrypt/);
    expect(summary).toMatch(/Storage +nfs 10\.0\.0\.5:\/srv\/nfs\/openim/);
    expect(summary).toMatch(
      new RegExp(`MongoDB +external 127\\.0\\.0\\.1:${mongoPort}, db openim_v3, user openIM, password set`),
    );
    expect(summary).toMatch(/Images +aliyun/);
    expect(summary).toMatch(/Logging +no/);
    expect(summary).toMatch(/Registration +closed: accounts are made by the admin/);
    expect(text).toMatch(/Plan v1: OpenIM server \S+, chat \S+ → kubernetes \(production\) in openim/);
    expect(text).toMatch(/dry run: nothing was changed\./);
    expect(text).toMatch(/EXIT=0/);
    expect(text).not.toContain('Mongo-Secret-9');
    const saved = readFileSync(join(cwd, 'openim-deploy.yaml'), 'utf8');
    expect(saved).toMatch(/domain: im\.example\.com/);
    expect(saved).not.toContain('Mongo-Secret-9');
  });

  it('binary, with NO_COLOR: downloads from a mirror, no colour on screen', async () => {
    const { pane, cwd, driver } = open(100, 40, { NO_COLOR: '1' });
    pane.run(`node ${BIN} install --dry-run; echo EXIT=$?`);
    await driver.choose(/Where should OpenIM run\?/, 'This Linux host');
    await driver.enter(/Profile/);
    await driver.enter(/Public domain/);
    // dev: no reverse proxy by default (production puts Caddy in front).
    await driver.enter(/Put a reverse proxy \(Caddy\) in front of OpenIM/);
    await driver.enter(/Object storage for files/);
    await driver.enter(/MinIO: bundled or external\?/);
    await driver.enter(/Public URL for files/);
    await driver.enter(/MongoDB: bundled/);
    await driver.enter(/Redis: bundled/);
    await driver.enter(/Kafka: bundled/);
    await driver.enter(/etcd: bundled/);
    await driver.answer(/Download mirror base URL/, 'https://mirror.example.com/openim');
    await driver.enter(/Offline bundle file/);
    await driver.enter(/Install OpenIM Chat/);
    // Colour check while a prompt is on screen (inquirer's own styling included).
    expect(pane.screenWithEscapes()).not.toMatch(/\u001b\[[0-9;]*m/);
    await driver.enter(/open registration/);
    // Checksums are asked only while the catalog has no pin for them.
    for (let prompt = await driver.next(); /SHA-256 of the/.test(prompt); prompt = await driver.next()) {
      if (/server/.test(prompt)) await driver.answer(/SHA-256 of the OpenIM server/, 'b'.repeat(64));
      else await driver.enter(/SHA-256/);
    }
    await driver.enter(/Install monitoring/);
    await driver.enter(/Collect logs centrally/);
    await driver.enter(/Save these answers/);
    await driver.enter(/Make the plan with these choices\?/);
    const text = await pane.waitFor(/EXIT=\d+/, 30_000);

    const summary = section(text, '\nPreflight');
    expect(summary).toMatch(/Target +this host \(systemd units\)/);
    expect(summary).toMatch(/etcd +bundled/);
    expect(summary).toMatch(/Downloads +https:\/\/mirror\.example\.com\/openim/);
    expect(summary).toMatch(/Components +server, chat\n/);
    expect(summary).toMatch(/Registration +open: anyone can create an account/);
    expect(text).toMatch(/openim-deploy install --target binary --profile dev/);
    expect(text).toMatch(/Plan v1: OpenIM server \S+, chat \S+ → binary \(dev\)/);
    expect(text).toMatch(/EXIT=0/);
    expect(pane.screenWithEscapes()).not.toMatch(/\u001b\[[0-9;]*m/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('Enter through every prompt on a narrow (60 column) terminal reaches a valid plan', async () => {
    const { pane, driver } = open(60, 30);
    pane.run(`node ${BIN} install --dry-run; echo EXIT=$?`);
    let presses = 0;
    for (;;) {
      const text = await pane.waitFor(
        (t) => /EXIT=\d+/.test(t) || (answeredCount(t) === presses && activePrompt(t) !== undefined),
        20_000,
        `prompt #${presses + 1} or the exit`,
      );
      if (/EXIT=\d+/.test(text)) break;
      await driver.enter(/.*/);
      presses++;
      expect(presses).toBeLessThan(60);
    }
    const text = pane.text();
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/Plan v1: OpenIM server/);
    expect(text).toMatch(/dry run: nothing was changed\./);
    expect(presses).toBeGreaterThan(15);
    // Our own text is laid out for the width: no line of the summary, findings or command needs the terminal to wrap it.
    const ours = section(text, '✔ Make the plan');
    for (const line of ours.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
    // A value too long for the line continues under itself, not under the label. The URL is the plan's: no TLS, so http.
    expect(ours).toMatch(
      /\n {2}Object storage {2}minio, bundled; files at\n {18}http:\/\/openim\.localhost\/im-minio-api\n/,
    );
  });

  it('Ctrl-C in the middle exits 130 and writes nothing', async () => {
    const { pane, cwd, home, driver } = open(100, 40);
    pane.run(`node ${BIN} install --dry-run; echo EXIT=$?`);
    await driver.enter(/Where should OpenIM run\?/);
    await driver.enter(/Profile/);
    await driver.at(/Public domain/);
    pane.keys('C-c');
    const text = await pane.waitFor(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=130/);
    expect(text).toMatch(/interrupted: cancelled at a prompt/);
    expect(text).not.toMatch(/Summary|Plan v1/);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(home)).toEqual([]);
  });

  it('with CI set it never prompts, even on a terminal', async () => {
    const { pane } = open(100, 40, { CI: 'true' });
    pane.run(`node ${BIN} install --dry-run --preset dev; echo EXIT=$?`);
    const dry = await pane.waitFor(/EXIT=\d+/);
    expect(dry).toMatch(/Plan v1/);
    expect(dry).toMatch(/EXIT=0/);
    pane.run('clear');
    pane.run(`node ${BIN} install --preset dev; echo SECOND=$?`);
    const real = await pane.waitFor(/SECOND=\d+/);
    expect(real).toMatch(/--yes: applying changes needs confirmation and there is no terminal/);
    expect(real).toMatch(/SECOND=2/);
    expect(activePrompt(real)).toBeUndefined();
  });
});

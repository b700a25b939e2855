// Secrets are generated once and reused by every later run (after a failure,
// after --force), and none of them ever reaches what a user sees or shares:
// stdout and stderr (progress events included), the `logs` output (even when
// a workload logs its own password), the plan, render output, status,
// doctor, and the support bundle. The state itself (0600 file, Secret) is
// the one place that holds them.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTarFile } from '../../src/archive/host-tar.js';
import { FakeRunner } from './fake-cluster.js';
import { setup } from './dev-install.js';
import { fakeBin } from './fake-bin.js';
import { spawnCli } from './child.js';
import { readState, runCli } from './harness.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Where a secret value shows up in a text, in plain, base64 or URI-encoded form. */
function leaks(text: string, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [id, value] of Object.entries(secrets)) {
    // The 6-digit superCode could appear by chance inside a hash: match it as a whole word only.
    const forms = [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)];
    const hit =
      id === 'chat.superCode'
        ? new RegExp(`(^|[^0-9a-f])${value}([^0-9a-f]|$)`).test(text)
        : forms.some((f) => text.includes(f));
    if (hit) found.push(id);
  }
  return found;
}

describe('secrets', () => {
  it('are generated once, reused after a failure and after --force, and written where OpenIM reads them', async () => {
    const s = setup('secrets-reuse');
    let n = 0;
    const failing = new FakeRunner(s.cluster, {
      fault: (_argv, o) =>
        o.cwd === s.workdir && ++n === 8 ? { exitCode: 1, stdout: '', stderr: 'injected' } : undefined,
    });
    await runCli(s.args, { runner: failing, cwd: s.dir });
    const first = readState(s.workdir).secrets;
    expect(Object.keys(first).length).toBeGreaterThanOrEqual(10);
    expect((await runCli(s.args, { runner: new FakeRunner(s.cluster), cwd: s.dir })).code).toBe(0);
    expect((await runCli([...s.args, '--force'], { runner: new FakeRunner(s.cluster), cwd: s.dir })).code).toBe(0);
    const last = readState(s.workdir);
    expect(last.secrets).toEqual(first);
    // The credentials OpenIM and its infrastructure read are the stored ones.
    const ns = last.identity!['kubernetes.namespace']!;
    const openim = s.cluster.get('Secret', ns, 'openim-secrets')!;
    const values = openim.stringData as Record<string, string>;
    expect(values['openim.secret']).toBe(first['openim.secret']);
    expect(values['mongodb.password'] ?? first['mongodb.password']).toBe(first['mongodb.password']);
    expect(statSync(join(s.workdir, 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('never appear in output, logs, plan, render, status, doctor or the support bundle', async () => {
    const s = setup('secrets-scan');
    const texts: { where: string; text: string }[] = [];
    const run = async (args: string[], where: string) => {
      const r = await runCli(args, { runner: new FakeRunner(s.cluster), cwd: s.dir });
      texts.push({ where: `${where} stdout`, text: r.out }, { where: `${where} stderr`, text: r.err });
      return r;
    };
    const install = await run(s.args, 'install --json');
    expect(install.code, install.err).toBe(0);
    const secrets = readState(s.workdir).secrets as Record<string, string>;
    const common = ['--preset', 'dev', '--workdir', s.workdir];
    await run(
      [
        'install',
        '--preset',
        'dev',
        '--yes',
        '--workdir',
        s.workdir,
        '--ignore-preflight',
        'discovery.namespace-fixed',
      ],
      'install (plain)',
    );
    await run(['plan', '--preset', 'dev', '--json'], 'plan');
    const renderDir = join(s.dir, 'render');
    expect((await run(['render', '--preset', 'dev', '--out', renderDir], 'render')).code).toBe(0);
    for (const f of filesUnder(renderDir)) texts.push({ where: `render ${f}`, text: readFileSync(f, 'utf8') });
    await run(['status', ...common, '--json'], 'status');
    await run(['doctor', ...common], 'doctor');
    const logs = await run(['logs', 'openim-api', ...common], 'logs');
    // The fake workload logged its MongoDB password: the CLI must have redacted it, not dropped the line.
    expect(logs.out).toContain('password=«redacted»');
    const bundle = join(s.dir, 'support.tar.gz');
    expect((await run(['support-bundle', ...common, '-o', bundle], 'support-bundle')).code).toBe(0);
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    let members = 0;
    for await (const entry of readTarFile(bundle)) {
      if (entry.type !== 'file') continue;
      members++;
      const chunks: Buffer[] = [];
      for await (const c of entry.body()) chunks.push(c);
      texts.push({ where: `support-bundle ${entry.path}`, text: Buffer.concat(chunks).toString('utf8') });
    }
    expect(members).toBeGreaterThan(10);
    expect(texts.some((t) => t.where.includes('logs/openim-api.log') && t.text.includes('«redacted»'))).toBe(true);

    // The built CLI too, as a user runs it (progress renderer, summary, errors).
    const bin = fakeBin(s.dir);
    const child = await spawnCli(
      [
        'install',
        '--preset',
        'dev',
        '--yes',
        '--workdir',
        s.workdir,
        '--force',
        '--ignore-preflight',
        'discovery.namespace-fixed',
      ],
      { fakeBin: bin, clusterDir: s.cluster.dir, cwd: s.dir },
    ).done;
    expect(child.code, child.stderr).toBe(0);
    texts.push({ where: 'built CLI stdout', text: child.stdout }, { where: 'built CLI stderr', text: child.stderr });

    const found = texts.flatMap((t) => leaks(t.text, secrets).map((id) => `${id} in ${t.where}`));
    expect(found).toEqual([]);
    // And the scan can find them: the state holds every one.
    expect(leaks(readFileSync(join(s.workdir, 'state.json'), 'utf8'), secrets).length).toBe(
      Object.keys(secrets).length,
    );
  });
});

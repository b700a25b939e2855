// An interrupted `bundle create` (the process killed halfway) resumes: a
// re-run keeps the entries already written, continues a half-downloaded
// layer with a Range request, fetches nothing twice, and ends with a bundle
// equal in content to one made in one go. Ctrl-C (SIGINT) is an interrupt
// too: the layer download in flight is cut off, not left to finish, the
// command exits 130 and no bundle appears under the final name (issue #19).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPartial } from '../../src/bundle/resume.js';
import { runCli } from './helpers/cli.js';
import { startSlowProxy, type SlowProxy } from './helpers/slow-proxy.js';
import { mirrorFlagsFor, startWorld, type World } from './helpers/world.js';
import { tempDir } from './helpers/scratch.js';

let world: World;
let proxy: SlowProxy;

beforeAll(async () => {
  world = await startWorld();
  // 96 KiB/s: the 256 KiB shared layer takes about three seconds.
  proxy = await startSlowProxy(world.source.host, 96 * 1024);
});

afterAll(async () => {
  await proxy?.stop();
  await world?.stop();
});

/** Blob GETs in the source registry's access log since `from`: digest → statuses. */
function blobGets(log: string, from: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of log.slice(from).matchAll(/"GET \/v2\/\S+\/blobs\/(sha256:[a-f0-9]{64}) HTTP\/1\.1" (\d{3}) (\d+)/g)) {
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), `${m[2]} ${m[3]}`]);
  }
  return out;
}

describe('resume of an interrupted bundle create', () => {
  it('a killed create is continued by the same command, without fetching kept blobs again', async () => {
    const dir = tempDir('resume');
    const output = join(dir, 'resumed.tar');
    // Only the source goes through the slow proxy; the chart repository and the file server do not.
    const flags = [
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      world.contentsFile,
      '-o',
      output,
      '--concurrency',
      '2',
      ...mirrorFlagsFor(proxy.host, { [world.chart.repo]: `${world.http.url}/charts` }),
    ];
    const logStart = world.source.log().length;

    let pid = 0;
    const first = runCli(flags, { onSpawn: (p) => (pid = p) });
    // Kill it once layers are being written and the big one is half-way.
    const partial = `${output}.partial`;
    const baseTemp = join(`${output}.partial.d`, `${world.base.blob.digest.slice(7)}.part`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the first run never got half-way');
      const halfway = existsSync(baseTemp) && statSync(baseTemp).size > 64 * 1024;
      if (halfway && existsSync(partial) && (await scanPartial(partial)).entries.size >= 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(pid, 'SIGKILL');
    const killed = await first;
    expect(killed.code).toBe(null);
    expect(existsSync(output)).toBe(false);
    const kept = await scanPartial(partial);
    const keptBlobs = [...kept.entries.keys()]
      .filter((p) => p.startsWith('images/blobs/'))
      .map((p) => `sha256:${p.split('/').pop()}`);
    expect(keptBlobs.length).toBeGreaterThan(0);
    const partBytes = statSync(baseTemp).size;
    const afterFirst = world.source.log().length;

    const second = await runCli(flags);
    expect(second.stderr).toContain('resuming');
    expect(second.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['resumed.tar']);

    // Nothing kept was fetched again; the half-downloaded layer was continued with a Range request.
    const again = blobGets(world.source.log(), afterFirst);
    for (const digest of keptBlobs) expect(again.has(digest), `${digest} fetched again`).toBe(false);
    const base = again.get(world.base.blob.digest) ?? [];
    expect(base).toEqual([`206 ${world.base.blob.size - partBytes}`]);
    expect(blobGets(world.source.log(), logStart).size).toBeGreaterThan(0);

    // The result verifies and holds what a bundle made in one go holds.
    expect((await runCli(['bundle', 'verify', output])).code).toBe(0);
    const direct = join(dir, 'direct.tar');
    expect(
      (
        await runCli([
          ...flags.slice(0, flags.indexOf('-o')),
          '-o',
          direct,
          ...mirrorFlagsFor(world.source.host, { [world.chart.repo]: `${world.http.url}/charts` }),
        ])
      ).code,
    ).toBe(0);
    const sums = async (file: string) => {
      const { execFileSync } = await import('node:child_process');
      return execFileSync('tar', ['-xOf', file, 'checksums.sha256'])
        .toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('#') && !l.endsWith('manifest.json') && !l.endsWith('images/index.json'))
        .sort();
    };
    expect(await sums(output)).toEqual(await sums(direct));
  });

  it('Ctrl-C cuts off the layer download in flight, exits 130 with no bundle, and the same command resumes', async () => {
    const dir = tempDir('interrupt');
    const output = join(dir, 'interrupted.tar');
    const flags = [
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      world.contentsFile,
      '-o',
      output,
      '--concurrency',
      '2',
      ...mirrorFlagsFor(proxy.host, { [world.chart.repo]: `${world.http.url}/charts` }),
    ];
    let pid = 0;
    const first = runCli(flags, { onSpawn: (p) => (pid = p) });
    // Ctrl-C while the big shared layer is half-way through the slow proxy.
    const baseTemp = join(`${output}.partial.d`, `${world.base.blob.digest.slice(7)}.part`);
    const deadline = Date.now() + 60_000;
    while (!(existsSync(baseTemp) && statSync(baseTemp).size > 64 * 1024)) {
      if (Date.now() > deadline) throw new Error('the run never got half-way through the layer');
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(pid, 'SIGINT');
    const interrupted = await first;
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(existsSync(output)).toBe(false);
    // Cut off, not finished: the layer is still a part file, and the partial bundle does not hold it.
    expect(existsSync(baseTemp), 'the layer download went on to its end after Ctrl-C').toBe(true);
    expect(statSync(baseTemp).size).toBeLessThan(world.base.blob.size);
    expect(
      (await scanPartial(`${output}.partial`)).entries.has(`images/blobs/sha256/${world.base.blob.digest.slice(7)}`),
    ).toBe(false);
    expect(interrupted.stderr).toContain('interrupted: bundle create stopped');

    const again = await runCli(flags);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['interrupted.tar']);
    expect((await runCli(['bundle', 'verify', output])).code).toBe(0);
  });
});

// P5: bundle verify against `sha256sum` of the same bytes, bundle create
// against `tar` of the same files; M2: peak RSS of bundle verify on bundles of
// two sizes (streaming: memory must not grow with the bundle).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { peakRssKiB } from './memory.js';
import { median, type Row } from './stats.js';

const MiB = 2 ** 20;

function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(8 * MiB);
  for (let written = 0; written < bytes; written += chunk.length)
    writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, bytes - written));
  closeSync(fd);
}

function timed(argv: string[], cwd?: string): number {
  const start = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', ...(cwd ? { cwd } : {}) });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return performance.now() - start;
}

/** A bundle of `files` random files of `each` bytes, made by the real `bundle create`. */
function makeBundle(bin: string, dir: string, files: number, each: number): { bundle: string; inputs: string[] } {
  const inputs: string[] = [];
  const entries: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = join(dir, `artifact-${i}.bin`);
    randomFile(path, each);
    inputs.push(path);
    entries.push(`  - { id: artifact-${i}, name: artifact-${i}.bin, source: ${path} }`);
  }
  writeFileSync(join(dir, 'contents.yaml'), ['images: []', 'charts: []', 'files:', ...entries, ''].join('\n'));
  const bundle = join(dir, 'bundle.tar');
  rmSync(bundle, { force: true });
  timed([
    process.execPath,
    bin,
    'bundle',
    'create',
    '--preset',
    'dev',
    '--contents-from',
    join(dir, 'contents.yaml'),
    '-o',
    bundle,
  ]);
  return { bundle, inputs };
}

export function bundleBench(root: string, runs: number, quick: boolean): Row[] {
  const bin = join(root, 'bin', 'openim-deploy.js');
  const dir = mkdtempSync(join(tmpdir(), 'oid-bench-bundle-'));
  try {
    const size = quick ? 256 * MiB : 1024 * MiB;
    const { bundle, inputs } = makeBundle(bin, dir, 4, size / 4);
    const verify: number[] = [];
    const sha: number[] = [];
    const create: number[] = [];
    const tar: number[] = [];
    const tarSha: number[] = [];
    for (let i = 0; i < runs; i++) {
      sha.push(timed(['sha256sum', bundle]));
      verify.push(timed([process.execPath, bin, 'bundle', 'verify', bundle]));
      const out = join(dir, `again-${i}.tar`);
      create.push(
        timed([
          process.execPath,
          bin,
          'bundle',
          'create',
          '--preset',
          'dev',
          '--contents-from',
          join(dir, 'contents.yaml'),
          '-o',
          out,
        ]),
      );
      rmSync(out, { force: true });
      tar.push(timed(['tar', 'cf', join(dir, 'plain.tar'), ...inputs.map((p) => p.slice(dir.length + 1))], dir));
      rmSync(join(dir, 'plain.tar'), { force: true });
      // What create does beyond tar: a SHA-256 of every byte (checksums.sha256, the OCI digests).
      tarSha.push(
        timed(
          [
            'sh',
            '-c',
            'tar cf plain.tar "$@" && sha256sum "$@" >/dev/null',
            'tar-sha',
            ...inputs.map((p) => p.slice(dir.length + 1)),
          ],
          dir,
        ),
      );
      rmSync(join(dir, 'plain.tar'), { force: true });
    }
    const v = median(verify);
    const s = median(sha);
    const c = median(create);
    const t = median(tar);
    const mib = size / MiB;
    const rows: Row[] = [
      {
        id: 'P5 verify',
        title: `bundle verify of a ${mib} MiB bundle`,
        measured: `${(mib / (v / 1000)).toFixed(0)} MiB/s`,
        baseline: `sha256sum: ${(mib / (s / 1000)).toFixed(0)} MiB/s`,
        ratio: s / v,
        goal: '≥ 0.9× sha256sum throughput',
        pass: s / v >= 0.9,
      },
      {
        id: 'P5 create',
        title: `bundle create of the same ${mib} MiB (local files)`,
        measured: `${(c / 1000).toFixed(2)} s`,
        baseline: `tar cf of the same files: ${(t / 1000).toFixed(2)} s (tar cf + sha256sum of them: ${(median(tarSha) / 1000).toFixed(2)} s)`,
        ratio: c / t,
        goal: 'recorded (hashes every byte; tar does not)',
        pass: true,
      },
    ];
    // Memory: the same command on a bundle four times larger must not need more memory.
    const small = peakRssKiB([bin, 'bundle', 'verify', bundle]);
    const bigger = quick
      ? small
      : (() => {
          rmSync(bundle, { force: true });
          for (const p of inputs) rmSync(p, { force: true });
          const large = makeBundle(bin, dir, 4, size);
          return peakRssKiB([bin, 'bundle', 'verify', large.bundle]);
        })();
    rows.push({
      id: 'M2',
      title: `peak RSS: bundle verify, ${mib} MiB vs ${quick ? mib : mib * 4} MiB bundle`,
      measured: `${(bigger / 1024).toFixed(0)} MiB`,
      baseline: `${mib} MiB bundle: ${(small / 1024).toFixed(0)} MiB`,
      ratio: bigger / small,
      goal: 'flat (≤ 1.2×)',
      pass: bigger / small <= 1.2,
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

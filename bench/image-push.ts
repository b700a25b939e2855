// P6: `bundle push` of OpenIM-shaped images into a real registry on loopback
// (Debian's docker-registry, distribution 2.8), the default concurrency
// against --concurrency 1. Every push goes into a fresh, empty registry
// (started outside the timed part) and is checked afterwards: each image's tag
// must resolve to the bundled digest and each of its blobs must be there.
//
// The images: one per OpenIM module of the catalog (18: server, chat, fronts),
// `docker.io/openim/<image>:bench`, single-platform (linux/amd64), each
//   - a base layer shared by all 18 (4 MiB of random data, gzip'd; --quick: 2 MiB),
//   - its own binary layer (8 MiB of random data, gzip'd, so incompressible
//     like a stripped Go binary nearly is; --quick: 2 MiB),
//   - an OCI config and manifest.
// 148 MiB of blobs in all (--quick: 38 MiB). Real OpenIM images are an alpine
// base plus a 30-60 MiB binary; these are smaller to keep the bench short.
// The bundle is made the way a user makes one: a source registry seeded with
// skopeo, then the real `bundle create --contents-from … --pull-mirror`.
//
// Both sides run the whole CLI (start-up, bundle index, push, the tag check
// push does) with --no-verify: verifying the bundle costs the same either way.
// The CPU the CLI and the registry used is recorded too: on a small machine
// both are busy hashing and copying bytes, and cores, not waiting, bound the gain.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALL_MODULES } from '../src/catalog/modules.js';
import { mirrorTarget } from '../src/bundle/push.js';
import { runCli } from '../test/offline/helpers/cli.js';
import { buildImage, pushWithSkopeo, randomLayer, type BuiltImage } from '../test/offline/helpers/images.js';
import { startRegistry, type Registry } from '../test/offline/helpers/registry.js';
import { removeTempDirs, tempDir } from '../test/offline/helpers/scratch.js';
import { startDelayProxy } from './delay-proxy.js';
import { median, type Row } from './stats.js';

const MiB = 2 ** 20;
const REMOTE_RTT_MS = 10;
const ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json';

/**
 * CPU seconds used by this process's finished children (cutime + cstime of
 * /proc/self/stat): the CLI and the registry, once both have exited. Shows
 * whether a push is bound by the CPU of the machine rather than by waiting.
 */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / ticks;
}
const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Shape {
  baseMiB: number;
  binaryMiB: number;
}

/** The built CLI (test/offline's runner), timed; throws with its stderr when it fails. */
async function timedCli(args: string[]): Promise<number> {
  const start = performance.now();
  const r = await runCli(args, { timeoutMs: 600_000 });
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`openim-deploy ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-4000)}`);
  return ms;
}

/** Every image's tag resolves to its bundled digest and all its blobs are stored: the push happened. */
async function checkPushed(registry: Registry, images: Map<string, BuiltImage>, pushedTo: string): Promise<void> {
  for (const [ref, image] of images) {
    // Named as the CLI named it (through the proxy, if any), asked of the registry itself.
    const target = mirrorTarget(ref, pushedTo);
    const base = `http://${registry.host}/v2/${target.repository}`;
    const res = await fetch(`${base}/manifests/${target.tag}`, { method: 'HEAD', headers: { accept: ACCEPT } });
    const digest = res.headers.get('docker-content-digest');
    if (res.status !== 200 || digest !== image.root.digest)
      throw new Error(
        `P6: ${registry.host}/${target.repository}:${target.tag} is ${res.status} ${digest ?? ''}, expected ${image.root.digest}`,
      );
    // Config and layers (image.blobs also holds the manifest, checked above).
    for (const blob of image.blobs.filter((b) => b.digest !== image.root.digest)) {
      const head = await fetch(`${base}/blobs/${blob.digest}`, { method: 'HEAD' });
      if (head.status !== 200 || Number(head.headers.get('content-length')) !== blob.size)
        throw new Error(
          `P6: blob ${blob.digest} of ${ref} is missing from ${registry.host} (HEAD: ${head.status} ${head.headers.get('content-length')} bytes)`,
        );
    }
  }
}

/** `bundle push`'s default --concurrency, as its --help states it (the concurrent side runs without the flag). */
function defaultConcurrency(bin: string): string {
  const help = execFileSync(process.execPath, [bin, 'bundle', 'push', '--help'], { encoding: 'utf8' });
  const found = /--concurrency <n>[^(]*\(default:\s+"(\d+)"\)/.exec(help); // help text may wrap
  if (!found) throw new Error('P6: no default --concurrency in `bundle push --help`');
  return found[1]!;
}

export async function imagePushBench(root: string, runs: number, quick: boolean): Promise<Row[]> {
  const bin = join(root, 'bin', 'openim-deploy.js');
  const concurrency = defaultConcurrency(bin);
  const shape: Shape = quick ? { baseMiB: 2, binaryMiB: 2 } : { baseMiB: 4, binaryMiB: 8 };
  const registries: Registry[] = [];
  try {
    // Untimed: build the images, seed a source registry, make the bundle.
    const source = await startRegistry({ name: 'bench-source' });
    registries.push(source);
    const base = randomLayer('base', shape.baseMiB * MiB);
    const images = new Map<string, BuiltImage>();
    for (const module of ALL_MODULES) {
      const ref = `docker.io/openim/${module.image}:bench`;
      const image = buildImage(module.image, ['amd64'], () => [base, randomLayer(module.image, shape.binaryMiB * MiB)]);
      await pushWithSkopeo(image, `${source.host}/${ref}`);
      images.set(ref, image);
    }
    const dir = tempDir('bench-push');
    const contents = join(dir, 'contents.yaml');
    writeFileSync(contents, stringify({ images: [...images.keys()], charts: [], files: [] }));
    const bundle = join(dir, 'bundle.tar');
    await timedCli([
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      contents,
      '--pull-mirror',
      `docker.io=${source.host}/docker.io`,
      '-o',
      bundle,
    ]);
    await source.stop();
    const sizes = new Map<string, number>();
    for (const image of images.values()) for (const b of image.blobs) sizes.set(b.digest, b.size);
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);

    interface Run {
      ms: number;
      /** CPU seconds of the CLI and the registry together. */
      cpu: number;
    }
    /** One push into a fresh registry; `flags`: [] for the default concurrency. */
    const push = async (flags: string[], roundTripMs = 0): Promise<Run> => {
      const cpuBefore = childCpuSeconds();
      const target = await startRegistry({ name: 'bench-target' });
      registries.push(target);
      const proxy = roundTripMs ? await startDelayProxy(target.host, roundTripMs) : undefined;
      let ms: number;
      try {
        ms = await timedCli([
          'bundle',
          'push',
          bundle,
          '--registry',
          proxy?.host ?? target.host,
          '--plain-http',
          '--no-verify',
          ...flags,
        ]);
        await checkPushed(target, images, proxy?.host ?? target.host);
      } finally {
        await proxy?.stop();
        await target.stop();
      }
      return { ms, cpu: childCpuSeconds() - cpuBefore };
    };
    const sequential: Run[] = [];
    const concurrent: Run[] = [];
    // Alternate the order so neither side always runs on a warmer page cache.
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        sequential.push(await push(['--concurrency', '1']));
        concurrent.push(await push([]));
      } else {
        concurrent.push(await push([]));
        sequential.push(await push(['--concurrency', '1']));
      }
    }
    // The same pushes to a registry 10 ms away (a delay proxy in front of it): recorded, no goal.
    const remoteSequential: number[] = [];
    const remoteConcurrent: number[] = [];
    for (let i = 0; i < runs; i++) {
      remoteSequential.push((await push(['--concurrency', '1'], REMOTE_RTT_MS)).ms);
      remoteConcurrent.push((await push([], REMOTE_RTT_MS)).ms);
    }
    const rs = median(remoteSequential);
    const rc = median(remoteConcurrent);
    const s = median(sequential.map((r) => r.ms));
    const c = median(concurrent.map((r) => r.ms));
    const cpu = median([...sequential, ...concurrent].map((r) => r.cpu));
    const busy = (list: Run[]) => median(list.map((r) => r.cpu / (r.ms / 1000))).toFixed(1);
    const mib = (total / MiB).toFixed(0);
    return [
      {
        id: 'P6',
        title: `bundle push of ${images.size} OpenIM-shaped images (${shape.baseMiB} MiB shared base + ${shape.binaryMiB} MiB binary layer each, ${mib} MiB of blobs) to a fresh docker-registry 2.8 on loopback`,
        measured: `default --concurrency (${concurrency}): ${(c / 1000).toFixed(2)} s`,
        baseline: `--concurrency 1: ${(s / 1000).toFixed(2)} s`,
        ratio: s / c,
        goal: '≥ 2× faster than sequential',
        pass: s / c >= 2,
        note:
          `whole CLI runs (start-up, bundle index, push, tag checks; --no-verify), every image checked in the registry afterwards; ` +
          `runs: sequential ${sequential.map((r) => r.ms.toFixed(0)).join('/')} ms, concurrent ${concurrent.map((r) => r.ms.toFixed(0)).join('/')} ms; ` +
          `CPU of CLI + registry ≈ ${cpu.toFixed(2)} s per push, cores busy ≈ ${busy(sequential)} sequential, ${busy(concurrent)} concurrent, of ${availableParallelism()}`,
      },
      {
        id: 'P6 remote',
        title: `the same push to a registry ${REMOTE_RTT_MS} ms away (a delay proxy in front of the loopback registry)`,
        measured: `default --concurrency (${concurrency}): ${(rc / 1000).toFixed(2)} s`,
        baseline: `--concurrency 1: ${(rs / 1000).toFixed(2)} s`,
        ratio: rs / rc,
        goal: 'recorded (the goal row is the loopback one above)',
        pass: true,
      },
    ];
  } finally {
    await Promise.all(registries.map((r) => r.stop()));
    removeTempDirs();
  }
}

// The air-gap scenario, run by airgap.test.ts inside a network namespace that
// has only loopback (`unshare -n`): both registries, the token service and a
// stand-in chart repository run inside it. The bundle is made for a real
// config (every image, chart and file its plan needs, seeded here as small
// images under their upstream names), pushed to the "private" registry, and
// `install --bundle --dry-run` must pass, all with no route to anywhere.
// Prints one JSON report on stdout.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { formatImage } from '../../src/catalog/images.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import { configInput } from '../../src/config/command-options.js';
import { bundleContents } from '../../src/bundle/contents.js';
import { mirrorTarget } from '../../src/bundle/push.js';
import { templatesDir } from '../../src/util/package-root.js';
import { runCli } from './helpers/cli.js';
import { startFileServer } from './helpers/http-server.js';
import { buildImage, pushWithSkopeo, randomLayer } from './helpers/images.js';
import { startRegistry } from './helpers/registry.js';
import { startTokenServer } from './helpers/token-server.js';
import { ADMIN, chartTgz, mirrorFlagsFor, SEED } from './helpers/world.js';
import { writeFileSync } from 'node:fs';
import { removeTempDirs, tempDir } from './helpers/scratch.js';

// The production preset names no NFS server (#19 Medium 9): given here as an operator must.
const CONFIG = ['--preset', 'production', '--domain', 'im.example.com', '--set', NFS_SERVER_SET];
const run = promisify(execFile);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tail = (s: string) => s.trim().split('\n').slice(-15).join('\n');

const report: Record<string, unknown> = {};
// /proc/net is this process's network namespace (/sys/class/net would show the host's).
const interfaces = readFileSync('/proc/net/dev', 'utf8')
  .split('\n')
  .slice(2)
  .map((l) => l.split(':')[0]!.trim())
  .filter(Boolean);
report.interfaces = interfaces;
try {
  await fetch('https://registry-1.docker.io/v2/', { signal: AbortSignal.timeout(3000) });
  report.outbound = 'reachable';
} catch (error) {
  report.outbound = `blocked: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`;
}

const tokens = await startTokenServer({ users: { [SEED.user]: SEED.password } });
const targetTokens = await startTokenServer({ users: { [ADMIN.user]: ADMIN.password }, anonymousPull: false });
const source = await startRegistry({ token: tokens.auth, name: 'airgap-source' });
const target = await startRegistry({ token: targetTokens.auth, name: 'airgap-target' });
const http = await startFileServer();
try {
  const { spec } = resolveConfig(
    configInput({ preset: 'production', domain: 'im.example.com', set: [NFS_SERVER_SET] }, {}),
  );
  const contents = bundleContents(spec, { templatesDir: templatesDir() });
  report.needed = {
    images: contents.images.length,
    charts: contents.charts.map((c) => `${c.source}:${c.name}-${c.version}`),
    files: contents.files.map((f) => f.name),
  };

  // Seed the source with a small image under each upstream name (one base layer shared by all).
  const base = randomLayer('base', 64 * 1024);
  const registries = new Set<string>();
  for (const ref of contents.images) {
    registries.add(ref.registry);
    const image = buildImage(formatImage(ref), ['amd64'], () => [base, randomLayer(ref.repository, 2048)]);
    await pushWithSkopeo(image, `${source.host}/${formatImage(ref)}`, `${SEED.user}:${SEED.password}`);
  }
  // A stand-in repository for each upstream chart repository; files served under their own URL.
  const urls: Record<string, string> = {};
  const repos = [...new Set(contents.charts.filter((c) => c.source === 'repo').map((c) => c.repo))];
  repos.forEach((repo, i) => {
    const charts = contents.charts.filter((c) => c.repo === repo);
    const entries: Record<string, object[]> = {};
    for (const c of charts) {
      const tgz = chartTgz(c.name, c.version);
      http.files.set(`/repo${i}/${c.name}-${c.version}.tgz`, tgz);
      entries[c.name] = [{ name: c.name, version: c.version, urls: [`${c.name}-${c.version}.tgz`], digest: sha(tgz) }];
    }
    http.files.set(`/repo${i}/index.yaml`, Buffer.from(stringify({ apiVersion: 'v1', entries })));
    urls[repo] = `${http.url}/repo${i}`;
  });
  contents.files.forEach((f, i) => {
    http.files.set(`/file${i}/${f.name}`, Buffer.from(`stand-in for ${f.name}\n`));
    urls[f.source] = `${http.url}/file${i}/${f.name}`;
  });

  const dir = tempDir('airgap');
  const bundle = join(dir, 'openim-bundle.tar');
  const create = await runCli(
    ['bundle', 'create', ...CONFIG, '-o', bundle, ...mirrorFlagsFor(source.host, urls, [...registries])],
    { timeoutMs: 300_000 },
  );
  report.create = { code: create.code, stdout: create.stdout.trim(), stderr: tail(create.stderr) };
  const verify = await runCli(['bundle', 'verify', bundle]);
  report.verify = { code: verify.code, stdout: verify.stdout.trim(), stderr: tail(verify.stderr) };

  const dockerConfig = tempDir('airgap-docker');
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: { [target.host]: { auth: Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64') } },
    }),
  );
  const mirror = `${target.host}/offline`;
  const push = await runCli(['bundle', 'push', bundle, '--registry', mirror], {
    env: { DOCKER_CONFIG: dockerConfig },
    timeoutMs: 300_000,
  });
  report.push = { code: push.code, stdout: push.stdout.trim(), stderr: tail(push.stderr) };

  // Digests at the target, read with skopeo, against the bundle's manifest.
  const manifest = JSON.parse(
    (await run('tar', ['-xOf', bundle, 'manifest.json'], { maxBuffer: 64 * 1024 * 1024 })).stdout,
  ) as { images: { ref: string; digest: string }[] };
  const mismatches: string[] = [];
  for (const image of manifest.images) {
    const t = mirrorTarget(image.ref, mirror);
    const raw = (
      await run(
        'skopeo',
        [
          '--insecure-policy',
          'inspect',
          '--raw',
          '--tls-verify=false',
          '--creds',
          `${ADMIN.user}:${ADMIN.password}`,
          `docker://${t.registry}/${t.repository}:${t.tag}`,
        ],
        { encoding: 'buffer' },
      )
    ).stdout as unknown as Buffer;
    if (`sha256:${sha(raw)}` !== image.digest) mismatches.push(`${image.ref}: ${image.digest} vs sha256:${sha(raw)}`);
  }
  report.digests = { images: manifest.images.length, mismatches };

  const install = await runCli(['install', ...CONFIG, '--bundle', bundle, '--mirror', mirror, '--dry-run', '--json'], {
    env: { DOCKER_CONFIG: dockerConfig },
  });
  let plan: { steps: { actions: { kind: string; argv?: string[] }[] }[] } = { steps: [] };
  try {
    plan = JSON.parse(install.stdout) as typeof plan;
  } catch {
    // reported below through the code and stderr
  }
  report.install = {
    code: install.code,
    helmReleases: plan.steps.filter((s) => s.actions.some((a) => a.kind === 'exec' && a.argv?.includes('upgrade')))
      .length,
    // Every image the cluster will pull names the mirror, none an upstream registry.
    mentionsMirror: install.stdout.includes(mirror),
    upstreamImages: [...registries].filter(
      (r) => install.stdout.includes(`"${r}/`) || install.stdout.includes(`: ${r}/`),
    ),
    stderr: tail(install.stderr),
  };
} catch (error) {
  report.error = (error as Error).stack ?? String(error);
} finally {
  await Promise.all([source.stop(), target.stop(), tokens.stop(), targetTokens.stop(), http.stop()]);
  removeTempDirs();
}
process.stdout.write(`${JSON.stringify(report)}\n`);

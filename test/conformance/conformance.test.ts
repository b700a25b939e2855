// Conformance of the rendered OpenIM config with upstream's own (issue #15
// item 3): for every preset × target, the config files every OpenIM process
// loads (binary: the -c folders; Kubernetes: the ConfigMaps, plus the
// IMENV_/CHATENV_ variables of the helm-rendered workloads, which count as
// keys of their file) are compared with upstream's config/*.yml at the version
// the catalog names — same files, same key paths, same value types — and
// decoded strictly with upstream's own config structs. Every difference must
// be in allow-list.ts (printed first); an unused allow-list entry fails too.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT_RELEASES,
  SERVER_RELEASES,
  findChatRelease,
  findServerRelease,
} from '../../src/catalog/openim-versions.js';
import { listPresets } from '../../src/config/resolve.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import { TemplateCache } from '../helm/template-cache.js';
import { helmBinaries } from '../helpers/tools.js';
import { ALLOW_LIST, allowEntryFor, type AllowEntry } from './allow-list.js';
import { compareFile, compareFileSets, envFindings, findingId, type Finding } from './compare.js';
import { decode, type DecodeResult } from './decoder.js';
import { renderConfig, type Target } from './render.js';
import { decoderBinary, upstreamConfig, upstreamVersions, type Product } from './upstream.js';

const PRODUCTS: Product[] = ['server', 'chat'];
const TARGETS: Target[] = ['binary', 'kubernetes'];
const versions = upstreamVersions();
const cases = listPresets().flatMap((preset) => TARGETS.map((target) => ({ preset, target })));
const work = mkdtempSync(join(tmpdir(), 'openim-conformance-'));
const used = new Set<AllowEntry>();
let bin = '';
const upstream = {} as Record<Product, Record<string, string>>;
const baseline = {} as Record<Product, DecodeResult>;

beforeAll(async () => {
  bin = decoderBinary();
  for (const p of PRODUCTS) {
    upstream[p] = upstreamConfig(p, versions[p]);
    // Upstream's own files through the same strict decoder: what they leave unset is the
    // reference for "missing" (a field upstream itself never sets is not our omission).
    baseline[p] = await decode(bin, p, upstream[p]);
  }
  const lines = ALLOW_LIST.map(
    (e) =>
      `  ${e.kind} ${e.product}@${e.version} ${e.file}${e.key ? ` ${e.key}` : ''}${e.targets ? ` [${e.targets.join(',')}]` : ''}\n      ${e.reason} (${e.upstream})`,
  );
  console.log(
    `conformance allow-list (${ALLOW_LIST.length} entries, test/conformance/allow-list.ts):\n${lines.join('\n')}`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function decoderFindings(product: Product, result: DecodeResult): Finding[] {
  const out: Finding[] = [];
  for (const file of result.missingFiles)
    out.push({ kind: 'file-missing', product, file, key: '', detail: 'decoder: a process loads it' });
  for (const [file, r] of Object.entries(result.files)) {
    for (const key of r.unused) out.push({ kind: 'decode-unused', product, file, key });
    const upstreamUnset = new Set(baseline[product].files[file]?.unset ?? []);
    for (const key of r.unset.filter((k) => !upstreamUnset.has(k)))
      out.push({ kind: 'decode-unset', product, file, key });
    if (r.error && r.unused.length === 0) out.push({ kind: 'decode-error', product, file, key: '', detail: r.error });
  }
  for (const name of result.unusedEnv) out.push({ kind: 'env-unused', product, file: '(env)', key: name });
  return out;
}

describe('the catalog knows the upstream versions checked here', () => {
  it(`server ${versions.server} and chat ${versions.chat} are catalog releases`, () => {
    expect(
      findServerRelease(versions.server),
      `src/catalog/openim-versions.ts has no server ${versions.server}`,
    ).toBeDefined();
    expect(findChatRelease(versions.chat), `src/catalog/openim-versions.ts has no chat ${versions.chat}`).toBeDefined();
  });

  // A version the catalog marks buildable (the Go module proxy serves it) must be the one checked
  // here: adding one without conformance coverage (decode/go.mod) fails.
  it('every buildable catalog version is the one checked', () => {
    expect(SERVER_RELEASES.filter((r) => r.buildable).map((r) => r.version)).toEqual([versions.server]);
    expect(CHAT_RELEASES.filter((r) => r.buildable).map((r) => r.version)).toEqual([versions.chat]);
  });
});

describe(`rendered config vs upstream server ${versions.server} / chat ${versions.chat}`, () => {
  const helm = helmBinaries()[0]!; // helm 3: what most users run; the ConfigMaps do not depend on it
  const runner = new TemplateCache(new ExecaRunner());

  it.each(cases)('$preset × $target', async ({ preset, target }) => {
    const outDir = join(work, `${preset}-${target}`);
    const rendered = await renderConfig({ preset, target, versions, outDir, helm: helm.helm, runner });
    const findings: Finding[] = [...rendered.secretProblems];
    for (const p of PRODUCTS) {
      const files = rendered.files[p];
      expect(Object.keys(files).length, `${p} config files rendered`).toBeGreaterThan(0);
      findings.push(...compareFileSets(p, Object.keys(files), Object.keys(upstream[p])));
      for (const [file, text] of Object.entries(files))
        if (upstream[p][file]) findings.push(...compareFile(p, file, text, upstream[p][file]!));
      findings.push(...envFindings(p, rendered.env[p], files));
      // Any value does for env: the type check is viper's weak decoding, as in the pod.
      const env = Object.fromEntries(rendered.env[p].map((n) => [n, 'conformance-env-value']));
      findings.push(...decoderFindings(p, await decode(bin, p, files, env)));
    }
    const unexplained: string[] = [];
    for (const f of findings) {
      const entry = allowEntryFor(f, versions[f.product], target);
      if (entry) used.add(entry);
      else unexplained.push(`${findingId(f)}${f.detail ? ` (${f.detail})` : ''}`);
    }
    rmSync(outDir, { recursive: true, force: true });
    expect([...new Set(unexplained)].sort()).toEqual([]);
  });

  it('every allow-list entry still matches a difference', () => {
    const stale = ALLOW_LIST.filter((e) => !used.has(e)).map(
      (e) => `${e.kind} ${e.product}@${e.version} ${e.file} ${e.key}`,
    );
    expect(stale).toEqual([]);
  });
});

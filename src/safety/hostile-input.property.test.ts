// #19: hostile input, as properties. Every value that reaches an output
// format (secrets, paths, names, domains, mirrors) either is refused by the
// config with a ConfigError, or arrives in each file exactly as given: read
// back with that format's own reader (yaml, V8 for mongosh JavaScript, the
// redis.conf / EnvironmentFile / Properties / JAAS quoting rules, WHATWG URL).
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { buildPlan } from '../plan/build.js';
import type { WriteAction } from '../plan/types.js';
import { ENCODERS } from '../secrets/encode.js';
import { materialise, SECRET_IDS, type SecretValues } from '../secrets/secrets.js';
import { mongoUsersScript } from '../targets/binary/infrastructure.js';
import { parseUnit } from '../targets/binary/systemd-ini.js';
import { singleHost } from '../targets/binary/test-specs.js';
import { specFor, UNPROBED } from '../targets/kubernetes/test-specs.js';
import { materialiseYaml } from '../util/yaml.js';
import { NFS_SERVER_SET } from '../config/test-presets.js';

const RUNS = { numRuns: 60 };
const HOSTILE = ["'); db.dropDatabase(); ('", '"', '\\', '\\"', '$HOME', '${X}', '`id`', '%i', '%%', ' lead', 'trail ', 'a b', '#c', ';x', '\n---\nkind: x', 'é€😀', '\u2028', '--- ', '|', '*a', '&a', '!!binary', '{a: 1}', '[1]', 'true', '012', '~', 'null'];
/** What the schema lets through: no control characters (refused at validation). */
const secretArb = fc.oneof(fc.constantFrom(...HOSTILE.filter((s) => !/[\u0000-\u001f\u007f]/.test(s))), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)));
/** Any string, control characters included, for the readers that must hold them too. */
const anyArb = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 24 }));

const all = (v: string) => Object.fromEntries(SECRET_IDS.map((id) => [id, v])) as SecretValues;
const writes = (p: ReturnType<typeof buildPlan>) => p.steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));

// --- readers, each following the format's own parser --------------------------------------

/** redis sds.c sdssplitargs, inside a double-quoted argument. */
function readRedisQuoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') throw new Error('unescaped quote ends the argument early');
    if (c !== '\\') { out += c; continue; }
    const n = text[++i]!;
    if (n === 'x' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) { out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
    else out += ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\u0007' } as Record<string, string>)[n] ?? n;
  }
  return out;
}

/** systemd env-file.c, inside a double-quoted value. */
function readEnvQuoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') throw new Error('unescaped quote ends the value early');
    if (c !== '\\') { out += c; continue; }
    const n = text[++i]!;
    out += '"\\`$'.includes(n) ? n : n === '\n' ? '' : `\\${n}`;
  }
  return out;
}

/** java.util.Properties value escapes. */
function readProperties(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e));
}

/** java.io.StreamTokenizer quoted string (how JAAS ConfigFile reads option values). */
function readJaasQuoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') throw new Error('unescaped quote ends the value early');
    out += c === '\\' ? text[++i]! : c;
  }
  return out;
}

describe('hostile input: secrets in every output format', () => {
  const k8s = buildPlan(specFor('production'), UNPROBED);
  const host = buildPlan(singleHost(), { target: 'binary', probed: false });

  it('YAML (every Kubernetes manifest and host config file): the same documents, the value exact', () => {
    const yamlWrites = [...writes(k8s), ...writes(host)].filter((w) => /\.ya?ml$/.test(w.path) && w.content.includes('«secret:'));
    expect(yamlWrites.length).toBeGreaterThan(3);
    fc.assert(
      fc.property(anyArb, (value) => {
        for (const w of yamlWrites) {
          const before = parseAllDocuments(w.content).map((d) => d.toJS());
          const after = parseAllDocuments(materialiseYaml(w.content, all(value))).map((d) => d.toJS());
          expect(after.length).toBe(before.length);
          // Same shape; each placeholder became exactly the value.
          expect(JSON.stringify(after)).toBe(JSON.stringify(before).replace(/«secret:[a-zA-Z.]+»/g, () => JSON.stringify(value).slice(1, -1)));
        }
      }),
      RUNS,
    );
  });

  it('mongosh JavaScript: V8 runs the script and the users get exactly the password; nothing else runs', () => {
    const script = mongoUsersScript(singleHost());
    fc.assert(
      fc.property(anyArb, anyArb, (root, pw) => {
        const calls: unknown[][] = [];
        const database = { auth: (...a: unknown[]) => (calls.push(['auth', ...a]), { ok: 0 }), createUser: (u: unknown) => calls.push(['createUser', u]), getUser: () => null, updateUser: () => calls.push(['updateUser']) };
        const db = { getSiblingDB: () => database };
        runInNewContext(materialise(script, { 'mongodb.rootPassword': root, 'mongodb.password': pw }), { db, print: () => undefined });
        const created = calls.filter((c) => c[0] === 'createUser').map((c) => (c[1] as { pwd: string }).pwd);
        expect(created).toEqual([root, pw]);
      }),
      RUNS,
    );
  });

  it('redis.conf requirepass: read back by the sds rules, the whole line one argument', () => {
    fc.assert(
      fc.property(anyArb, (value) => {
        const line = materialise('requirepass "«secret:redis.password|redis»"', { 'redis.password': value });
        const inner = /^requirepass "(.*)"$/s.exec(line)![1]!;
        expect(readRedisQuoted(inner)).toBe(value);
      }),
      RUNS,
    );
  });

  it('systemd EnvironmentFile: read back by env-file.c rules', () => {
    const minio = writes(host).find((w) => w.path.endsWith('minio.env'));
    fc.assert(
      fc.property(secretArb, (value) => {
        const text = materialise(minio?.content ?? 'X="«secret:objectStorage.secretKey|env»"\n', all(value));
        for (const l of text.split('\n').filter((x) => x && !x.startsWith('#'))) {
          const m = /^([A-Z_]+)="(.*)"$/s.exec(l)!;
          expect(readEnvQuoted(m[2]!)).toBe(value);
        }
      }),
      RUNS,
    );
  });

  it('Kafka client properties with JAAS: read back through both layers', () => {
    fc.assert(
      fc.property(secretArb, secretArb, (user, password) => {
        const value = materialise(`x required username="${ENCODERS.properties(ENCODERS.jaas(user))}" password="«secret:kafka.password|jaas|properties»";`, { 'kafka.password': password });
        const m = /username="((?:[^"\\]|\\.)*)" password="((?:[^"\\]|\\.)*)";$/s.exec(readProperties(value))!;
        expect([readJaasQuoted(m[1]!), readJaasQuoted(m[2]!)]).toEqual([user, password]);
      }),
      RUNS,
    );
  });

  it('URIs: user and password percent-encoded, read back by the WHATWG URL parser', () => {
    fc.assert(
      fc.property(anyArb, anyArb, (user, password) => {
        const url = new URL(`mongodb://${ENCODERS.uri(user)}:${ENCODERS.uri(password)}@db.example:27017/openim`);
        expect([decodeURIComponent(url.username), decodeURIComponent(url.password), url.hostname]).toEqual([user, password, 'db.example']);
      }),
      RUNS,
    );
  });
});

/** A ConfigError (from the schema, or from planning) is a fine answer; anything else thrown is not. */
function refusedOr<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) return undefined;
    throw e;
  }
}

function tryResolve(preset: 'single-host' | 'production', sets: string[]) {
  return refusedOr(() => resolveConfig({ preset, sets: preset === 'production' ? ['openim.domain=im.example.com', NFS_SERVER_SET, ...sets] : sets }).spec);
}

describe('hostile input: paths, names, domains, mirrors', () => {
  const text = fc.oneof(fc.constantFrom('/', '/etc', '/a b', '/x%i', '/$HOME', '/"q"', '/opt/../etc', 'relative', '/ok/openim', '-n', 'a\nb', 'Bad_Name', 'xn--d1a', 'reg.io:5000/m', 'reg.io/a b'), fc.string({ maxLength: 20 }), fc.string({ maxLength: 12 }).map((s) => `/${s}`));

  it('install paths: refused, or in every unit file verbatim and one word', () => {
    fc.assert(
      fc.property(text, (path) => {
        const spec = tryResolve('single-host', [`binary.dataDir=${path}`, 'binary.mirror=http://m.example/o', `binary.artifacts.server.sha256=${'a'.repeat(64)}`, `binary.artifacts.chat.sha256=${'a'.repeat(64)}`]);
        const plan = spec && refusedOr(() => buildPlan(spec, { target: 'binary', probed: false }));
        if (!plan) return;
        for (const w of writes(plan).filter((x) => x.path.endsWith('.service'))) {
          const unit = parseUnit(w.content);
          for (const v of unit.Service?.WorkingDirectory ?? []) expect(v.split(' ')).toHaveLength(1);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('namespace, domain and image mirror: refused, or every manifest parses and holds them exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom('kubernetes.namespace', 'openim.domain', 'images.mirror'), text, (key, value) => {
        const spec = tryResolve('production', [`${key}=${value}`]);
        const plan = spec && refusedOr(() => buildPlan(spec, UNPROBED));
        if (!plan) return;
        for (const w of writes(plan).filter((x) => /\.ya?ml$/.test(x.path))) {
          const docs = parseAllDocuments(w.content);
          for (const d of docs) expect(d.errors, w.path).toEqual([]);
        }
        if (key === 'kubernetes.namespace') expect(spec.kubernetes.namespace).toBe(value);
      }),
      { numRuns: 20 },
    );
  });
});

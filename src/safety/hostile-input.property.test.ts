// #19: hostile input, as properties. Every value that reaches an output
// format (secrets, paths, names, domains, mirrors) either is refused by the
// config with a ConfigError, or arrives in each file exactly as given: read
// back with that format's own reader (yaml, V8 for mongosh JavaScript, the
// redis.conf / EnvironmentFile / Properties / JAAS quoting rules, WHATWG URL).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { buildPlan } from '../targets/build-plan.js';
import type { WriteAction } from '../plan/types.js';
import { mongoUri } from '../secrets/encode.js';
import { materialise, SECRET_IDS, type SecretValues } from '../secrets/secrets.js';
import { mongoUsersScript } from '../targets/binary/infrastructure.js';
import { parseUnit } from '../targets/binary/systemd-ini.js';
import { singleHost } from '../../test/helpers/binary-specs.js';
import { specFor, UNPROBED } from '../../test/helpers/kubernetes-specs.js';
import { materialiseYaml } from '../secrets/yaml.js';
import { NFS_SERVER_SET } from '../../test/helpers/config-presets.js';
import {
  mongoshCalls,
  readEnvFile,
  readJaasQuoted,
  readProperties,
  readRedisConf,
} from '../../test/helpers/format-readers.js';

const RUNS = { numRuns: 60 };
const HOSTILE = [
  "'); db.dropDatabase(); ('",
  '"',
  '\\',
  '\\"',
  '$HOME',
  '${X}',
  '`id`',
  '%i',
  '%%',
  ' lead',
  'trail ',
  'a b',
  '#c',
  ';x',
  '\n---\nkind: x',
  'é€😀',
  '\u2028',
  '--- ',
  '|',
  '*a',
  '&a',
  '!!binary',
  '{a: 1}',
  '[1]',
  'true',
  '012',
  '~',
  'null',
];
/** What the schema lets through: no control characters (refused at validation). */
const secretArb = fc.oneof(
  fc.constantFrom(...HOSTILE.filter((s) => !/[\u0000-\u001f\u007f]/.test(s))),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
);
/** Any string, control characters included, for the readers that must hold them too. */
const anyArb = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 24 }));

const all = (v: string) => Object.fromEntries(SECRET_IDS.map((id) => [id, v])) as SecretValues;
const writes = (p: ReturnType<typeof buildPlan>) =>
  p.steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));

describe('hostile input: secrets in every output format', () => {
  const k8s = buildPlan(specFor('production'), UNPROBED);
  const host = buildPlan(singleHost(), { target: 'binary', probed: false });

  it('YAML (every Kubernetes manifest and host config file): the same documents, the value exact', () => {
    const yamlWrites = [...writes(k8s), ...writes(host)].filter(
      (w) => /\.ya?ml$/.test(w.path) && w.content.includes('«secret:'),
    );
    expect(yamlWrites.length).toBeGreaterThan(3);
    fc.assert(
      fc.property(anyArb, (value) => {
        for (const w of yamlWrites) {
          const before = parseAllDocuments(w.content).map((d) => d.toJS());
          const after = parseAllDocuments(materialiseYaml(w.content, all(value))).map((d) => d.toJS());
          expect(after.length).toBe(before.length);
          // Same shape; each placeholder became exactly the value.
          expect(JSON.stringify(after)).toBe(
            JSON.stringify(before).replace(/«secret:[a-zA-Z.]+»/g, () => JSON.stringify(value).slice(1, -1)),
          );
        }
      }),
      RUNS,
    );
  });

  it('mongosh JavaScript: V8 runs the script and the users get exactly the password; nothing else runs', () => {
    const script = mongoUsersScript(singleHost());
    fc.assert(
      fc.property(anyArb, anyArb, (root, pw) => {
        const calls = mongoshCalls(materialise(script, { 'mongodb.rootPassword': root, 'mongodb.password': pw }));
        expect(calls.map((c) => (c as unknown[])[0])).toEqual([
          'auth',
          'createUser',
          'auth',
          'getUser',
          'createUser',
          'print',
        ]);
        const created = calls
          .filter((c) => (c as unknown[])[0] === 'createUser')
          .map((c) => ((c as unknown[])[2] as { pwd: string }).pwd);
        expect(created).toEqual([root, pw]);
      }),
      RUNS,
    );
  });

  it('redis.conf as written: read by the sds rules, the same directives, requirepass one argument holding the password', () => {
    const conf = writes(host).find((w) => w.path.endsWith('redis.conf'))!;
    const before = readRedisConf(conf.content);
    expect(before.find((d) => d[0] === 'requirepass')).toBeDefined();
    fc.assert(
      fc.property(anyArb, (value) => {
        const after = readRedisConf(materialise(conf.content, all(value)));
        expect(after.map((d) => d[0])).toEqual(before.map((d) => d[0]));
        expect(after.find((d) => d[0] === 'requirepass')).toEqual(['requirepass', value]);
      }),
      RUNS,
    );
  });

  it('systemd EnvironmentFiles as written (MinIO, Grafana): read by env-file.c rules, the same keys, each secret exact', () => {
    const envs = writes(host).filter((w) => w.path.endsWith('.env'));
    expect(envs.map((w) => w.path.split('/').pop()).sort()).toEqual(['grafana.env', 'minio.env']);
    fc.assert(
      fc.property(anyArb, (value) => {
        for (const w of envs) {
          const before = readEnvFile(w.content);
          const after = readEnvFile(materialise(w.content, all(value)));
          expect(after.map(([k]) => k)).toEqual(before.map(([k]) => k));
          before.forEach(([k, v], i) => {
            if (/«secret:/.test(v)) expect(after[i], `${w.path} ${k}`).toEqual([k, value]);
          });
        }
      }),
      RUNS,
    );
  });

  it('Kafka client properties as written (external Kafka with SASL): read as Properties, then JAAS; user and password exact, no other key', () => {
    const external = [
      'infrastructure.kafka.mode=external',
      'infrastructure.kafka.address[0]=kafka.example:9092',
      `binary.artifacts.kafka.sha256=${'a'.repeat(64)}`,
    ];
    fc.assert(
      fc.property(secretArb, anyArb, (user, password) => {
        const spec = refusedOr(
          () =>
            resolveConfig({ preset: 'single-host', sets: [...external, `infrastructure.kafka.username=${user}`] }).spec,
        );
        if (!spec) return;
        const file = writes(buildPlan(spec, { target: 'binary', probed: false })).find(
          (w) => w.path === 'kafka-client.properties',
        )!;
        const props = readProperties(materialise(file.content, { 'kafka.password': password }));
        expect(props.map(([k]) => k)).toEqual(['security.protocol', 'sasl.mechanism', 'sasl.jaas.config']);
        const jaas = props.find(([k]) => k === 'sasl.jaas.config')![1];
        const m =
          /^org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule required username="((?:[^"\\]|\\.)*)" password="((?:[^"\\]|\\.)*)";$/s.exec(
            jaas,
          );
        expect(m, jaas).not.toBeNull();
        expect([readJaasQuoted(m![1]!), readJaasQuoted(m![2]!)]).toEqual([user, password]);
      }),
      { numRuns: 30 },
    );
  });

  it("URIs (mongoUri, doctor's MongoDB login): user, password, database and authSource read back by the WHATWG URL parser", () => {
    fc.assert(
      fc.property(anyArb, anyArb, anyArb, anyArb, (username, password, database, authSource) => {
        const url = new URL(
          mongoUri({
            username,
            password,
            hosts: ['db.example:27017'],
            database,
            authSource,
            options: { directConnection: 'true' },
          }),
        );
        expect([
          decodeURIComponent(url.username),
          decodeURIComponent(url.password),
          url.host,
          decodeURIComponent(url.pathname.slice(1)),
        ]).toEqual([username, password, 'db.example:27017', database]);
        expect([...url.searchParams]).toEqual([
          ['authSource', authSource],
          ['directConnection', 'true'],
        ]);
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
  return refusedOr(
    () =>
      resolveConfig({
        preset,
        sets: preset === 'production' ? ['openim.domain=im.example.com', NFS_SERVER_SET, ...sets] : sets,
      }).spec,
  );
}

describe('hostile input: paths, names, domains, mirrors', () => {
  const text = fc.oneof(
    fc.constantFrom(
      '/',
      '/etc',
      '/a b',
      '/x%i',
      '/$HOME',
      '/"q"',
      '/opt/../etc',
      'relative',
      '/ok/openim',
      '-n',
      'a\nb',
      'Bad_Name',
      'xn--d1a',
      'reg.io:5000/m',
      'reg.io/a b',
    ),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 12 }).map((s) => `/${s}`),
  );

  it('install paths: refused, or in every unit file verbatim and one word', () => {
    fc.assert(
      fc.property(text, (path) => {
        const spec = tryResolve('single-host', [
          `binary.dataDir=${path}`,
          'binary.mirror=http://m.example/o',
          `binary.artifacts.server.sha256=${'a'.repeat(64)}`,
          `binary.artifacts.chat.sha256=${'a'.repeat(64)}`,
        ]);
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

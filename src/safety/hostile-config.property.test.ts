// #19: hostile input through the config, as properties, for every format a plan writes. A
// value given for a key (secrets, install paths, user and database names, domains, mirrors,
// buckets, namespaces) is either refused by the schema, with the key's path and a message, or
// every output reads back with its format's own reader (YAML manifests, values, ConfigMaps and
// Secrets; OpenIM config YAML; unit files and ExecStart argv; EnvironmentFiles; redis.conf;
// Kafka properties; the mongosh script run by V8; the argv of every command; the plan as JSON)
// and holds exactly what a plan made with a plain marker value holds, the marker replaced by
// the hostile value: the same files, documents, keys, lines, arguments and list lengths,
// nothing injected, nothing lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { NFS_SERVER_SET } from '../../test/helpers/config-presets.js';
import { getPath, type Plain } from '../config/paths.js';
import { ConfigError } from '../errors.js';
import { buildPlan } from '../targets/build-plan.js';
import type { Plan } from '../plan/types.js';
import { flatten, mongoshCalls, readWritten, type Flat } from '../../test/helpers/format-readers.js';

const PIN = 'a'.repeat(64);
const BASE: Record<'single-host' | 'production', string[]> = {
  'single-host': ['mongodb', 'mongosh', 'kafka', 'minio', 'grafana'].map(
    (id) => `binary.artifacts.${id}.sha256=${PIN}`,
  ),
  production: ['openim.domain=im.example.com', NFS_SERVER_SET],
};

/** Strings that end a value early in some format, or mean something in it. */
const HOSTILE = [
  "'",
  '"',
  '\\',
  '\\"',
  '$HOME',
  '${X}',
  '$$',
  '`id`',
  '%i',
  '%%',
  '%',
  ' lead',
  'trail ',
  'a b',
  '#c',
  ';x',
  'x=y',
  'a:b',
  'a@b',
  'a/b',
  'a?b',
  '\n---\nkind: ClusterRoleBinding',
  '\nExecStartPre=/bin/sh',
  '\nrequirepass x',
  '\r\n',
  '\t',
  '\u0000',
  '\u001b[31m',
  'é€😀',
  '\u2028',
  '\u00a0',
  '--- ',
  '---',
  '...',
  '|',
  '>',
  '*a',
  '&a',
  '!!binary',
  '!tag',
  '{a: 1}',
  '[1]',
  '? x',
  '- x',
  'true',
  'no',
  '012',
  '0x1f',
  '1e3',
  '~',
  'null',
  '',
  ' ',
  '-n',
  '--help',
  '..',
  '../etc',
  'x'.repeat(5000),
];
/** A marker-shaped prefix or suffix keeps the rest of the value in spots a bare hostile string never reaches (a domain, a path). */
const hostile = (shape: (s: string) => string) =>
  fc.oneof(
    // Values of the shape the schema takes, with the characters it still lets through.
    fc.string({ unit: fc.constantFrom(...'az09.-_@+%$"\' :/#é'), minLength: 1, maxLength: 12 }).map(shape),
    fc.constantFrom(...HOSTILE),
    fc.constantFrom(...HOSTILE).map(shape),
    fc.string({ unit: 'binary', maxLength: 16 }).map(shape),
    fc.string({ unit: 'grapheme', maxLength: 16 }),
  );

interface Case {
  key: string;
  preset: 'single-host' | 'production';
  /** A plain value the schema takes; the plan is compared against the plan made with it. */
  marker: string;
  values: fc.Arbitrary<string>;
  /** How the product writes an accepted value, where it normalises it (a mirror's trailing / dropped). */
  written?: (value: string) => string;
  /** Secrets: a refusal must not echo the value. */
  secret?: boolean;
  sets?: string[];
}

const S3 = [
  'infrastructure.objectStorage.provider=s3',
  'infrastructure.objectStorage.mode=external',
  'infrastructure.objectStorage.endpoint=https://s3.example.com',
  'infrastructure.objectStorage.accessKey=AKIAEXAMPLE',
  'infrastructure.objectStorage.secretKey=secretsecret',
];
const word = (s: string) => `zqv${s}`;
const domain = (s: string) => `zqv${s}.example`;
const path = (s: string) => `/srv/zqv${s}`;
const CASES: Case[] = [
  { key: 'openim.domain', preset: 'single-host', marker: 'zqvm.example', values: hostile(domain) },
  { key: 'openim.domain', preset: 'production', marker: 'zqvm.example', values: hostile(domain) },
  { key: 'kubernetes.namespace', preset: 'production', marker: 'zqvm', values: hostile(word) },
  {
    key: 'images.mirror',
    preset: 'production',
    marker: 'zqvm.example:5000/m',
    values: hostile((s) => `zqvm.example:5000/${s}`),
    written: (v) => v.replace(/\/+$/, ''),
  },
  { key: 'binary.prefix', preset: 'single-host', marker: '/srv/zqvm', values: hostile(path) },
  { key: 'binary.dataDir', preset: 'single-host', marker: '/srv/zqvm', values: hostile(path) },
  { key: 'binary.configDir', preset: 'single-host', marker: '/srv/zqvm', values: hostile(path) },
  { key: 'binary.stateDir', preset: 'single-host', marker: '/srv/zqvm', values: hostile(path) },
  { key: 'binary.user', preset: 'single-host', marker: 'zqvm', values: hostile(word) },
  { key: 'infrastructure.mongodb.username', preset: 'single-host', marker: 'zqvm', values: hostile(word) },
  { key: 'infrastructure.mongodb.database', preset: 'single-host', marker: 'zqvm', values: hostile(word) },
  { key: 'infrastructure.mongodb.username', preset: 'production', marker: 'zqvm', values: hostile(word) },
  { key: 'infrastructure.objectStorage.bucket', preset: 'single-host', marker: 'zqvm', values: hostile(word) },
  { key: 'infrastructure.objectStorage.bucket', preset: 'production', marker: 'zqvm', values: hostile(word) },
  {
    key: 'infrastructure.objectStorage.endpoint',
    preset: 'production',
    marker: 'https://zqvm.example.com',
    values: hostile((s) => `https://zqvm${s}.example.com`),
    sets: S3,
  },
  {
    key: 'infrastructure.objectStorage.externalAddress',
    preset: 'single-host',
    marker: 'https://zqvm.example/f',
    values: hostile((s) => `https://zqvm.example/${s}`),
  },
  { key: 'kubernetes.storage.nfs.path', preset: 'production', marker: '/srv/zqvm', values: hostile(path) },
  {
    key: 'kubernetes.storage.storageClass',
    preset: 'production',
    marker: 'zqvm',
    values: hostile(word),
    sets: ['kubernetes.storage.backend=existing'],
  },
  {
    key: 'kubernetes.ingress.tls.secretName',
    preset: 'production',
    marker: 'zqvm',
    values: hostile(word),
    sets: ['kubernetes.ingress.tls.mode=secret'],
  },
  // Secrets given in the config travel as «secret:id» placeholders (src/safety/hostile-input.property.test.ts reads them back in each format).
  { key: 'openim.secret', preset: 'production', marker: 'zqvmzqvmzqvm', values: hostile(word), secret: true },
  {
    key: 'infrastructure.mongodb.password',
    preset: 'single-host',
    marker: 'zqvmzqvmzqvm',
    values: hostile(word),
    secret: true,
  },
  {
    key: 'infrastructure.redis.password',
    preset: 'single-host',
    marker: 'zqvmzqvmzqvm',
    values: hostile(word),
    secret: true,
  },
  {
    key: 'infrastructure.objectStorage.secretKey',
    preset: 'production',
    marker: 'zqvmzqvmzqvm',
    values: hostile(word),
    secret: true,
  },
];

const facts = (preset: Case['preset']) =>
  preset === 'single-host'
    ? { target: 'binary' as const, probed: false }
    : { target: 'kubernetes' as const, probed: false };

/** A refusal must be a ConfigError naming the key (or a part of it) with a message; anything else thrown is a bug. */
function planOrRefusal(c: Case, value: string): { plan: Plan; read: string } | undefined {
  let spec;
  try {
    spec = resolveConfig({ preset: c.preset, sets: [...BASE[c.preset], ...(c.sets ?? []), `${c.key}=${value}`] }).spec;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const mine = e.issues.filter(
      (i) =>
        i.path === c.key ||
        i.path.startsWith(`${c.key}.`) ||
        i.path.startsWith(`${c.key}[`) ||
        i.path === `--set ${c.key}`,
    );
    expect(mine.length, `refused without naming ${c.key}: ${e.message}`).toBeGreaterThan(0);
    for (const i of mine) expect(i.message.trim().length).toBeGreaterThan(5);
    if (c.secret && value.length >= 4) expect(e.message).not.toContain(value);
    return undefined;
  }
  // What the config holds after validation: a normalisation (a mirror's trailing /) is no injection, but a secret is kept byte for byte.
  const read = String(getPath(spec as unknown as Plain, c.key.split('.')));
  if (c.secret) expect(read).toBe(value);
  try {
    return { plan: buildPlan(spec, facts(c.preset)), read };
  } catch (e) {
    // The planner may refuse what only it can judge (e.g. a domain and a version), as a ConfigError too.
    if (e instanceof ConfigError) return undefined;
    throw e;
  }
}

/** Every output of a plan as leaves: each write read by its format's reader, each exec's argv and stdin, the rest of every action. */
function outputs(plan: Plan): Flat {
  const out: Flat = new Map();
  for (const step of plan.steps) {
    step.actions.forEach((action, n) => {
      const at = `${step.id}#${n}`;
      if (action.kind === 'write') {
        out.set(`${at}.path`, action.path);
        for (const [k, v] of readWritten(action.path, action.content)) out.set(`${at}.content${k}`, v);
      } else if (action.kind === 'exec') {
        flatten(action.argv, `${at}.argv`, out);
        if (action.input !== undefined)
          flatten(
            /mongosh/.test(action.argv[0] ?? '') ? mongoshCalls(action.input) : action.input.split('\n'),
            `${at}.input`,
            out,
          );
      } else flatten(action, at, out);
    });
  }
  // The plan as JSON (plan --json, the journal): read back whole.
  expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  return out;
}

/**
 * What a hostile value's plan must hold: the marker plan with the marker replaced, in leaf
 * paths (a value may be a map key) and in every leaf that held the marker. Leaves without the
 * marker may differ (a config hash), but only in value: no leaf appears or disappears.
 */
function expectSameShape(base: Flat, got: Flat, marker: string, value: string): void {
  const swap = (s: string) => s.split(marker).join(value);
  const expectedKeys = [...base.keys()].map(swap).sort();
  const gotKeys = [...got.keys()].sort();
  if (expectedKeys.join('\n') !== gotKeys.join('\n')) {
    const missing = expectedKeys.filter((k) => !got.has(k)).slice(0, 3);
    const extra = gotKeys.filter((k) => !expectedKeys.includes(k)).slice(0, 3);
    expect({ missing, extra }, `value ${JSON.stringify(value).slice(0, 80)}`).toEqual({ missing: [], extra: [] });
  }
  for (const [k, v] of base) if (v.includes(marker)) expect(got.get(swap(k)), k).toBe(swap(v));
}

describe('hostile config values: refused with their path, or every output format holds them exactly and nothing else', () => {
  for (const c of CASES) {
    it(`${c.key} (${c.preset})`, () => {
      const marked = planOrRefusal(c, c.marker);
      expect(marked?.read, `the marker ${c.marker} must be accepted as it is`).toBe(c.marker);
      const base = outputs(marked!.plan);
      expect(
        [...base.values()].some((v) => v.includes(c.marker)) || c.secret,
        `the marker never reaches an output`,
      ).toBe(true);
      fc.assert(
        fc.property(c.values, (value) => {
          // An empty value means "the default" for every key: not a value to find in the outputs.
          fc.pre(value !== c.marker && value !== '');
          const got = planOrRefusal(c, value);
          // HOSTILE_STATS=1 prints each value and whether it was accepted: how often the round-trip branch runs.
          if (process.env.HOSTILE_STATS)
            console.log(c.key, got ? 'accepted' : 'refused', JSON.stringify(value).slice(0, 40));
          if (got) expectSameShape(base, outputs(got.plan), c.marker, c.written ? c.written(got.read) : got.read);
        }),
        { numRuns: c.preset === 'production' ? 10 : 20 },
      );
    });
  }
});

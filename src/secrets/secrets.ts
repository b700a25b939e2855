// Credentials the installer owns. Each is taken from the config when given,
// else from the state saved by an earlier run, else generated once; plans
// carry only placeholders, so no plan, log or render ever holds a value.

import { randomBytes } from 'node:crypto';
import type { DeploySpec } from '../config/schema.js';
import { applyEncodings, encodingsOf, TAGGED_REF } from './encode.js';

export const SECRET_IDS = [
  'openim.secret',
  /** Password of the chat admin console account; set through the admin API after chat starts (src/chat-admin). */
  'chat.adminPassword',
  'chat.superCode',
  /** chat-rpc-admin.yml `secret`: signs admin console tokens (upstream default chat123). */
  'chat.adminTokenSecret',
  'mongodb.rootPassword',
  'mongodb.password',
  /** Shared keyFile of the bundled MongoDB replica set (internal member authentication). */
  'mongodb.replicaSetKey',
  'redis.password',
  'kafka.password',
  'objectStorage.accessKey',
  'objectStorage.secretKey',
  'etcd.password',
  'grafana.adminPassword',
  /** infrastructure.mongodb.uri when it holds a password: never generated, kept out of plans and renders. */
  'mongodb.uri',
] as const;

/** Ids that only the user can give: nothing is generated or stored when they are left empty. */
type GivenOnlyId = 'mongodb.uri';
const GIVEN_ONLY: ReadonlySet<SecretId> = new Set<SecretId>(['mongodb.uri'] satisfies GivenOnlyId[]);

export type SecretId = (typeof SECRET_IDS)[number];
export type SecretValues = Record<Exclude<SecretId, GivenOnlyId>, string> & Partial<Record<GivenOnlyId, string>>;

/** `«secret:redis.password»`: the placeholder the executor replaces when it writes or runs. */
export function secretRef(id: SecretId): string {
  return `«secret:${id}»`;
}

/** A placeholder, with the encodings of its spot after `|` (see encode.ts). */
export const SECRET_REF_PATTERN = TAGGED_REF;

/** Values the user gave in the config, by secret id. */
export function givenSecrets(spec: DeploySpec): Partial<SecretValues> {
  const infra = spec.infrastructure;
  const given: Partial<SecretValues> = {
    'openim.secret': spec.openim.secret,
    'chat.adminPassword': spec.openim.chatAdminPassword,
    'chat.superCode': spec.openim.superCode,
    'mongodb.password': infra.mongodb.password,
    'redis.password': infra.redis.password,
    'kafka.password': infra.kafka.password,
    'objectStorage.accessKey': infra.objectStorage.accessKey,
    'objectStorage.secretKey': infra.objectStorage.secretKey,
    'etcd.password': infra.etcd.password,
    'grafana.adminPassword': spec.monitoring.grafanaAdminPassword,
    'mongodb.uri': spec.infrastructure.mongodb.uri,
  };
  return Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<SecretValues>;
}

export type RandomSource = (bytes: number) => Buffer;

/** Characters safe inside URIs, YAML and shell-free env files. */
function token(random: RandomSource, length: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = random(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < alphabet.length * Math.floor(256 / alphabet.length)) out += alphabet[b % alphabet.length];
  }
  return out.length === length ? out : token(random, length);
}

/** Digits with a non-zero first digit: YAML readers would take a leading zero for an octal or drop it. */
function digits(random: RandomSource, length: number): string {
  return Array.from(random(length), (b, i) => String(i === 0 ? 1 + (b % 9) : b % 10)).join('');
}

function generate(id: SecretId, random: RandomSource): string {
  if (id === 'chat.superCode') return digits(random, 6);
  if (id === 'objectStorage.accessKey') return token(random, 20);
  return token(random, 32);
}

/** Given > stored > generated. Returns the values and which ids were newly generated. */
export function resolveSecrets(
  spec: DeploySpec,
  stored: Partial<SecretValues>,
  random: RandomSource = randomBytes,
): { values: SecretValues; generated: SecretId[] } {
  const given = givenSecrets(spec);
  const generated: SecretId[] = [];
  const values = {} as SecretValues;
  for (const id of SECRET_IDS) {
    const value = given[id] ?? stored[id];
    if (value !== undefined) values[id] = value;
    else if (GIVEN_ONLY.has(id)) continue;
    else {
      values[id] = generate(id, random);
      generated.push(id);
    }
  }
  return { values, generated };
}

/** Replace placeholders with values; unknown ids are an error, never left silently. */
export function materialise(text: string, values: Partial<SecretValues>): string {
  return text.replace(SECRET_REF_PATTERN, (_, id: string, encodings: string) => {
    const value = values[id as SecretId];
    if (value === undefined) throw new Error(`no value for secret ${id}`);
    return applyEncodings(value, encodingsOf(encodings));
  });
}

export function hasSecretRefs(text: string): boolean {
  return new RegExp(SECRET_REF_PATTERN.source).test(text);
}

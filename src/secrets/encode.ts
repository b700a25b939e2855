// One encoder per output format. A value (a secret, or a path or name from
// the config) is written into a file only through the encoder of the spot it
// lands in, so no character of it can end the string early and become
// syntax: a `'` in a password no longer breaks the mongosh script (or runs
// code as Mongo root), a `"` no longer ends a redis.conf or EnvironmentFile
// value, an `@` or `/` no longer splits a URI.
//
// Secret placeholders carry the encodings of their spot
// (`«secret:mongodb.password|js»`); the executor applies them, in order,
// to the value it substitutes. encodeText() escapes the literal parts of a
// text and tags the placeholders in it, so a value built from both is
// encoded the same way throughout.

const ENCODINGS = ['js', 'redis', 'env', 'uri', 'jaas', 'properties'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const hex2 = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');

const ENCODERS: Record<Encoding, (value: string) => string> = {
  /**
   * Inside a double-quoted JavaScript string (mongosh scripts): JSON.stringify
   * escapes `"`, `\` and control characters; U+2028/2029 are escaped too for
   * engines older than ES2019.
   */
  js: (v) =>
    JSON.stringify(v)
      .slice(1, -1)
      .replace(/[\u2028\u2029]/g, (c) => `\\u${hex4(c)}`),
  /**
   * Inside a double-quoted redis.conf argument: redis (sds.c sdssplitargs)
   * reads `\\`, `\"` and `\xHH` there, so every other byte stands for itself.
   */
  redis: (v) => v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${hex2(c)}`),
  /**
   * Inside a double-quoted value of a systemd EnvironmentFile= (env-file.c):
   * a backslash escapes `"`, `\`, `` ` `` and `$`; nothing else is special.
   */
  env: (v) => v.replace(/[\\"`$]/g, (c) => `\\${c}`),
  /** A URI component (user, password, database): RFC 3986 percent-encoding. */
  uri: (v) => encodeURIComponent(v),
  /** Inside a double-quoted JAAS option value (Kafka sasl.jaas.config): `\` and `"` escaped. */
  jaas: (v) => v.replace(/[\\"]/g, (c) => `\\${c}`),
  /**
   * A java.util.Properties value: Kafka reads the file as ISO-8859-1, so
   * everything outside printable ASCII is a \uXXXX escape, and `\` doubles.
   */
  properties: (v) => v.replace(/\\/g, '\\\\').replace(/[^\u0020-\u007e]/g, (c) => `\\u${hex4(c)}`),
};

/** A placeholder with its encodings: `«secret:id»`, `«secret:id|js»`, `«secret:id|jaas|properties»`. */
export const TAGGED_REF = /«secret:([a-zA-Z.]+)((?:\|[a-z]+)*)»/g;

export function encodingsOf(tail: string): Encoding[] {
  const list = tail.split('|').filter(Boolean);
  for (const e of list)
    if (!(ENCODINGS as readonly string[]).includes(e)) throw new Error(`unknown secret encoding ${e}`);
  return list as Encoding[];
}

export function applyEncodings(value: string, encodings: readonly Encoding[]): string {
  return encodings.reduce((v, e) => ENCODERS[e](v), value);
}

/**
 * `text` made safe for the spot `encoding` describes: its literal parts
 * encoded now, its placeholders tagged so their values are encoded when the
 * executor substitutes them. Placeholder characters are never touched by an
 * encoder except `uri` (which has no place in a text with placeholders).
 */
export function encodeText(encoding: Encoding, text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(new RegExp(TAGGED_REF.source, 'g'))) {
    out += ENCODERS[encoding](text.slice(last, m.index));
    out += `«secret:${m[1]}${m[2]}|${encoding}»`;
    last = m.index + m[0].length;
  }
  return out + ENCODERS[encoding](text.slice(last));
}

/**
 * A mongodb:// connection string from its parts, each part through the `uri` encoder: the one
 * place such a URI is built (doctor's MongoDB login on either target). `hosts` are host:port
 * from the validated config, taken as they are.
 */
export function mongoUri(parts: {
  username: string;
  password: string;
  hosts: readonly string[];
  database: string;
  authSource: string;
  options?: Record<string, string>;
}): string {
  const query = Object.entries({ authSource: parts.authSource, ...parts.options })
    .map(([k, v]) => `${k}=${ENCODERS.uri(v)}`)
    .join('&');
  return `mongodb://${ENCODERS.uri(parts.username)}:${ENCODERS.uri(parts.password)}@${parts.hosts.join(',')}/${ENCODERS.uri(parts.database)}?${query}`;
}

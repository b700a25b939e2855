// Readers for the file formats openim-deploy writes, each following the
// format's own parser (cited per function), for the hostile-input properties:
// a value written through its encoder must read back exactly, and nothing
// else (a key, a line, an argument, a document) may appear.
import { runInNewContext } from 'node:vm';
import { parseAllDocuments } from 'yaml';
import { parseUnit } from '../../src/targets/binary/systemd-ini.js';

/** Leaf path → value. Map keys become path parts, so a value used as a key is compared too. */
export type Flat = Map<string, string>;

export function flatten(value: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (Array.isArray(value)) {
    out.set(`${prefix}#length`, String(value.length));
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, `${prefix}{${k}}`, out);
  } else out.set(prefix, typeof value === 'string' ? value : `${typeof value}:${String(value)}`);
  return out;
}

/** YAML 1.2 (the yaml package, which helm's and kubectl's sigs.k8s.io/yaml readers agree with on these files): every document. */
function readYaml(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`YAML error: ${d.errors[0]!.message}`);
    return d.toJS({ maxAliasCount: 0 });
  });
}

/** redis sds.c sdssplitargs over one line (config.c splits the file on "\n" and skips blanks and # lines first). */
function redisArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const hex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
  for (;;) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) return args;
    let cur = '';
    let inq = false;
    let insq = false;
    for (let done = false; !done;) {
      const c = line[i];
      if (inq) {
        if (c === '\\' && line[i + 1] === 'x' && hex(line[i + 2]) && hex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < line.length)
          cur +=
            ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\u0007' } as Record<string, string>)[line[++i]!] ?? line[i]!;
        else if (c === '"') {
          if (i + 1 < line.length && !/\s/.test(line[i + 1]!))
            throw new Error('closing quote must be followed by a space');
          done = true;
        } else if (c === undefined) throw new Error('unbalanced quotes');
        else cur += c;
      } else if (insq) {
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (i + 1 < line.length && !/\s/.test(line[i + 1]!))
            throw new Error('closing quote must be followed by a space');
          done = true;
        } else if (c === undefined) throw new Error('unbalanced quotes');
        else cur += c;
      } else if (c === undefined || c === ' ' || c === '\n' || c === '\r' || c === '\t') done = true;
      else if (c === '"') inq = true;
      else if (c === "'") insq = true;
      else cur += c;
      if (i < line.length) i++;
    }
    args.push(cur);
  }
}

/** redis.conf: directive lines, each split into its arguments. */
export function readRedisConf(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(redisArgs);
}

/** systemd env-file.c (parse_env_file_internal): KEY=value lines, quotes and backslash escapes, comments. */
export function readEnvFile(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[ \t\r\n]/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === '#' || text[i] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    let key = '';
    while (i < text.length && text[i] !== '=' && text[i] !== '\n') key += text[i++];
    if (text[i] !== '=') throw new Error(`env file line without '=': ${JSON.stringify(key)}`);
    i++;
    key = key.trim();
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    let value = '';
    let trailing = '';
    for (; i < text.length && text[i] !== '\n'; i++) {
      const c = text[i]!;
      if (c === '"') {
        value += trailing;
        trailing = '';
        for (i++; i < text.length && text[i] !== '"'; i++) {
          if (text[i] !== '\\') value += text[i];
          else {
            const n = text[++i]!;
            if (n === '\n') continue;
            value += '"\\`$'.includes(n) ? n : `\\${n}`;
          }
        }
        if (i >= text.length) throw new Error('unterminated double quote');
      } else if (c === "'") {
        value += trailing;
        trailing = '';
        for (i++; i < text.length && text[i] !== "'"; i++) value += text[i];
        if (i >= text.length) throw new Error('unterminated single quote');
      } else if (c === '\\') {
        value += trailing + (text[++i] === '\n' ? '' : text[i]);
        trailing = '';
      } else if (c === ' ' || c === '\t') trailing += c;
      else {
        value += trailing + c;
        trailing = '';
      }
    }
    out.push([key, value]);
  }
  return out;
}

/** java.util.Properties (load(Reader)): key=value lines, `\` escapes, \uXXXX. */
export function readProperties(text: string): [string, string][] {
  const unescape = (s: string) =>
    s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
      e.length === 5
        ? String.fromCharCode(parseInt(e.slice(1), 16))
        : (({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e),
    );
  return text
    .split('\n')
    .map((l) => l.replace(/^[ \t\f]+/, ''))
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((l) => {
      if (/(^|[^\\])(\\\\)*\\$/.test(l)) throw new Error('a continued line: the next line would join this value');
      const m = /^((?:[^\\=: \t]|\\.)*)[ \t]*[=: \t][ \t]*(.*)$/s.exec(l);
      if (!m) return [unescape(l), ''] as [string, string];
      return [unescape(m[1]!), unescape(m[2]!)] as [string, string];
    });
}

/** java.io.StreamTokenizer quoted string, as JAAS ConfigFile reads option values. */
export function readJaasQuoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') throw new Error('unescaped quote ends the value early');
    out += c === '\\' ? text[++i]! : c;
  }
  return out;
}

/**
 * systemd ExecStart= (extract_first_word with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, then
 * specifiers and variables): words split on whitespace, "…" quoted with C escapes; `%%` reads
 * `%` and `$$` reads `$`, while a specifier (`%i`) or variable (`$X`, `${X}`) reads as a token
 * `⟨%i⟩` / `⟨$X⟩`, so a value that would be expanded never reads back as itself.
 */
function execStartWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  const literal = (s: string) =>
    s.replace(
      /%(.)|%$|\$\{([^}]*)\}|\$(\$|[A-Za-z_][A-Za-z0-9_]*)|\$/g,
      (m: string, spec?: string, braced?: string, name?: string) => {
        if (spec === '%') return '%';
        if (name === '$') return '$';
        return `⟨${m}⟩`;
      },
    );
  while (i < value.length) {
    while (value[i] === ' ' || value[i] === '\t') i++;
    if (i >= value.length) break;
    let word = '';
    while (i < value.length && value[i] !== ' ' && value[i] !== '\t') {
      if (value[i] === '"') {
        for (i++; i < value.length && value[i] !== '"'; i++) {
          if (value[i] === '\\') {
            const n = value[++i]!;
            const e = ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' } as Record<string, string>)[n];
            if (e === undefined) throw new Error(`unknown escape \\${n}`);
            word += e;
          } else word += value[i];
        }
        if (i >= value.length) throw new Error('unterminated quote');
        i++;
      } else word += value[i++];
    }
    words.push(literal(word));
  }
  return words;
}

/** A unit value other than ExecStart: specifiers expanded (`%%` reads `%`, `%i` a token), nothing else. */
function unitValue(v: string): string {
  return v.replace(/%(.)|%$/g, (m: string, spec?: string) => (spec === '%' ? '%' : `⟨${m}⟩`));
}

/** A unit file: section{key}[n] → value, ExecStart*= values split into their argv. */
function readUnit(text: string): Flat {
  const out: Flat = new Map();
  for (const [section, keys] of Object.entries(parseUnit(text))) {
    for (const [key, values] of Object.entries(keys)) {
      out.set(`${section}{${key}}#length`, String(values.length));
      values.forEach((v, n) => {
        if (/^Exec/.test(key)) flatten(execStartWords(v.replace(/^[-@:+!]+/, '')), `${section}{${key}}[${n}]`, out);
        else out.set(`${section}{${key}}[${n}]`, unitValue(v));
      });
    }
  }
  return out;
}

/** mongosh script: run by V8 against a recording stand-in of `db`; the calls it makes, as data. */
export function mongoshCalls(script: string): unknown[] {
  const calls: unknown[] = [];
  const database = (name: unknown) => ({
    auth: (...a: unknown[]) => (calls.push(['auth', name, ...a]), { ok: 0 }),
    createUser: (u: unknown) => calls.push(['createUser', name, u]),
    getUser: (u: unknown) => (calls.push(['getUser', name, u]), null),
    updateUser: (...a: unknown[]) => calls.push(['updateUser', name, ...a]),
  });
  runInNewContext(script, { db: { getSiblingDB: database }, print: (...a: unknown[]) => calls.push(['print', ...a]) });
  return calls;
}

/** A file held inside another (a ConfigMap's `data: { share.yml: … }`, a values string): read by its own format too. */
function expandNested(flat: Flat): Flat {
  const out: Flat = new Map();
  for (const [k, v] of flat) {
    const name = /\{([^{}]+)\}$/.exec(k)?.[1];
    if (
      name &&
      /\.(ya?ml|json|service|env|properties)$|redis\.conf$|mongod\.conf$/.test(name) &&
      !k.endsWith('#length')
    ) {
      for (const [nk, nv] of readWritten(name, v)) out.set(`${k}${nk}`, nv);
    } else out.set(k, v);
  }
  return out;
}

/** A written file read by the reader of its format, as leaves. */
export function readWritten(path: string, content: string): Flat {
  if (/\.(ya?ml)$/.test(path) || path.endsWith('mongod.conf')) return expandNested(flatten(readYaml(content)));
  if (path.endsWith('.json')) return flatten(JSON.parse(content));
  if (/\.(service|target|socket|timer)$/.test(path)) return readUnit(content);
  if (path.endsWith('.env')) return flatten(readEnvFile(content));
  if (path.endsWith('.properties')) return flatten(readProperties(content));
  if (path.endsWith('redis.conf')) return flatten(readRedisConf(content));
  throw new Error(`no reader for ${path}`);
}

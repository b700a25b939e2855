// The few S3 calls a backup needs (list a bucket, get and put an object),
// signed with AWS Signature Version 4 (path-style URLs, which MinIO and
// every S3-compatible store accept). The project had no S3 client: verify
// uploads through the presigned URLs OpenIM hands out, which cannot read a
// whole bucket. Bodies stream from and to files; payloads are sent as
// UNSIGNED-PAYLOAD (the transport's own integrity, plus the archive's
// SHA-256 list), so a multi-gigabyte object is never held in memory. Requests go
// through the HTTP stack (src/http/): retried on network errors and busy answers
// (honouring Retry-After), an upload by reading its file again; idle timeouts.

import { createHmac } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { nodeRequestWithRetry } from '../http/node-request.js';
import type { HttpOptions } from '../http/request.js';
import { sha256Hex } from '../util/hash.js';

export interface S3Credentials {
  /** http(s)://host:port */
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

export interface S3Object {
  key: string;
  size: number;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

export function signingKey(secretKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), 'aws4_request');
}

export interface SignInput {
  method: string;
  /** Path, already encoded. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  payloadHash: string;
  /** yyyymmddThhmmssZ */
  amzDate: string;
  region: string;
  service: string;
  accessKey: string;
  secretKey: string;
}

/** The Authorization header of a SigV4 request (headers must include host and x-amz-date). */
export function authorization(input: SignInput): string {
  const date = input.amzDate.slice(0, 8);
  const names = Object.keys(input.headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(
    Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]),
  );
  const query = Object.keys(input.query)
    .sort()
    .map((k) => `${uriEncode(k)}=${uriEncode(input.query[k]!)}`)
    .join('&');
  const canonical = [
    input.method,
    input.path,
    query,
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(input.secretKey, date, input.region, input.service))
    .update(toSign, 'utf8')
    .digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

const amzDateOf = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

export class S3Client {
  constructor(
    private readonly c: S3Credentials,
    /** Retries, timeouts, TLS and the command's signal (defaults: http/retry.ts). */
    private readonly http: HttpOptions = {},
  ) {}

  private async send(
    method: string,
    bucket: string,
    key: string,
    query: Record<string, string>,
    body?: { file: string; size: number; contentType: string },
  ): Promise<IncomingMessage> {
    const base = new URL(this.c.endpoint);
    const path = `/${uriEncode(bucket)}${key ? `/${uriEncode(key, true)}` : ''}`;
    const amzDate = amzDateOf(new Date());
    const headers: Record<string, string> = {
      host: base.host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    if (body) {
      headers['content-length'] = String(body.size);
      headers['content-type'] = body.contentType;
    }
    headers.authorization = authorization({
      method,
      path,
      query,
      headers,
      payloadHash: 'UNSIGNED-PAYLOAD',
      amzDate,
      region: this.c.region || 'us-east-1',
      service: 's3',
      accessKey: this.c.accessKey,
      secretKey: this.c.secretKey,
    });
    const qs = Object.entries(query)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    // The path is sent exactly as signed; a retried upload reads its file again.
    return nodeRequestWithRetry(
      { origin: base.origin, path: qs ? `${path}?${qs}` : path },
      () => ({ method, headers, ...(body ? { body: createReadStream(body.file) } : {}) }),
      this.http,
    );
  }

  private async failIfNot2xx(res: IncomingMessage, what: string): Promise<void> {
    if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) return;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
    throw new Error(`S3 ${what}: HTTP ${res.statusCode}${code ? ` ${code}` : ''}: ${xmlText(message)}`);
  }

  async list(bucket: string, prefix = ''): Promise<S3Object[]> {
    const out: S3Object[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = {
        'list-type': '2',
        'max-keys': '1000',
        ...(prefix ? { prefix } : {}),
        ...(token ? { 'continuation-token': token } : {}),
      };
      const res = await this.send('GET', bucket, '', query);
      await this.failIfNot2xx(res, `list ${bucket}`);
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const xml = Buffer.concat(chunks).toString('utf8');
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1]!)?.[1];
        const size = /<Size>(\d+)<\/Size>/.exec(m[1]!)?.[1];
        if (key !== undefined) out.push({ key: xmlText(key), size: Number(size ?? 0) });
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? xmlText(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') || undefined
        : undefined;
    } while (token);
    return out;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const res = await this.send('HEAD', bucket, '', {});
    res.resume();
    if (res.statusCode === 404) return false;
    if ((res.statusCode ?? 0) >= 300) throw new Error(`S3 head ${bucket}: HTTP ${res.statusCode}`);
    return true;
  }

  async createBucket(bucket: string): Promise<void> {
    const res = await this.send('PUT', bucket, '', {});
    await this.failIfNot2xx(res, `create bucket ${bucket}`);
    res.resume();
  }

  /** Downloads an object into `file`; returns its content type. */
  async get(bucket: string, key: string, file: string): Promise<string> {
    const res = await this.send('GET', bucket, key, {});
    await this.failIfNot2xx(res, `get ${bucket}/${key}`);
    await pipeline(res, createWriteStream(file, { mode: 0o600 }));
    return String(res.headers['content-type'] ?? 'application/octet-stream');
  }

  async put(
    bucket: string,
    key: string,
    file: string,
    size: number,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    const res = await this.send('PUT', bucket, key, {}, { file, size, contentType });
    await this.failIfNot2xx(res, `put ${bucket}/${key}`);
    res.resume();
  }
}

/** `s3://bucket/prefix` → bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

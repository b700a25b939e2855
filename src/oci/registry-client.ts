// A client for the OCI distribution API: manifests and blobs, pulled and
// pushed, with the auth every public registry uses: anonymous or
// credentialed Bearer tokens (Docker Hub, ghcr.io, quay.io, Aliyun ACR) and
// Basic auth (private registries), credentials from docker config.json.

import { Readable } from 'node:stream';
import { UserAbort } from '../errors.js';
import { noCredentials, type Credential, type CredentialStore } from './credentials.js';
import { digestOf, isDigest } from './digest.js';
import { sendStream, type StreamedResponse } from '../http/node-request.js';
import {
  bodyStream,
  discard,
  HttpError,
  readBody,
  sendOnce,
  sendWithRetry,
  type HttpOptions,
  type SentResponse,
} from '../http/request.js';
import { ACCEPT_MANIFESTS, manifestMediaType } from './media-types.js';
import { parseChallenges, type Challenge } from './www-authenticate.js';

export interface RegistryClientOptions extends HttpOptions {
  credentials?: CredentialStore;
  /** Hosts spoken to over plain HTTP; default: loopback addresses only. */
  plainHttp?: (host: string) => boolean;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export class RegistryError extends HttpError {
  constructor(message: string, status: number, url: string) {
    super(message, status, url);
    this.name = 'RegistryError';
  }
}

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The API host behind a reference's registry name (Docker Hub answers on registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

const encodeRepo = (repo: string) => repo.split('/').map(encodeURIComponent).join('/');

interface AuthState {
  /** Authorization header value per scope key. */
  tokens: Map<string, string>;
  basic?: string;
  /** The registry's Bearer challenge, once seen: tokens for new scopes are fetched before asking. */
  bearer?: Challenge;
}

export class RegistryClient {
  private readonly auth = new Map<string, AuthState>();
  private readonly credentials: CredentialStore;
  private readonly plainHttp: (host: string) => boolean;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.credentials = options.credentials ?? noCredentials;
    this.plainHttp = options.plainHttp ?? isLoopbackHost;
  }

  baseUrl(registry: string): string {
    const host = apiHost(registry);
    return `${this.plainHttp(registry) ? 'http' : 'https'}://${host}`;
  }

  private state(registry: string): AuthState {
    let s = this.auth.get(registry);
    if (!s) this.auth.set(registry, (s = { tokens: new Map() }));
    return s;
  }

  private scopeKey(scopes: string[]): string {
    return [...scopes].sort().join(' ');
  }

  private authHeader(registry: string, scopes: string[]): string | undefined {
    const s = this.state(registry);
    return s.tokens.get(this.scopeKey(scopes)) ?? s.basic;
  }

  private credentialFor(registry: string): Credential | undefined {
    return this.credentials.get(registry);
  }

  /** Answers a 401: fetch a Bearer token (anonymous or with credentials) or use Basic credentials. */
  private async authenticate(registry: string, scopes: string[], response: Response): Promise<void> {
    const challenges = parseChallenges(response.headers.get('www-authenticate'));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const credential = this.credentialFor(registry);
    if (bearer) {
      this.state(registry).bearer = bearer;
      const token = await this.fetchToken(registry, bearer, scopes, credential);
      this.state(registry).tokens.set(this.scopeKey(scopes), `Bearer ${token}`);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!credential?.username)
        throw new RegistryError(
          `${registry} needs a login: add credentials for it to ~/.docker/config.json (docker login ${registry})`,
          401,
          response.url,
        );
      this.state(registry).basic =
        `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`;
      return;
    }
    throw new RegistryError(`${registry} answered 401 without a usable WWW-Authenticate challenge`, 401, response.url);
  }

  private async fetchToken(
    registry: string,
    challenge: Challenge,
    scopes: string[],
    credential: Credential | undefined,
  ): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError(`${registry}: Bearer challenge without a realm`, 401, '');
    const url = new URL(realm);
    const service = challenge.params.service;
    // Our scopes first: a challenge's scope names only the request that failed.
    const wanted = scopes.length ? scopes : challenge.params.scope ? [challenge.params.scope] : [];
    let sent: SentResponse;
    if (credential?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.identityToken,
        client_id: 'openim-deploy',
      });
      if (service) form.set('service', service);
      if (wanted.length) form.set('scope', wanted.join(' '));
      sent = await sendWithRetry(
        url,
        () => ({
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        }),
        this.options,
      );
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of wanted) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credential?.username)
        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`;
      sent = await sendWithRetry(url, () => ({ headers }), this.options);
    }
    if (sent.response.status !== 200) {
      await discard(sent);
      const who = credential
        ? `with the credentials for ${registry} from the docker config`
        : `anonymously (add credentials for ${registry} to ~/.docker/config.json, e.g. docker login ${registry})`;
      throw new RegistryError(
        `token service ${url.host} refused access to ${wanted.join(' ')} ${who}: HTTP ${sent.response.status}`,
        sent.response.status,
        url.toString(),
      );
    }
    const body = JSON.parse((await readBody(sent, undefined, this.options.signal)).toString('utf8')) as {
      token?: string;
      access_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token service ${url.host} answered without a token`, 200, url.toString());
    return token;
  }

  /**
   * A request to `registry` with auth. On 401 it authenticates once and
   * repeats. `retry` is false for requests whose body cannot be replayed.
   */
  async request(
    registry: string,
    scopes: string[],
    pathOrUrl: string,
    init: () => RequestInit,
    options: { retry?: boolean } = {},
  ): Promise<SentResponse> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl(registry)}${pathOrUrl}`;
    const withAuth = (): RequestInit => {
      const base = init();
      const headers = new Headers(base.headers);
      const auth = this.authHeader(registry, scopes);
      if (auth) headers.set('authorization', auth);
      return { ...base, headers, ...(base.body ? { duplex: 'half' } : {}) } as RequestInit;
    };
    const send = () =>
      options.retry === false ? sendOnce(url, withAuth(), this.options) : sendWithRetry(url, withAuth, this.options);
    const state = this.state(registry);
    if (state.bearer && !this.authHeader(registry, scopes)) {
      // A known token service: one token request instead of a 401 round trip per repository.
      state.tokens.set(
        this.scopeKey(scopes),
        `Bearer ${await this.fetchToken(registry, state.bearer, scopes, this.credentialFor(registry))}`,
      );
    }
    let sent = await send();
    if (sent.response.status === 401) {
      await discard(sent);
      await this.authenticate(registry, scopes, sent.response);
      sent = await send();
    }
    return sent;
  }

  private async fail(sent: SentResponse, what: string): Promise<never> {
    let detail = '';
    try {
      const text = (await readBody(sent, 64 * 1024, this.options.signal)).toString('utf8');
      const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      detail = (parsed.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
    } catch {
      // no JSON error body
    }
    const status = sent.response.status;
    const hint = status === 401 || status === 403 ? ' (check the credentials in ~/.docker/config.json)' : '';
    throw new RegistryError(`${what}: HTTP ${status}${detail ? ` ${detail}` : ''}${hint}`, status, sent.response.url);
  }

  static pullScope(repo: string): string {
    return `repository:${repo}:pull`;
  }

  static pushScope(repo: string): string {
    return `repository:${repo}:pull,push`;
  }

  async getManifest(
    registry: string,
    repo: string,
    reference: string,
    accept = ACCEPT_MANIFESTS,
  ): Promise<FetchedManifest> {
    const what = `manifest ${registry}/${repo}:${reference}`;
    const sent = await this.request(
      registry,
      [RegistryClient.pullScope(repo)],
      `/v2/${encodeRepo(repo)}/manifests/${reference}`,
      () => ({ headers: { accept } }),
    );
    if (sent.response.status === 404) {
      await discard(sent);
      throw new RegistryError(`${what} not found`, 404, sent.response.url);
    }
    if (sent.response.status !== 200) return this.fail(sent, `cannot fetch ${what}`);
    const bytes = await readBody(sent, 4 * 1024 * 1024, this.options.signal);
    const digest = digestOf(bytes);
    const claimed = sent.response.headers.get('docker-content-digest');
    if (isDigest(reference) && digest !== reference)
      throw new RegistryError(`${what}: content has digest ${digest}`, 200, sent.response.url);
    if (claimed && isDigest(claimed) && claimed !== digest)
      throw new RegistryError(`${what}: registry says ${claimed}, content has ${digest}`, 200, sent.response.url);
    return { bytes, digest, mediaType: manifestMediaType(bytes, sent.response.headers.get('content-type') ?? '') };
  }

  /** The digest a tag or digest points at, or undefined when absent. */
  async headManifest(
    registry: string,
    repo: string,
    reference: string,
    scopes = [RegistryClient.pullScope(repo)],
  ): Promise<string | undefined> {
    const sent = await this.request(registry, scopes, `/v2/${encodeRepo(repo)}/manifests/${reference}`, () => ({
      method: 'HEAD',
      headers: { accept: ACCEPT_MANIFESTS },
    }));
    await discard(sent);
    if (sent.response.status === 404) return undefined;
    if (sent.response.status !== 200) return this.fail(sent, `cannot check manifest ${registry}/${repo}:${reference}`);
    return sent.response.headers.get('docker-content-digest') ?? (isDigest(reference) ? reference : undefined);
  }

  async putManifest(
    registry: string,
    repo: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string> {
    const sent = await this.request(
      registry,
      [RegistryClient.pushScope(repo)],
      `/v2/${encodeRepo(repo)}/manifests/${reference}`,
      () => ({
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body: new Uint8Array(bytes),
      }),
    );
    if (sent.response.status !== 201 && sent.response.status !== 200)
      return this.fail(sent, `cannot push manifest ${registry}/${repo}:${reference}`);
    await discard(sent);
    const expected = digestOf(bytes);
    const stored = sent.response.headers.get('docker-content-digest');
    if (stored && stored !== expected)
      throw new RegistryError(
        `${registry}/${repo}:${reference} was stored as ${stored}, not ${expected}: the registry rewrote the manifest`,
        201,
        sent.response.url,
      );
    return expected;
  }

  /** A blob's bytes from `offset` on; `offset` is 0 when the registry ignored the Range request. */
  async openBlob(
    registry: string,
    repo: string,
    digest: string,
    offset = 0,
  ): Promise<{ stream: Readable; offset: number; length?: number }> {
    const sent = await this.request(
      registry,
      [RegistryClient.pullScope(repo)],
      `/v2/${encodeRepo(repo)}/blobs/${digest}`,
      () => ({
        headers: (offset > 0 ? { range: `bytes=${offset}-` } : {}) as Record<string, string>,
      }),
    );
    const status = sent.response.status;
    if (status !== 200 && status !== 206) return this.fail(sent, `cannot fetch blob ${digest} of ${registry}/${repo}`);
    const length = Number(sent.response.headers.get('content-length') ?? NaN);
    return {
      stream: bodyStream(sent, this.options),
      offset: status === 206 ? offset : 0,
      ...(Number.isFinite(length) ? { length } : {}),
    };
  }

  async blobExists(registry: string, repo: string, digest: string): Promise<boolean> {
    const sent = await this.request(
      registry,
      [RegistryClient.pushScope(repo)],
      `/v2/${encodeRepo(repo)}/blobs/${digest}`,
      () => ({ method: 'HEAD' }),
    );
    await discard(sent);
    if (sent.response.status === 200) return true;
    if (sent.response.status === 404) return false;
    return this.fail(sent, `cannot check blob ${digest} in ${registry}/${repo}`);
  }

  /**
   * Starts an upload, mounting the blob from `fromRepo` when given. Returns
   * 'mounted' when the registry linked the existing blob, else the upload URL.
   */
  async startUpload(
    registry: string,
    repo: string,
    mount?: { digest: string; fromRepo: string },
  ): Promise<'mounted' | string> {
    const scopes = [RegistryClient.pushScope(repo), ...(mount ? [RegistryClient.pullScope(mount.fromRepo)] : [])];
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.fromRepo)}` : '';
    const sent = await this.request(registry, scopes, `/v2/${encodeRepo(repo)}/blobs/uploads/${query}`, () => ({
      method: 'POST',
      headers: { 'content-length': '0' },
    }));
    await discard(sent);
    if (sent.response.status === 201 && mount) return 'mounted';
    if (sent.response.status !== 202) return this.fail(sent, `cannot start an upload to ${registry}/${repo}`);
    const location = sent.response.headers.get('location');
    if (!location) throw new RegistryError(`${registry} started an upload without a Location`, 202, sent.response.url);
    return new URL(location, this.baseUrl(registry)).toString();
  }

  /**
   * Uploads a blob through an upload URL: in one PUT (monolithic), or in
   * PATCH chunks of `chunkSize` then a closing PUT. `open(start, end)` gives
   * the bytes [start, end) of the blob; it is called once per request.
   */
  async uploadBlob(
    registry: string,
    repo: string,
    location: string,
    blob: { digest: string; size: number },
    open: (start: number, end: number) => Readable,
    chunkSize?: number,
  ): Promise<void> {
    const scopes = [RegistryClient.pushScope(repo)];
    const finish = (u: string) => {
      const target = new URL(u);
      target.searchParams.set('digest', blob.digest);
      return target.toString();
    };
    const send = async (
      url: string,
      method: string,
      headers: Record<string, string>,
      body: () => Readable,
      expect: number,
      what: string,
    ): Promise<StreamedResponse> => {
      const attempt = () => {
        const auth = this.authHeader(registry, scopes);
        return sendStream(
          url,
          { method, headers: { ...headers, ...(auth ? { authorization: auth } : {}) }, body: body() },
          this.options,
        );
      };
      let res = await attempt();
      if (res.status === 401) {
        // The token expired during a long push: get a new one and send the bytes again.
        await this.authenticate(registry, scopes, new Response(null, { status: 401, headers: res.headers }));
        res = await attempt();
      }
      if (res.status !== expect) {
        let detail = '';
        try {
          detail = ((JSON.parse(res.text) as { errors?: { code?: string; message?: string }[] }).errors ?? [])
            .map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim())
            .join('; ');
        } catch {
          // no JSON error body
        }
        throw new RegistryError(`${what}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`, res.status, url);
      }
      return res;
    };
    if (!chunkSize || blob.size <= chunkSize) {
      await send(
        finish(location),
        'PUT',
        { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
        () => open(0, blob.size),
        201,
        `upload of ${blob.digest} to ${registry}/${repo} failed`,
      );
      return;
    }
    let url = location;
    for (let start = 0; start < blob.size; start += chunkSize) {
      const end = Math.min(start + chunkSize, blob.size);
      const res = await send(
        url,
        'PATCH',
        {
          'content-type': 'application/octet-stream',
          'content-length': String(end - start),
          'content-range': `${start}-${end - 1}`,
        },
        () => open(start, end),
        202,
        `chunk ${start}-${end - 1} of ${blob.digest} to ${registry}/${repo} failed`,
      );
      const next = res.headers.get('location');
      if (next) url = new URL(next, this.baseUrl(registry)).toString();
    }
    await send(
      finish(url),
      'PUT',
      { 'content-length': '0' },
      () => Readable.from([]),
      201,
      `closing the upload of ${blob.digest} to ${registry}/${repo} failed`,
    );
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  checkAborted(): void {
    if (this.options.signal?.aborted) throw new UserAbort();
  }
}

// The checks of `openim-deploy verify`, in the order a client meets the
// system. Routes and fields are read from open-im-server internal/api/router.go@v3.8.3
// and chat internal/api/{chat,admin}/start.go@v1.8.4 (cited per call below).
// Each check runs only when the checks it builds on passed; a check that could
// not run is reported `not-run` with the reason, never passed.

import { createHash, randomBytes } from 'node:crypto';
import { ApiCallError, callApi, joinUrl, operationID } from './api.js';
import { failureKind } from './classify.js';
import { readCaFiles, registryTls } from '../http/tls.js';
import { connectGateway, GatewayError, gatewayUrl, type GatewayConnection } from './gateway.js';
import type { CheckId, CheckResult, VerifyCredentials, VerifyEndpoints } from './types.js';
import { sleep } from '../util/sleep.js';

export interface VerifyOptions {
  endpoints: VerifyEndpoints;
  credentials: VerifyCredentials;
  /** chat and admin checks apply (chat installed). */
  chat: boolean;
  /** Why chat cannot be checked, when it is installed but unreachable from here. */
  chatNotApplicable?: string;
  /**
   * chat's allowRegister (default true). Closed, anyone's /account/register is refused ("register user is
   * disabled", chat internal/rpc/chat/login.go@v1.8.4:227), so the throw-away account is added by the admin.
   */
  openRegistration?: boolean;
  signal?: AbortSignal;
  /** Per HTTP request. */
  requestTimeoutMs?: number;
  /** How long the push frame and the stored message may take (FerretDB pulls were seen to take ~57 s). */
  deliveryTimeoutMs?: number;
  /** Called as each check finishes (progress). */
  onCheck?: (result: CheckResult) => void;
}

/** Web (5): the platform a browser client uses; iOS (1) for the other user (openimsdk/protocol constant/constant.go). */
const PLATFORM = { ios: 1, web: 5 } as const;
/** sdkws session and content types (openimsdk/protocol constant/constant.go): single chat, text. */
const SINGLE_CHAT = 1;
const TEXT = 101;

export const THROWAWAY_NICKNAME = 'openim-deploy verify (throw-away)';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const TITLES: Record<CheckId, string> = {
  'admin-token': 'admin token (POST /auth/get_admin_token)',
  'user-register': 'register two throw-away users (POST /user/user_register)',
  'user-token': 'user tokens (POST /auth/get_user_token)',
  'websocket-connect': 'WebSocket of user B to msggateway (101 + connect answer)',
  'send-msg': 'message from user A to user B (POST /msg/send_msg)',
  'push-frame': "push frame 2001 with that message on user B's WebSocket",
  'message-stored': 'message retrievable (POST /msg/newest_seq + /msg/pull_msg_by_seq)',
  'object-upload': 'object upload, presigned form (/object/initiate_form_data → MinIO → /object/complete_form_data)',
  'object-download': 'object download through the object storage external address',
  'chat-register':
    'chat account register (chat-api POST /account/register, verify code = superCode; admin-api POST /account/add_user when registration is closed)',
  'chat-login': 'chat account login (chat-api POST /account/login)',
  'admin-login': 'admin console login (admin-api POST /account/login)',
  cleanup: 'throw-away users logged out and marked',
};

interface Context {
  adminToken: string;
  userA: string;
  userB: string;
  tokenA: string;
  tokenB: string;
  gateway?: GatewayConnection;
  sent?: { serverMsgID: string; clientMsgID: string; text: string };
  upload?: { url: string; bytes: Buffer; name: string };
  chatUserID?: string;
  chatAccount?: { email: string; password: string };
  chatAdminToken?: string;
}

export async function runVerify(options: VerifyOptions): Promise<CheckResult[]> {
  const { endpoints: ep, credentials: cred } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 90_000;
  // The CA of the proxy's internal certificate (endpoints.caFile), read now: the install writes it just before.
  const caPems = ep.caFile ? await readCaFiles([ep.caFile]) : [];
  const tls = caPems.length ? await registryTls({ caPems }) : undefined;
  const fetchFn: typeof fetch = tls?.fetch ?? fetch;
  const call = { timeoutMs: requestTimeoutMs, fetch: fetchFn, ...(options.signal ? { signal: options.signal } : {}) };
  const fetchOrExplain = (url: string, init: RequestInit) => fetchExplained(fetchFn, url, init);
  const results = new Map<CheckId, CheckResult>();
  const run_ = randomBytes(4).toString('hex');
  const ctx: Context = { adminToken: '', userA: `verify${run_}a`, userB: `verify${run_}b`, tokenA: '', tokenB: '' };

  const record = (r: CheckResult) => {
    results.set(r.id, r);
    options.onCheck?.(r);
  };
  const skip = (id: CheckId, status: 'not-applicable' | 'not-run', detail: string) =>
    record({ id, title: TITLES[id], status, ms: 0, detail });

  async function check(id: CheckId, needs: CheckId[], fn: () => Promise<string>): Promise<void> {
    const blocked = needs.filter((n) => results.get(n)?.status !== 'passed');
    if (blocked.length) {
      const why = blocked.map((b) => `${b} ${results.get(b)?.status ?? 'not-run'}`).join(', ');
      return skip(id, 'not-run', `not run: needs ${why}`);
    }
    const start = performance.now();
    try {
      options.signal?.throwIfAborted();
      const detail = await fn();
      record({ id, title: TITLES[id], status: 'passed', ms: Math.round(performance.now() - start), detail });
    } catch (e) {
      const ms = Math.round(performance.now() - start);
      if (options.signal?.aborted) throw e;
      if (e instanceof ApiCallError) {
        record({
          id,
          title: TITLES[id],
          status: 'failed',
          ms,
          detail: `${e.call}: ${e.message}`,
          kind: failureKind(e.errCode, e.errMsg, e.errDlt),
          call: e.call,
          ...(e.errCode !== undefined ? { errCode: e.errCode, errMsg: e.errMsg ?? '', errDlt: e.errDlt ?? '' } : {}),
        });
      } else if (e instanceof GatewayError) {
        record({
          id,
          title: TITLES[id],
          status: 'failed',
          ms,
          detail: e.message,
          kind: failureKind(e.errCode, e.errMsg),
          ...(e.errCode !== undefined ? { errCode: e.errCode, errMsg: e.errMsg ?? '' } : {}),
        });
      } else {
        record({ id, title: TITLES[id], status: 'failed', ms, detail: (e as Error).message, kind: 'failure' });
      }
    }
  }

  try {
    // open-im-server internal/api/router.go@v3.8.3:199; share.yml secret + imAdminUserID.
    await check('admin-token', [], async () => {
      const r = await callApi<{ token?: string }>(
        ep.api,
        '/auth/get_admin_token',
        { secret: cred.secret, userID: cred.imAdminUserID },
        call,
      );
      if (!r.data.token) throw new Error('errCode 0 but no token in the answer');
      ctx.adminToken = r.data.token;
      return `token for ${cred.imAdminUserID}`;
    });

    // router.go@v3.8.3:109. 3.8 has no user delete route (router.go:108-131): users are marked in nickname and ex.
    await check('user-register', ['admin-token'], async () => {
      const ex = JSON.stringify({ openimDeployVerify: true, at: new Date().toISOString() });
      await callApi(
        ep.api,
        '/user/user_register',
        { users: [ctx.userA, ctx.userB].map((userID) => ({ userID, nickname: THROWAWAY_NICKNAME, faceURL: '', ex })) },
        { ...call, token: ctx.adminToken },
      );
      return `registered ${ctx.userA} and ${ctx.userB}`;
    });

    // router.go@v3.8.3:200 (needs the admin token: not on the whitelist, router.go:306).
    await check('user-token', ['user-register'], async () => {
      const a = await callApi<{ token?: string }>(
        ep.api,
        '/auth/get_user_token',
        { platformID: PLATFORM.ios, userID: ctx.userA },
        { ...call, token: ctx.adminToken },
      );
      const b = await callApi<{ token?: string }>(
        ep.api,
        '/auth/get_user_token',
        { platformID: PLATFORM.web, userID: ctx.userB },
        { ...call, token: ctx.adminToken },
      );
      if (!a.data.token || !b.data.token) throw new Error('errCode 0 but no token in the answer');
      ctx.tokenA = a.data.token;
      ctx.tokenB = b.data.token;
      return `tokens for ${ctx.userA} (iOS) and ${ctx.userB} (web)`;
    });

    await check('websocket-connect', ['user-token'], async () => {
      ctx.gateway = await connectGateway(
        gatewayUrl(ep.ws, ctx.userB, ctx.tokenB, PLATFORM.web, operationID()),
        requestTimeoutMs,
        caPems.length ? { ca: tls!.tlsFor(new URL(ep.ws).host).ca } : {},
      );
      // The gateway registers the connection after answering (ws_server.go@v3.8.3:477-482):
      // wait until the API reports user B online, so the push has somewhere to go.
      const online = await waitOnline(ep.api, ctx.adminToken, ctx.userB, call, 10_000);
      return `HTTP ${ctx.gateway.status}, connect answer errCode 0${online ? ', user online' : ', online status not reported within 10 s'}`;
    });

    // router.go@v3.8.3:236, pkg/apistruct/manage.go@v3.8.3:22-68: only an app manager (admin token) may send.
    await check('send-msg', ['user-token'], async () => {
      const text = `openim-deploy verify ${run_}`;
      const r = await callApi<{ serverMsgID?: string; clientMsgID?: string }>(
        ep.api,
        '/msg/send_msg',
        {
          sendID: ctx.userA,
          recvID: ctx.userB,
          senderPlatformID: PLATFORM.ios,
          content: { content: text },
          contentType: TEXT,
          sessionType: SINGLE_CHAT,
          isOnlineOnly: false,
          notOfflinePush: true,
        },
        { ...call, token: ctx.adminToken },
      );
      if (!r.data.serverMsgID && !r.data.clientMsgID) throw new Error('errCode 0 but no message id in the answer');
      ctx.sent = { serverMsgID: r.data.serverMsgID ?? '', clientMsgID: r.data.clientMsgID ?? '', text };
      return `serverMsgID ${ctx.sent.serverMsgID}`;
    });

    await check('push-frame', ['websocket-connect', 'send-msg'], async () => {
      const sent = ctx.sent!;
      const m = await ctx.gateway!.waitForPush(
        (p) =>
          (sent.clientMsgID !== '' && p.clientMsgID === sent.clientMsgID) ||
          (sent.serverMsgID !== '' && p.serverMsgID === sent.serverMsgID),
        deliveryTimeoutMs,
      );
      if (!m.content.includes(sent.text))
        throw new Error(
          `pushed message ${m.clientMsgID} does not carry the text sent (content ${m.content.slice(0, 80)})`,
        );
      return `2001 frame in ${m.conversationID}, seq ${m.seq}, from ${m.sendID}`;
    });

    // router.go@v3.8.3:234,238; sdkws.proto@v0.0.72-alpha.70:151-182 (GetMaxSeq, PullMessageBySeqs).
    await check('message-stored', ['send-msg'], async () => {
      const sent = ctx.sent!;
      const deadline = Date.now() + deliveryTimeoutMs;
      let last = 'no conversation of user B has a message yet';
      for (;;) {
        const seqs = await callApi<{ maxSeqs?: Record<string, number> }>(
          ep.api,
          '/msg/newest_seq',
          { userID: ctx.userB },
          { ...call, token: ctx.tokenB },
        );
        for (const [conversationID, seq] of Object.entries(seqs.data.maxSeqs ?? {})) {
          if (!conversationID.includes(ctx.userA) || !seq) continue;
          const pulled = await callApi<{
            msgs?: Record<string, { Msgs?: { serverMsgID?: string; clientMsgID?: string; seq?: number }[] }>;
          }>(
            ep.api,
            '/msg/pull_msg_by_seq',
            { userID: ctx.userB, seqRanges: [{ conversationID, begin: 1, end: seq, num: seq }], order: 0 },
            { ...call, token: ctx.tokenB, timeoutMs: Math.max(requestTimeoutMs, 60_000) },
          );
          const found = (pulled.data.msgs?.[conversationID]?.Msgs ?? []).find(
            (m) =>
              (sent.serverMsgID && m.serverMsgID === sent.serverMsgID) ||
              (sent.clientMsgID && m.clientMsgID === sent.clientMsgID),
          );
          if (found) return `pulled from ${conversationID} at seq ${found.seq ?? seq}`;
          last = `${conversationID} has seq ${seq} but not the message sent`;
        }
        if (Date.now() > deadline) throw new Error(`${last} after ${Math.round(deliveryTimeoutMs / 1000)} s`);
        await sleep(2000, options.signal);
      }
    });

    if (ep.objectStorageNotApplicable) {
      skip('object-upload', 'not-applicable', ep.objectStorageNotApplicable);
      skip('object-download', 'not-applicable', ep.objectStorageNotApplicable);
    } else {
      // router.go@v3.8.3:226-227, internal/rpc/third/s3.go@v3.8.3:184-281; a user's object names start with `<userID>/` (tool.go:57).
      await check('object-upload', ['user-token'], async () => {
        const bytes = Buffer.from(`openim-deploy verify ${run_} ${randomBytes(16).toString('hex')}\n`);
        const name = `${ctx.userA}/openim-deploy-verify-${run_}.txt`;
        const init = await callApi<{
          id?: string;
          url?: string;
          file?: string;
          formData?: Record<string, string>;
          successCodes?: number[];
        }>(
          ep.api,
          '/object/initiate_form_data',
          { name, size: bytes.length, contentType: 'text/plain' },
          { ...call, token: ctx.tokenA },
        );
        const d = init.data;
        if (!d.id || !d.url) throw new Error('errCode 0 but no upload id or URL in the answer');
        if (!sameOrigin(d.url, ep.objectStorage))
          throw new Error(
            `presigned upload URL ${originOf(d.url)} is not the object storage external address ${originOf(ep.objectStorage)}: clients would upload somewhere else (minio.yml externalAddress)`,
          );
        const form = new FormData();
        for (const [k, v] of Object.entries(d.formData ?? {})) form.append(k, v);
        form.append(d.file || 'file', new Blob([bytes], { type: 'text/plain' }), 'verify.txt');
        const posted = await fetchOrExplain(d.url, {
          method: 'POST',
          body: form,
          signal: timeoutSignal(requestTimeoutMs, options.signal),
        });
        const ok = d.successCodes?.length ? d.successCodes.includes(posted.status) : posted.status < 300;
        if (!ok)
          throw new Error(
            `object storage answered HTTP ${posted.status} to the presigned form upload: ${(await posted.text()).slice(0, 200)}`,
          );
        const done = await callApi<{ url?: string }>(
          ep.api,
          '/object/complete_form_data',
          { id: d.id },
          { ...call, token: ctx.tokenA },
        );
        if (!done.data.url) throw new Error('errCode 0 but no object URL in the answer');
        ctx.upload = { url: done.data.url, bytes, name };
        return `${bytes.length} bytes uploaded to ${originOf(d.url)}; object URL ${done.data.url}`;
      });

      // GET /object/<name> redirects to a presigned URL (router.go@v3.8.3:228, third.go:122-158).
      await check('object-download', ['object-upload'], async () => {
        const up = ctx.upload!;
        // The URL complete_form_data returns is built from the request's host (third.go@v3.8.3:58-79), which
        // may be an address only the server sees; the API path itself is the one we reached.
        const objectUrl = joinUrl(ep.api, `/object/${up.name.split('/').map(encodeURIComponent).join('/')}`);
        const redirect = await fetchOrExplain(objectUrl, {
          redirect: 'manual',
          signal: timeoutSignal(requestTimeoutMs, options.signal),
        });
        const location = redirect.headers.get('location');
        if (redirect.status !== 302 || !location)
          throw new Error(
            `GET ${objectUrl}: HTTP ${redirect.status} instead of a redirect: ${(await redirect.text()).slice(0, 200)}`,
          );
        if (!sameOrigin(location, ep.objectStorage))
          throw new Error(
            `download redirects to ${originOf(location)}, not the object storage external address ${originOf(ep.objectStorage)}`,
          );
        const got = await fetchOrExplain(location, { signal: timeoutSignal(requestTimeoutMs, options.signal) });
        const body = Buffer.from(await got.arrayBuffer());
        if (got.status !== 200) throw new Error(`object storage answered HTTP ${got.status} to the presigned download`);
        if (!body.equals(up.bytes))
          throw new Error(`downloaded ${body.length} bytes differ from the ${up.bytes.length} uploaded`);
        return `${body.length} identical bytes from ${originOf(location)}`;
      });
    }

    if (!options.chat || options.chatNotApplicable) {
      const why = options.chatNotApplicable ?? 'chat is not installed (openim.components.chat false)';
      for (const id of ['chat-register', 'chat-login', 'admin-login'] as const) skip(id, 'not-applicable', why);
    } else {
      const account = { email: `verify-${run_}@openim-deploy.example`, password: md5(randomBytes(12).toString('hex')) };
      const user = { nickname: THROWAWAY_NICKNAME, email: account.email, password: account.password };
      // chat internal/api/admin/start.go@v1.8.4:124, internal/rpc/admin/admin.go:175 (password compared as md5 hex).
      const adminLogin = async () => {
        if (!cred.chatAdminPassword) {
          skip(
            'admin-login',
            'not-applicable',
            'no chat.adminPassword in the install state (the install sets it through admin-api): is chat installed with this config (same -c/--preset, --workdir)?',
          );
          return;
        }
        await check('admin-login', [], async () => {
          const r = await callApi<{ adminToken?: string }>(
            ep.admin,
            '/account/login',
            { account: cred.chatAdminAccount, password: md5(cred.chatAdminPassword) },
            call,
          );
          if (!r.data.adminToken) throw new Error('errCode 0 but no admin token in the answer');
          ctx.chatAdminToken = r.data.adminToken;
          return `admin token for ${cred.chatAdminAccount}`;
        });
      };
      if (options.openRegistration ?? true) {
        // chat internal/api/chat/start.go@v1.8.4:131 and chat.go:79; pkg/protocol/chat/chat.go:112 (email or phone, platform 1-10).
        await check('chat-register', [], async () => {
          const r = await callApi<{ userID?: string }>(
            ep.chat,
            '/account/register',
            { verifyCode: cred.superCode, platform: PLATFORM.ios, autoLogin: false, user },
            call,
          );
          if (!r.data.userID) throw new Error('errCode 0 but no userID in the answer');
          ctx.chatUserID = r.data.userID;
          ctx.chatAccount = account;
          return `registered ${account.email} as ${r.data.userID}`;
        });
      } else {
        // Registration closed (openim.allowRegister false): the admin adds the account, as an operator would
        // (admin-api /account/add_user, internal/api/admin/admin.go@v1.8.4:139; it answers no userID).
        await adminLogin();
        await check('chat-register', ['admin-login'], async () => {
          await callApi(ep.admin, '/account/add_user', { user }, { ...call, token: ctx.chatAdminToken! });
          ctx.chatAccount = account;
          return `added ${account.email} through admin-api (open registration is off)`;
        });
      }
      // start.go@v1.8.4:132, chat.go:159: answers a chat token and an IM token.
      await check('chat-login', ['chat-register'], async () => {
        const a = ctx.chatAccount!;
        const r = await callApi<{ chatToken?: string; imToken?: string; userID?: string }>(
          ep.chat,
          '/account/login',
          { email: a.email, password: a.password, platform: PLATFORM.ios },
          call,
        );
        if (!r.data.chatToken || !r.data.imToken) throw new Error('errCode 0 but no chat or IM token in the answer');
        ctx.chatUserID ??= r.data.userID;
        return `chat and IM tokens for ${r.data.userID ?? ctx.chatUserID}`;
      });
      if (options.openRegistration ?? true) await adminLogin();
    }
  } finally {
    ctx.gateway?.close();
  }

  // Users cannot be deleted through the 3.8 API: log them out and leave them marked.
  const made = [
    ...(results.get('user-register')?.status === 'passed'
      ? [
          { userID: ctx.userA, platformID: PLATFORM.ios },
          { userID: ctx.userB, platformID: PLATFORM.web },
        ]
      : []),
    ...(ctx.chatUserID ? [{ userID: ctx.chatUserID, platformID: PLATFORM.ios }] : []),
  ];
  if (made.length === 0) skip('cleanup', 'not-applicable', 'no throw-away user was created');
  else {
    await check('cleanup', ['admin-token'], async () => {
      for (const u of made) await callApi(ep.api, '/auth/force_logout', u, { ...call, token: ctx.adminToken });
      return `${made.map((u) => u.userID).join(', ')} logged out; kept, marked nickname "${THROWAWAY_NICKNAME}" (OpenIM 3.8 has no user delete API)`;
    });
  }
  return [...results.values()];
}

async function waitOnline(
  api: string,
  adminToken: string,
  userID: string,
  call: { timeoutMs: number; signal?: AbortSignal },
  withinMs: number,
): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    // internal/api/user.go@v3.8.3:73: data is a list of {userID, status} (status 1 = online).
    const r = await callApi<{ userID?: string; status?: number }[]>(
      api,
      '/user/get_users_online_status',
      { userIDs: [userID] },
      { ...call, token: adminToken },
    ).catch(() => undefined);
    if (Array.isArray(r?.data) && r.data.some((s) => s.userID === userID && s.status === 1)) return true;
    await sleep(500, call.signal);
  }
  return false;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function sameOrigin(a: string, b: string): boolean {
  return originOf(a) === originOf(b);
}

function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}

async function fetchExplained(fetchFn: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
}

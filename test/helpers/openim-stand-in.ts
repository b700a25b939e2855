// A STAND-IN for OpenIM (server API, msggateway, MinIO, chat-api, admin-api)
// on one loopback port, for the verify client's unit tests only. It speaks
// the same wire formats the client reads from upstream (routes, JSON fields,
// the JSON-encoded push frame with a protobuf PushMessages inside), so the
// client logic is tested; whether real OpenIM answers so is proven by
// h-harness running `verify` against the real thing (npm run test:openim).

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface StandInOptions {
  secret: string;
  superCode: string;
  adminPassword: string;
  /** Route → errCode/errMsg/errDlt to answer instead (e.g. a FerretDB gap). */
  fail?: Record<string, { errCode: number; errMsg: string; errDlt?: string }>;
  /** Push frames are not sent. */
  noPush?: boolean;
  /** initiate_form_data answers an upload URL on another origin. */
  wrongUploadOrigin?: boolean;
  /** chat allowRegister false: /account/register refuses everyone; the admin adds accounts (admin-api /account/add_user). */
  closedRegistration?: boolean;
}

export interface StandIn {
  base: string;
  server: Server;
  calls: string[];
  users: Map<string, { nickname: string; ex: string }>;
  loggedOut: string[];
  close(): Promise<void>;
}

// --- protobuf encoding (only what a push frame needs) ---
const varint = (n: number | bigint): Buffer => {
  let v = BigInt(n);
  const out: number[] = [];
  while (v > 127n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
};
const bytesField = (no: number, b: Buffer | string) => {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return Buffer.concat([varint((no << 3) | 2), varint(buf.length), buf]);
};
const intField = (no: number, v: number) => Buffer.concat([varint(no << 3), varint(v)]);

interface StoredMsg {
  sendID: string;
  recvID: string;
  clientMsgID: string;
  serverMsgID: string;
  content: string;
  seq: number;
  conversationID: string;
}

function encodePush(m: StoredMsg): Buffer {
  const msgData = Buffer.concat([
    bytesField(1, m.sendID),
    bytesField(2, m.recvID),
    bytesField(4, m.clientMsgID),
    bytesField(5, m.serverMsgID),
    intField(9, 1),
    intField(11, 101),
    bytesField(12, m.content),
    intField(14, m.seq),
  ]);
  const pullMsgs = bytesField(1, msgData);
  const entry = Buffer.concat([bytesField(1, m.conversationID), bytesField(2, pullMsgs)]);
  return bytesField(1, entry);
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const calls: string[] = [];
  const users = new Map<string, { nickname: string; ex: string }>();
  const tokens = new Map<string, { userID: string; platformID: number }>();
  const sockets = new Map<string, WebSocket>();
  const messages: StoredMsg[] = [];
  const objects = new Map<string, Buffer>();
  const chatAccounts = new Map<string, { password: string; userID: string }>();
  const loggedOut: string[] = [];
  let seq = 0;
  let base = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, data: unknown = {}) => json(res, 200, { errCode: 0, errMsg: '', errDlt: '', data });
  const err = (res: ServerResponse, errCode: number, errMsg: string, errDlt = '') =>
    json(res, 200, { errCode, errMsg, errDlt });
  const read = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });

  const server = createServer(
    (req, res) =>
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const path = url.pathname;
        calls.push(`${req.method} ${path}`);
        if (req.method === 'POST' && path === '/minio/openim') {
          // A MinIO-like form POST: fields, then the file; key from the form.
          const raw = (await read(req)).toString('latin1');
          const key = /name="key"\r\n\r\n([^\r]*)/.exec(raw)?.[1] ?? '';
          const file = /name="file"; filename="[^"]*"\r\nContent-Type: [^\r]*\r\n\r\n([\s\S]*?)\r\n--/.exec(raw)?.[1];
          if (!key || file === undefined) return json(res, 400, { error: 'bad form' });
          objects.set(key, Buffer.from(file, 'latin1'));
          res.writeHead(200);
          return res.end();
        }
        if (req.method === 'GET' && path.startsWith('/minio/openim/')) {
          const body = objects.get(decodeURIComponent(path.slice('/minio/openim/'.length)));
          if (!body) {
            res.writeHead(404);
            return res.end();
          }
          res.writeHead(200);
          return res.end(body);
        }
        if (req.method === 'GET' && path.startsWith('/api/object/')) {
          const name = decodeURIComponent(path.slice('/api/object/'.length));
          res.writeHead(302, { location: `${base}/minio/openim/${encodeURIComponent(`direct/${name}`)}` });
          return res.end();
        }
        if (req.method !== 'POST') {
          res.writeHead(404);
          return res.end();
        }
        if (!req.headers.operationid) return err(res, 1001, 'ArgsError', 'header must have operationID');
        const body = JSON.parse((await read(req)).toString() || '{}') as Record<string, any>;
        const failure = options.fail?.[path];
        if (failure) return err(res, failure.errCode, failure.errMsg, failure.errDlt);
        const token = String(req.headers.token ?? '');
        const who = tokens.get(token);
        const isAdmin = who?.userID === 'imAdmin';
        switch (path) {
          case '/api/auth/get_admin_token':
            if (body.secret !== options.secret) return err(res, 1002, 'NoPermissionError', 'secret invalid');
            tokens.set('admin-token', { userID: 'imAdmin', platformID: 10 });
            return ok(res, { token: 'admin-token', expireTimeSeconds: 3600 });
          case '/api/user/user_register':
            if (!isAdmin) return err(res, 1002, 'NoPermissionError');
            for (const u of body.users) users.set(u.userID, { nickname: u.nickname, ex: u.ex });
            return ok(res);
          case '/api/auth/get_user_token': {
            if (!isAdmin) return err(res, 1002, 'NoPermissionError');
            if (!users.has(body.userID)) return err(res, 1004, 'RecordNotFoundError');
            const t = `user-${body.userID}-${body.platformID}`;
            tokens.set(t, { userID: body.userID, platformID: body.platformID });
            return ok(res, { token: t });
          }
          case '/api/user/get_users_online_status':
            return ok(
              res,
              body.userIDs.map((u: string) => ({ userID: u, status: sockets.has(u) ? 1 : 0 })),
            );
          case '/api/msg/send_msg': {
            if (!isAdmin) return err(res, 1002, 'NoPermissionError', 'only app manager can send message');
            const conversationID = `si_${[body.sendID, body.recvID].sort().join('_')}`;
            const m: StoredMsg = {
              sendID: body.sendID,
              recvID: body.recvID,
              clientMsgID: `c${++seq}`,
              serverMsgID: `s${seq}`,
              content: JSON.stringify(body.content),
              seq,
              conversationID,
            };
            messages.push(m);
            const s = sockets.get(body.recvID);
            if (s && !options.noPush)
              s.send(
                JSON.stringify({
                  reqIdentifier: 2001,
                  msgIncr: '',
                  operationID: 'x',
                  errCode: 0,
                  errMsg: '',
                  data: encodePush(m).toString('base64'),
                }),
                { binary: true },
              );
            return ok(res, { serverMsgID: m.serverMsgID, clientMsgID: m.clientMsgID, sendTime: Date.now() });
          }
          case '/api/msg/newest_seq': {
            if (who?.userID !== body.userID) return err(res, 1002, 'NoPermissionError');
            const mine = messages.filter((m) => m.recvID === body.userID || m.sendID === body.userID);
            return ok(res, { maxSeqs: Object.fromEntries(mine.map((m) => [m.conversationID, m.seq])) });
          }
          case '/api/msg/pull_msg_by_seq': {
            const r = body.seqRanges[0];
            const found = messages.filter(
              (m) => m.conversationID === r.conversationID && m.seq >= r.begin && m.seq <= r.end,
            );
            return ok(res, {
              msgs: {
                [r.conversationID]: {
                  Msgs: found.map((m) => ({ serverMsgID: m.serverMsgID, clientMsgID: m.clientMsgID, seq: m.seq })),
                  isEnd: true,
                },
              },
            });
          }
          case '/api/object/initiate_form_data': {
            if (!who || !String(body.name).startsWith(`${who.userID}/`))
              return err(res, 1002, 'NoPermissionError', 'name must start with userID/');
            const key = `direct/${body.name}`;
            const id = Buffer.from(JSON.stringify({ name: body.name, key })).toString('base64');
            const origin = options.wrongUploadOrigin ? 'http://127.0.0.1:1' : base;
            return ok(res, {
              id,
              url: `${origin}/minio/openim`,
              file: 'file',
              formData: { key, policy: 'p', 'x-amz-signature': 'sig' },
              successCodes: [200],
            });
          }
          case '/api/object/complete_form_data': {
            const mate = JSON.parse(Buffer.from(body.id, 'base64').toString()) as { name: string; key: string };
            if (!objects.has(mate.key)) return err(res, 1004, 'RecordNotFoundError', 'object not uploaded');
            return ok(res, { url: `http://internal-host/object/${mate.name}` });
          }
          case '/api/auth/force_logout':
            if (!isAdmin) return err(res, 1002, 'NoPermissionError');
            loggedOut.push(body.userID);
            return ok(res);
          case '/chat/account/register': {
            // chat internal/rpc/chat/login.go@v1.8.4:227.
            if (options.closedRegistration) return err(res, 1002, 'NoPermissionError', 'register user is disabled');
            if (body.verifyCode !== options.superCode) return err(res, 20003, 'VerifyCodeNotMatch');
            const userID = `chat${chatAccounts.size + 1}`;
            chatAccounts.set(body.user.email, { password: body.user.password, userID });
            users.set(userID, { nickname: body.user.nickname, ex: '' });
            return ok(res, { userID, chatToken: 'chat-token' });
          }
          case '/chat/account/login': {
            const a = chatAccounts.get(body.email);
            if (!a || a.password !== body.password) return err(res, 20001, 'PasswordError');
            return ok(res, { chatToken: 'chat-token', imToken: 'im-token', userID: a.userID });
          }
          case '/admin/account/add_user': {
            // internal/api/admin/admin.go@v1.8.4:139: admin token required, no userID in the answer.
            if (token !== 'admin-console-token') return err(res, 1501, 'TokenInvalidError');
            const userID = `chat${chatAccounts.size + 1}`;
            chatAccounts.set(body.user.email, { password: body.user.password, userID });
            users.set(userID, { nickname: body.user.nickname, ex: '' });
            return ok(res);
          }
          case '/admin/account/login':
            if (
              body.account !== 'chatAdmin' ||
              body.password !== createHash('md5').update(options.adminPassword).digest('hex')
            )
              return err(res, 20001, 'PasswordError');
            return ok(res, { adminToken: 'admin-console-token', adminUserID: 'imAdmin' });
          default:
            return json(res, 404, { error: `no route ${path}` });
        }
      })(),
  );

  // msggateway: the connect answer as a text frame (isMsgResp), then pushes.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/gw') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const userID = url.searchParams.get('sendID') ?? '';
      const t = tokens.get(url.searchParams.get('token') ?? '');
      if (!t || t.userID !== userID || String(t.platformID) !== url.searchParams.get('platformID')) {
        ws.send(JSON.stringify({ errCode: 1501, errMsg: 'TokenInvalidError', errDlt: '' }));
        return ws.close();
      }
      ws.send(JSON.stringify({ errCode: 0, errMsg: '', errDlt: '' }));
      sockets.set(userID, ws);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    server,
    calls,
    users,
    loggedOut,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of wss.clients) s.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

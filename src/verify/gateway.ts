// A user's WebSocket to msggateway, as an SDK opens it
// (open-im-server internal/msggateway/context.go@v3.8.3:188 ParseEssentialArgs):
// `?sendID=&token=&platformID=&operationID=` plus `isMsgResp=true`, so the
// gateway answers the connect itself in a text frame `{errCode, errMsg}` after
// the 101 (ws_server.go:436-474) instead of failing the HTTP request silently,
// and `sdkType=js`, so frames are JSON (client.go:99-108, encoder.go) rather
// than Go gob. A push is a frame `{reqIdentifier: 2001, data: <base64
// sdkws.PushMessages>}` (constant.go:51 WSPushMsg, client.go:306).

import WebSocket from 'ws';
import { decodePushMessages, type PushedMessage } from './protobuf.js';
import { DeployError, EXIT } from '../errors.js';

const WS_PUSH_MSG = 2001;

export class GatewayError extends DeployError {
  readonly code = 'VERIFY_CALL_FAILED';
  readonly exitStatus = EXIT.failed;
  constructor(
    message: string,
    readonly httpStatus?: number,
    readonly errCode?: number,
    readonly errMsg?: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export interface GatewayConnection {
  /** HTTP status of the upgrade (101). */
  status: number;
  /** Resolves with the first pushed message matching `match`, or rejects after timeoutMs. */
  waitForPush(match: (m: PushedMessage) => boolean, timeoutMs: number): Promise<PushedMessage>;
  /** Every frame seen so far, by reqIdentifier (for the report when the expected one does not come). */
  seen(): number[];
  close(): void;
}

interface Frame {
  reqIdentifier?: number;
  errCode?: number;
  errMsg?: string;
  data?: string;
}

export function gatewayUrl(
  base: string,
  userID: string,
  token: string,
  platformID: number,
  operationID: string,
): string {
  const url = new URL(base);
  url.searchParams.set('sendID', userID);
  url.searchParams.set('token', token);
  url.searchParams.set('platformID', String(platformID));
  url.searchParams.set('operationID', operationID);
  url.searchParams.set('isMsgResp', 'true');
  url.searchParams.set('sdkType', 'js');
  return url.toString();
}

/** Connects and waits for the gateway's connect answer; rejects with what the gateway said. */
export function connectGateway(
  url: string,
  timeoutMs: number,
  tls: { ca?: string[] } = {},
): Promise<GatewayConnection> {
  return new Promise((resolve, reject) => {
    // `ca` (wss through the proxy's internal CA): the system's roots plus that CA.
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, ...(tls.ca ? { ca: tls.ca } : {}) });
    let status = 0;
    let settled = false;
    const frames: Frame[] = [];
    const seen: number[] = [];
    const waiters = new Set<(f: Frame) => void>();
    const fail = (e: GatewayError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      reject(e);
    };
    const timer = setTimeout(
      () =>
        fail(
          new GatewayError(
            status
              ? `HTTP ${status} but no connect answer within ${timeoutMs} ms`
              : `no upgrade within ${timeoutMs} ms`,
            status || undefined,
          ),
        ),
      timeoutMs,
    );
    socket.on('upgrade', (response) => {
      status = response.statusCode ?? 0;
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        fail(
          new GatewayError(
            `HTTP ${response.statusCode} instead of 101: ${body.slice(0, 200).trim()}`,
            response.statusCode,
          ),
        ),
      );
    });
    socket.on('error', (e) => fail(new GatewayError(e.message, status || undefined)));
    socket.on('message', (raw, isBinary) => {
      let frame: Frame;
      try {
        frame = JSON.parse(
          (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer)).toString('utf8'),
        ) as Frame;
      } catch {
        seen.push(-1);
        return;
      }
      if (!settled) {
        // The connect answer (text frame, isMsgResp): apiresp.ParseError → {errCode, errMsg, errDlt}.
        settled = true;
        clearTimeout(timer);
        if (!isBinary && frame.errCode === 0) {
          resolve(connection);
          return;
        }
        socket.terminate();
        reject(
          new GatewayError(
            `the gateway refused the connection: errCode ${frame.errCode} ${frame.errMsg ?? ''}`.trim(),
            status,
            frame.errCode,
            frame.errMsg,
          ),
        );
        return;
      }
      seen.push(frame.reqIdentifier ?? 0);
      frames.push(frame);
      for (const w of waiters) w(frame);
    });
    socket.on('close', () => {
      if (!settled) fail(new GatewayError(`closed before the connect answer (HTTP ${status})`, status || undefined));
    });

    const connection: GatewayConnection = {
      get status() {
        return status;
      },
      seen: () => [...seen],
      close: () => socket.close(),
      waitForPush(match, waitMs) {
        const find = (f: Frame): PushedMessage | undefined => {
          if (f.reqIdentifier !== WS_PUSH_MSG || !f.data) return undefined;
          return decodePushMessages(Buffer.from(f.data, 'base64')).find(match);
        };
        for (const f of frames) {
          const hit = find(f);
          if (hit) return Promise.resolve(hit);
        }
        return new Promise((res, rej) => {
          const onFrame = (f: Frame) => {
            const hit = find(f);
            if (!hit) return;
            waiters.delete(onFrame);
            clearTimeout(t);
            res(hit);
          };
          const t = setTimeout(() => {
            waiters.delete(onFrame);
            rej(
              new GatewayError(
                `no push frame for the message within ${waitMs} ms (frames seen: ${seen.length ? seen.join(', ') : 'none'})`,
              ),
            );
          }, waitMs);
          waiters.add(onFrame);
        });
      },
    };
  });
}

// A stand-in for chat's admin-api, for tests only (no chat runs in the fast
// suite). It models the upstream behaviour the password step relies on,
// read at chat v1.8.4-patch.5: accounts seeded with hex(md5(account))
// (internal/rpc/admin/start.go:82), /account/login comparing the sent string
// (internal/rpc/admin/admin.go:175, errCode 20001/20002 from pkg/eerrs/predefine.go:20),
// /account/change_password checking currentPassword (admin.go:55) behind the admin
// token (internal/api/admin/start.go:127), operationID required on POST.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface AdminStandIn {
  url: string;
  port: number;
  /** account → stored password string (md5 hex as the console sends it). */
  stored: Map<string, string>;
  calls: string[];
  /** Answer errCode 500 ("unknown service", as while admin-rpc starts) to this many calls first. */
  notReadyFor: number;
  close(): Promise<void>;
}

export async function startAdminStandIn(accounts: string[] = ['chatAdmin'], userID = 'imAdmin'): Promise<AdminStandIn> {
  const stored = new Map(accounts.map((a) => [a, md5(a)]));
  const tokens = new Map<string, string>();
  const calls: string[] = [];
  const state = { notReadyFor: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const answer = (errCode: number, errMsg = '', data: unknown = undefined) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errCode, errMsg, errDlt: '', ...(data === undefined ? {} : { data }) }));
      };
      calls.push(req.url ?? '');
      if (!req.headers['operationid']) return answer(1001, 'ArgsError', undefined);
      if (state.notReadyFor > 0) {
        state.notReadyFor--;
        return answer(500, 'ServerInternalError: unknown service openim.admin.admin');
      }
      const json = JSON.parse(body || '{}') as Record<string, string>;
      if (req.url === '/account/login') {
        const pw = stored.get(json.account ?? '');
        if (pw === undefined) return answer(20002, 'AccountNotFound');
        if (pw !== json.password) return answer(20001, 'PasswordError');
        const token = randomBytes(8).toString('hex');
        tokens.set(token, json.account!);
        return answer(0, '', { adminAccount: json.account, adminToken: token, adminUserID: userID });
      }
      if (req.url === '/account/change_password') {
        const account = tokens.get(String(req.headers['token'] ?? ''));
        if (!account) return answer(1501, 'TokenInvalidError');
        if (json.userID !== userID) return answer(1004, 'RecordNotFoundError');
        // Upstream looks the admin up by user_id; every seeded account shares it, the stand-in has one.
        const target = [...stored.keys()][0]!;
        if (stored.get(target) !== json.currentPassword) return answer(500, 'ServerInternalError: password error');
        stored.set(target, json.newPassword ?? '');
        return answer(0);
      }
      res.statusCode = 404;
      res.end('404 page not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stored,
    calls,
    get notReadyFor() {
      return state.notReadyFor;
    },
    set notReadyFor(n: number) {
      state.notReadyFor = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

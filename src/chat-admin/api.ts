// The two admin-api calls the password step needs. Chat answers every call
// with `{errCode, errMsg, errDlt, data}` (openimsdk/tools apiresp) and
// requires an `operationID` header on POST (openimsdk/tools mw GinParseOperationID).

import { randomBytes } from 'node:crypto';
import { DeployError, EXIT } from '../errors.js';

export interface AdminAnswer {
  errCode: number;
  errMsg: string;
  data: Record<string, unknown>;
}

/** admin-api did not give an OpenIM answer at all (not up yet, wrong address). */
export class AdminUnreachable extends DeployError {
  readonly code = 'CHAT_ADMIN_UNREACHABLE';
  readonly exitStatus = EXIT.failed;
  override name = 'AdminUnreachable';
}

export async function adminPost(
  base: string,
  path: string,
  body: unknown,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<AdminAnswer> {
  const url = `${base.replace(/\/+$/, '')}${path}`;
  const timeout = AbortSignal.timeout(10_000);
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        operationID: `openim-deploy-${randomBytes(6).toString('hex')}`,
        ...(token ? { token } : {}),
      },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    status = response.status;
    text = await response.text();
  } catch (e) {
    if (signal?.aborted) throw e;
    const cause = (e as { cause?: { code?: string } }).cause;
    throw new AdminUnreachable(`${url}: ${cause?.code ?? (e as Error).message}`);
  }
  let parsed: Partial<AdminAnswer> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<AdminAnswer>;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed?.errCode !== 'number') throw new AdminUnreachable(`${url}: HTTP ${status}, not an OpenIM answer`);
  return { errCode: parsed.errCode, errMsg: parsed.errMsg ?? '', data: (parsed.data ?? {}) as Record<string, unknown> };
}

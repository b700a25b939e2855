// OpenIM's HTTP API as the checks use it: POST JSON with an `operationID`
// header (and `token` after login); every answer is
// `{errCode, errMsg, errDlt, data}` (openimsdk/tools apiresp/resp.go@v0.0.50-alpha.63:25),
// success when errCode is 0. A failure keeps those fields so the report can show them.

import { randomBytes } from 'node:crypto';
import { DeployError, EXIT } from '../errors.js';

export interface ApiAnswer<T = Record<string, unknown>> {
  errCode: number;
  errMsg: string;
  errDlt: string;
  data: T;
}

/** A call that did not answer errCode 0 (or no OpenIM answer at all). */
export class ApiCallError extends DeployError {
  readonly code = 'VERIFY_CALL_FAILED';
  readonly exitStatus = EXIT.failed;
  constructor(
    readonly call: string,
    message: string,
    readonly errCode?: number,
    readonly errMsg?: string,
    readonly errDlt?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export const operationID = (): string => `openim-deploy-verify-${randomBytes(6).toString('hex')}`;

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export interface CallOptions {
  token?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** fetch to use (one that trusts an extra CA); default: the global one. */
  fetch?: typeof fetch;
}

export async function callApi<T = Record<string, unknown>>(
  base: string,
  path: string,
  body: unknown,
  options: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const call = `POST ${path}`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(joinUrl(base, path), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        operationID: operationID(),
        ...(options.token ? { token: options.token } : {}),
      },
      body: JSON.stringify(body),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ApiCallError(call, `${joinUrl(base, path)}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await response.text();
  let parsed: Partial<ApiAnswer<T>> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<ApiAnswer<T>>;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed.errCode !== 'number') {
    throw new ApiCallError(
      call,
      `HTTP ${response.status} from ${joinUrl(base, path)}, not an OpenIM answer: ${text.slice(0, 200).trim() || '(empty body)'}`,
    );
  }
  const answer: ApiAnswer<T> = {
    errCode: parsed.errCode,
    errMsg: parsed.errMsg ?? '',
    errDlt: parsed.errDlt ?? '',
    data: (parsed.data ?? {}) as T,
  };
  if (answer.errCode !== 0) {
    throw new ApiCallError(
      call,
      `errCode ${answer.errCode} ${answer.errMsg}${answer.errDlt ? ` (${answer.errDlt.slice(0, 300)})` : ''}`.trim(),
      answer.errCode,
      answer.errMsg,
      answer.errDlt,
    );
  }
  return answer;
}

// What `openim-deploy verify` reports. A check is `passed` only when it ran
// and its expectation held; one that could not run says why (`not-applicable`
// for a check that does not apply to this install, `not-run` when a check it
// depends on failed). OpenIM's own error fields are kept per check so a caller
// can tell a test-database gap from a real failure.

type CheckStatus = 'passed' | 'failed' | 'not-applicable' | 'not-run';

/**
 * `test-database-gap`: OpenIM answered errCode 500 with a database error of the
 * kind MongoDB-compatible test servers (FerretDB) raise for what they do not
 * implement (aggregation-pipeline updates, some operators). Never counted as passed.
 */
export type FailureKind = 'test-database-gap' | 'failure';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** Wall time of the check in milliseconds (0 for one that did not run). */
  ms: number;
  /** What was seen (passed), what went wrong (failed) or why it did not run. */
  detail: string;
  /** Set on failures. */
  kind?: FailureKind;
  /** OpenIM's answer when the failure came from an API call. */
  errCode?: number;
  errMsg?: string;
  errDlt?: string;
  /** The call that failed, e.g. `POST /msg/send_msg`. */
  call?: string;
}

/** The checks verify runs, in order. */
export type CheckId =
  | 'admin-token'
  | 'user-register'
  | 'user-token'
  | 'websocket-connect'
  | 'send-msg'
  | 'push-frame'
  | 'message-stored'
  | 'object-upload'
  | 'object-download'
  | 'chat-register'
  | 'chat-login'
  | 'admin-login'
  | 'cleanup';

export interface VerifyReport {
  target: 'kubernetes' | 'binary' | 'direct';
  at: string;
  /** The addresses checked (never a credential). */
  endpoints: VerifyEndpoints;
  checks: CheckResult[];
  /** Every applicable check passed (not-applicable checks do not count against it; failed and not-run do). */
  passed: boolean;
  totalMs: number;
}

/** Where the installed system answers, as a client reaches it. */
export interface VerifyEndpoints {
  /** OpenIM API base, e.g. http://127.0.0.1:10002 or https://im.example.com/api. */
  api: string;
  /** msggateway WebSocket, e.g. ws://127.0.0.1:10001 or wss://im.example.com/msg_gateway. */
  ws: string;
  /** chat-api base; empty: chat is not installed. */
  chat: string;
  /** admin-api base; empty: chat is not installed. */
  admin: string;
  /** minio.yml externalAddress: where presigned upload and download URLs must point. */
  objectStorage: string;
  /** PEM file of a CA to trust besides the system's for these https/wss addresses (the proxy's internal CA). */
  caFile?: string;
  /** Why object storage cannot be checked (another provider than MinIO…), when it cannot. */
  objectStorageNotApplicable?: string;
}

/** Secrets the checks need; read from the install state, never printed. */
export interface VerifyCredentials {
  /** share.yml secret (get_admin_token). */
  secret: string;
  /** share.yml imAdminUserID. */
  imAdminUserID: string;
  /** chat verifyCode.superCode: the verification code chat accepts without SMS or mail. */
  superCode: string;
  chatAdminAccount: string;
  /** Plain text (the install state's chat.adminPassword); admin-api expects its md5 hex (chat internal/rpc/admin/admin.go@v1.8.4:175). Empty: not known. */
  chatAdminPassword: string;
}

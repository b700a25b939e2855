// Telling a test-database gap from a real failure. OpenIM answers errCode 500
// (ServerInternalError) and puts the database's error text in errMsg/errDlt.
// FerretDB v1.24.2, the MongoDB-compatible server the real-OpenIM suite runs
// on, rejects what it does not implement with texts like these:
//   internal/handler/common/update.go@v1.24.2:1060 "Unknown modifier: … pipeline-style update specified as an array"
//   internal/handler/common/aggregations/operators/operators.go@v1.24.2:128 "The operator … is not implemented yet"
//   handlererrors ErrNotImplemented, "… is not supported here"
// MongoDB itself never answers a valid OpenIM query so; a match is reported
// as `test-database-gap`, still failed, never passed.

import type { FailureKind } from './types.js';

const GAP_PATTERNS = [
  /pipeline-style update/i,
  /is not implemented/i,
  /NotImplemented/,
  /not supported/i,
  /Unknown modifier/i,
  /Unrecognized (expression|pipeline stage)/i,
];

/** OpenIM's internal-error code (openimsdk/tools errs/predefine.go@v0.0.50-alpha.63:19 ServerInternalError). */
const SERVER_INTERNAL_ERROR = 500;

export function failureKind(errCode: number | undefined, errMsg = '', errDlt = ''): FailureKind {
  if (errCode !== SERVER_INTERNAL_ERROR) return 'failure';
  const text = `${errMsg}\n${errDlt}`;
  return GAP_PATTERNS.some((p) => p.test(text)) ? 'test-database-gap' : 'failure';
}

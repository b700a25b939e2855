// For tests: crafts headers our writer never writes (unknown type flags, v7
// headers, base-256 numbers, lying size fields) from ones it does.

import { BLOCK, checksum } from '../../src/tar/format.js';

/** Overwrites bytes of the header block at byte `header` of `tar` (at field offset `at`) and fixes its checksum. */
export function patchHeader(tar: Buffer, header: number, at: number, bytes: Buffer | string): Buffer {
  const out = Buffer.from(tar);
  (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).copy(out, header + at);
  const sum = checksum(out.subarray(header, header + BLOCK));
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'ascii');
  return out;
}

import { describe, expect, it } from 'vitest';
import { Scrubber } from './scrub.js';

describe('Scrubber', () => {
  const scrubber = new Scrubber(['s3cr3t-Value']);
  it('removes known values in plain, base64 and URI-encoded form', () => {
    const b64 = Buffer.from('s3cr3t-Value').toString('base64');
    expect(scrubber.scrub(`a s3cr3t-Value b ${b64} c ${encodeURIComponent('s3cr3t-Value')}`)).toBe(
      'a «redacted» b «redacted» c «redacted»',
    );
  });
  it('removes unknown credentials by shape: assignments and URI passwords', () => {
    const text =
      'password: hunter2\n"secretKey": "AKIAxyz"\nIMENV_REDIS_PASSWORD=abc123\nmongodb://openIM:pw0rd@host:27017/db\nenable: true\nsecret: «secret:openim.secret»';
    const out = scrubber.scrub(text);
    for (const leak of ['hunter2', 'AKIAxyz', 'abc123', 'pw0rd']) expect(out).not.toContain(leak);
    expect(out).toContain('mongodb://openIM:«redacted»@host:27017/db');
    expect(out).toContain('enable: true');
    expect(out).toContain('«secret:openim.secret»');
  });
});

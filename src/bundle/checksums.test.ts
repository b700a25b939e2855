import { execFileSync } from 'node:child_process';
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../util/hash.js';
import { formatChecksums, parseChecksums } from './checksums.js';

const made: string[] = [];
const scratch = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('checksums.sha256', () => {
  const sums = new Map([
    ['b.txt', sha256Hex('b')],
    ['a.txt', sha256Hex('a')],
  ]);

  it('round-trips, sorted, and sha256sum -c accepts it as is', () => {
    const data = formatChecksums(sums);
    const parsed = parseChecksums(data);
    expect(parsed.damage).toBeUndefined();
    expect([...parsed.sums.keys()]).toEqual(['a.txt', 'b.txt']);
    const dir = scratch(mkdtempSync(join(tmpdir(), 'oid-sums-')));
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'b.txt'), 'b');
    writeFileSync(join(dir, 'checksums.sha256'), data);
    expect(execFileSync('sha256sum', ['--strict', '-c', 'checksums.sha256'], { cwd: dir, encoding: 'utf8' })).toContain(
      'a.txt: OK',
    );
  });

  it('tells a damaged list apart: any flipped byte breaks its self-check', () => {
    const data = formatChecksums(sums);
    for (let i = 0; i < data.length; i += 7) {
      const bad = Buffer.from(data);
      bad[i] = bad[i]! ^ 0x01;
      expect(parseChecksums(bad).damage, `byte ${i}`).toBeDefined();
    }
  });
});

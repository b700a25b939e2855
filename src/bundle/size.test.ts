import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from './size.js';

describe('sizes', () => {
  it('parses binary and decimal units', () => {
    expect(parseSize('4G')).toBe(4 * 1024 ** 3);
    expect(parseSize('700MB')).toBe(700_000_000);
    expect(parseSize('512Mi')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5k')).toBe(1536);
    expect(parseSize('12')).toBe(12);
    for (const bad of ['', 'G', '-1', '4X', '0']) expect(parseSize(bad)).toBeUndefined();
  });
  it('formats', () => {
    expect(formatBytes(100)).toBe('100 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});

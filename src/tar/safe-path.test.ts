import { describe, expect, it } from 'vitest';
import { checkBundleEntry, checkEntryPath, linkStaysInside, UnsafeEntryError } from './safe-path.js';

describe('safe archive paths', () => {
  it.each([
    ['/etc/passwd', 'absolute path'],
    ['../evil', 'escapes'],
    ['charts/../../evil', 'escapes'],
    ['a\\..\\b', 'backslash'],
    ['C:/x', 'absolute path'],
    ['', 'empty'],
    ['./', 'target itself'],
  ])('refuses %j (%s)', (path, reason) => {
    const result = checkEntryPath(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('normalises harmless forms', () => {
    expect(checkEntryPath('./charts//a.tgz')).toEqual({ ok: true, path: 'charts/a.tgz' });
  });

  it('bundles hold regular files and folders only', () => {
    expect(checkBundleEntry({ path: 'files/a', type: 'file' })).toBe('files/a');
    for (const type of ['symlink', 'hardlink', 'character-device', 'block-device', 'fifo'] as const) {
      expect(() => checkBundleEntry({ path: 'files/a', type, linkpath: '/etc/shadow' })).toThrow(UnsafeEntryError);
    }
  });

  it('links may not point out of the target', () => {
    expect(linkStaysInside('bin/tool', 'real-tool')).toBe(true);
    expect(linkStaysInside('bin/tool', '../lib/x')).toBe(true);
    expect(linkStaysInside('bin/tool', '../../x')).toBe(false);
    expect(linkStaysInside('bin/tool', '/usr/bin/x')).toBe(false);
  });
});

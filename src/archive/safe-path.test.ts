import { describe, expect, it } from 'vitest';
import { checkBundleEntry, checkEntryPath, splitEntryPath, UnsafeEntryError } from './safe-path.js';

describe('safe archive paths', () => {
  it.each([
    ['/etc/passwd', 'absolute path'],
    ['../evil', 'escapes'],
    ['charts/../../evil', 'escapes'],
    ['a\\..\\b', 'backslash'],
    ['C:/x', 'absolute path'],
    ['', 'empty'],
    ['./', 'target itself'],
    ['a\0b', 'NUL'],
  ])('refuses %j (%s)', (path, reason) => {
    const result = checkEntryPath(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('normalises harmless forms', () => {
    expect(checkEntryPath('./charts//a.tgz')).toEqual({ ok: true, path: 'charts/a.tgz' });
  });

  it('the one path check: refuses absolute paths, NUL and `..`, even `..` that would come back inside', () => {
    expect(splitEntryPath('/etc/passwd')).toEqual({ ok: false, problem: 'absolute' });
    expect(splitEntryPath('C:\\x')).toEqual({ ok: false, problem: 'absolute' });
    expect(splitEntryPath('bin/\0x')).toEqual({ ok: false, problem: 'nul' });
    expect(splitEntryPath('../x')).toEqual({ ok: false, problem: 'parent' });
    expect(splitEntryPath('a/../a/x')).toEqual({ ok: false, problem: 'parent' });
    expect(splitEntryPath('./a//b/./c')).toEqual({ ok: true, parts: ['a', 'b', 'c'] });
  });

  it('a backslash is a file name character for host archives, refused only when asked (bundles)', () => {
    expect(splitEntryPath('a\\b')).toEqual({ ok: true, parts: ['a\\b'] });
    expect(splitEntryPath('a\\b', { refuseBackslash: true })).toEqual({ ok: false, problem: 'backslash' });
  });

  it('bundles hold regular files and folders only', () => {
    expect(checkBundleEntry({ path: 'files/a', type: 'file' })).toBe('files/a');
    for (const type of ['symlink', 'hardlink', 'character-device', 'block-device', 'fifo'] as const) {
      expect(() => checkBundleEntry({ path: 'files/a', type, linkpath: '/etc/shadow' })).toThrow(UnsafeEntryError);
    }
  });
});

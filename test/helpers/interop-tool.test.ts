import { describe, expect, it } from 'vitest';
import { interopTool, isCi } from './interop-tool.js';

const zip = (present: boolean) => ({ name: 'zip', present, install: 'apt-get install -y zip' });

describe('interop tools', () => {
  it('runs the tests where the tool is, CI or not', () => {
    expect(interopTool(zip(true), {})).toBe(true);
    expect(interopTool(zip(true), { CI: 'true' })).toBe(true);
  });

  it('skips them without the tool outside CI', () => {
    for (const CI of [undefined, '', 'false', '0'])
      expect(interopTool(zip(false), CI === undefined ? {} : { CI })).toBe(false);
  });

  it('under CI, a missing tool is an error naming the install', () => {
    for (const CI of ['true', '1', 'yes']) {
      expect(isCi({ CI })).toBe(true);
      expect(() => interopTool(zip(false), { CI })).toThrow(
        'missing: zip. Under CI its interop tests must run, not be skipped; install it: apt-get install -y zip',
      );
    }
  });
});

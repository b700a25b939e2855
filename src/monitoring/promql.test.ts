import { describe, expect, it } from 'vitest';
import { anyOf, escapeRegex, quote, selector } from './promql.js';

describe('promql builders', () => {
  it('escapes regex metacharacters so a value matches only itself', () => {
    expect(escapeRegex('openim.+\\.service')).toBe('openim\\.\\+\\\\\\.service');
    expect(anyOf(['a.b', 'c|d'])).toBe('a\\.b|c\\|d');
    expect(new RegExp(`^(?:${anyOf(['a.b'])})$`).test('axb')).toBe(false);
  });

  it('quotes values as PromQL strings (backslashes doubled)', () => {
    expect(quote('a\\.b')).toBe('"a\\\\.b"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('builds selectors from matchers', () => {
    expect(
      selector('up', [
        ['namespace', '=', 'openim'],
        ['job', '=~', 'a|b'],
      ]),
    ).toBe('up{namespace="openim", job=~"a|b"}');
    expect(selector('up', [])).toBe('up{}');
  });
});

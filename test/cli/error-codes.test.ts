// A failed run with --json ends stderr with one JSON line naming the stable
// code, so scripts need not parse prose; stdout keeps the command's own JSON,
// and without --json the output is what it always was.
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

/** The last line of stderr, parsed: the error record main prints with --json. */
function errorLine(stderr: string): { error: { code: string; message: string; hint?: string; exitStatus: number } } {
  const last = stderr.trimEnd().split('\n').pop() ?? '';
  return JSON.parse(last) as ReturnType<typeof errorLine>;
}

describe('error codes on the command line (built bin, CI=1)', () => {
  it('install --json without --yes: exit 2, the human message, then CONFIG_INVALID as JSON; nothing on stdout', () => {
    const plain = cli(['install', '--preset', 'dev'], { env: { PATH: '/nonexistent' } });
    const json = cli(['install', '--preset', 'dev', '--json'], { env: { PATH: '/nonexistent' } });
    expect(plain.code).toBe(2);
    expect(json.code).toBe(2);
    expect(plain.stderr).not.toContain('{"error"');
    expect(json.stderr.startsWith(plain.stderr)).toBe(true);
    const record = errorLine(json.stderr);
    expect(record.error.code).toBe('CONFIG_INVALID');
    expect(record.error.exitStatus).toBe(2);
    expect(record.error.message).toContain('--yes: applying changes needs confirmation');
    expect(json.stdout).toBe('');
  });

  it('a bad whole-number flag with --json is CONFIG_INVALID too (refused while parsing, before the action)', () => {
    const r = cli(['bundle', 'create', '-o', '/nonexistent/b.tar', '--retries', '0', '--json']);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr).error).toEqual({
      code: 'CONFIG_INVALID',
      message: 'invalid configuration:\n  --retries: must be a whole number from 1 to 20',
      exitStatus: 2,
    });
  });

  it('bundle verify --json of a missing bundle: the report on stdout still parses, BUNDLE_INVALID ends stderr, exit 1', () => {
    const r = cli(['bundle', 'verify', '/nonexistent/bundle.tar', '--json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(false);
    expect(errorLine(r.stderr).error.code).toBe('BUNDLE_INVALID');
    expect(errorLine(r.stderr).error.exitStatus).toBe(1);
  });
});

// Every error openim-deploy throws on purpose carries a stable code and the
// status the CLI exits with; the table pins both, so changing either fails here
// before a script that matches on them breaks.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from './util/package-root.js';
import { describe, expect, it } from 'vitest';
import { AdminUnreachable } from './chat-admin/api.js';
import { ChatAdminPasswordError } from './chat-admin/password.js';
import { ChecksumError, FetchError } from './artifacts/fetch.js';
import { UnsafeArchiveError } from './archive/extract.js';
import { ZipError } from './archive/zip.js';
import { BackupKeyError } from './backup/crypto.js';
import { BackupFormatError } from './backup/manifest.js';
import { GoBuildError } from './build/go-build.js';
import { BundleError } from './bundle/errors.js';
import { UnsafeEntryError } from './archive/safe-path.js';
import {
  ApplyError,
  ClusterUnreachableError,
  ConfigError,
  DeployError,
  ERROR_CODES,
  EXIT,
  ExecError,
  InternalError,
  LockHeldError,
  PreflightError,
  UnhealthyError,
  UserAbort,
  errorCodeFor,
  errorRecord,
} from './errors.js';
import { HttpError } from './http/request.js';
import { CertificateError } from './http/tls.js';
import { TarFormatError } from './archive/tar/format.js';
import { ApiCallError } from './verify/api.js';
import { GatewayError } from './verify/gateway.js';

const TABLE: [DeployError, string, number][] = [
  [new ConfigError([{ path: '--yes', message: 'required without a terminal' }]), 'CONFIG_INVALID', 2],
  [new PreflightError([{ id: 'disk', severity: 'error', message: 'too small' }]), 'PREFLIGHT_FAILED', 3],
  [new ExecError(['kubectl', 'get'], 1, 'no'), 'COMMAND_FAILED', 1],
  [new ApplyError([{ stepId: 'a', error: new Error('x') }]), 'APPLY_FAILED', 1],
  [new UserAbort(), 'INTERRUPTED', 130],
  [new LockHeldError('host-1', '/var/lib/openim-deploy/lock'), 'LOCKED', 5],
  [new ClusterUnreachableError('no API server'), 'CLUSTER_UNREACHABLE', 1],
  [new UnhealthyError(['openim-api 0/1']), 'UNHEALTHY', 4],
  [new InternalError('plan step a needs b'), 'INTERNAL', 1],
  [new BundleError('b.tar', [{ file: 'x', message: 'bad' }]), 'BUNDLE_INVALID', 1],
  [new TarFormatError('bad header', 512), 'ARCHIVE_INVALID', 1],
  [new ZipError('bad zip'), 'ARCHIVE_INVALID', 1],
  [new UnsafeEntryError('../x', 'leaves the folder'), 'ARCHIVE_UNSAFE', 1],
  [new UnsafeArchiveError('a.tar.gz', '../x', 'leaves the folder'), 'ARCHIVE_UNSAFE', 1],
  [new FetchError('404'), 'DOWNLOAD_FAILED', 1],
  [new ChecksumError('mongodb', 'aa', 'bb'), 'CHECKSUM_MISMATCH', 1],
  [new HttpError('503', 503, 'https://registry.example/v2/'), 'HTTP_FAILED', 1],
  [new CertificateError('unknown authority'), 'CERTIFICATE_INVALID', 1],
  [new GoBuildError('go: not found'), 'BUILD_FAILED', 1],
  [new BackupFormatError('manifest.json is not JSON'), 'BACKUP_INVALID', 1],
  [new BackupKeyError('wrong passphrase'), 'BACKUP_KEY', 1],
  [new AdminUnreachable('http://127.0.0.1:10009: ECONNREFUSED'), 'CHAT_ADMIN_UNREACHABLE', 1],
  [new ChatAdminPasswordError('does not log in'), 'CHAT_ADMIN_PASSWORD', 1],
  [new ApiCallError('get_admin_token', 'errCode 1001'), 'VERIFY_CALL_FAILED', 1],
  [new GatewayError('closed', 401), 'VERIFY_CALL_FAILED', 1],
];

describe('error codes and exit statuses', () => {
  it.each(TABLE.map(([error, code, exit]) => [error.constructor.name, error, code, exit] as const))(
    '%s: %s',
    (_name, error, code, exit) => {
      expect(error).toBeInstanceOf(DeployError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.exitStatus).toBe(exit);
      expect(errorCodeFor(error)).toBe(code);
    },
  );

  it('every error class under src/ is a DeployError (or named here with the reason it is not)', () => {
    // DeployError is the base itself; the scripted prompter is test support; NotReady is a retry signal that never leaves password.ts.
    const exempt = ['DeployError', 'ScriptError', 'NotReady'];
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(join(dir, e.name))
          : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
            ? [join(dir, e.name)]
            : [],
      );
    const src = import.meta.dirname;
    const plain = files(src).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/class (\w+) extends Error\b/g)].map((m) => ({
        file: relative(src, file),
        name: m[1]!,
      })),
    );
    expect(plain.length).toBeGreaterThan(0); // the scan reads the sources (DeployError itself is found)
    expect(plain.filter((c) => !exempt.includes(c.name))).toEqual([]);
  });
});

describe('hints', () => {
  it('say what to do where the CLI always said it', () => {
    expect(new LockHeldError('h', 'l').hint).toBe(
      'wait for it to finish (or pass --wait-lock to wait); a lock left by a crashed run is taken over once it is stale',
    );
    expect(new ApplyError([]).hint).toBe('re-run the same command to continue from here');
    expect(
      new PreflightError([
        { id: 'disk', severity: 'error', message: 'm' },
        { id: 'swap', severity: 'warn', message: 'w' },
      ]).hint,
    ).toBe('fix the errors above (or accept those you have judged: --ignore-preflight disk)');
    expect(new UserAbort().hint).toBe('re-run the same command to continue');
    expect(new UserAbort('status --watch stopped', { resumable: false }).hint).toBeUndefined();
  });

  it('an internal error keeps its detail and asks for a bug report', () => {
    const error = new InternalError('invalid plan: a: needs b');
    expect(error.message).toBe('internal: invalid plan: a: needs b');
    expect(error.hint).toMatch(/^this is a bug in openim-deploy.*please report it/);
  });
});

describe('errorRecord (what --json readers get)', () => {
  it('carries the code, message, hint and exit status', () => {
    expect(errorRecord(new LockHeldError('host-1', '/l'), EXIT.locked)).toEqual({
      error: {
        code: 'LOCKED',
        message: 'another openim-deploy run holds the lock /l: host-1',
        hint: new LockHeldError('h', 'l').hint,
        exitStatus: 5,
      },
    });
  });

  it('names an error no class names FAILED, and a cancelled wait INTERRUPTED', () => {
    expect(errorRecord(new Error('systemctl show exited 1'), EXIT.failed)).toEqual({
      error: { code: 'FAILED', message: 'systemctl show exited 1', exitStatus: 1 },
    });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(errorCodeFor(abort)).toBe('INTERRUPTED');
  });
});

describe('README', () => {
  it('documents every code, with its exit status, and no other', () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const table = readme.split('| code | exit | meaning |')[1]?.split('\n\n')[0] ?? '';
    const rows = [...table.matchAll(/^\| (.+?) \| (\d+) \|/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`(\w+)`/g)].map((c) => [c[1]!, Number(m[2])] as const),
    );
    const documented = Object.fromEntries(rows);
    const expected = Object.fromEntries([
      ...TABLE.map(([e]) => [e.code, e.exitStatus] as const),
      ['FAILED', 1] as const,
    ]);
    expect(documented).toEqual(expected);
    expect(Object.keys(documented).sort()).toEqual([...ERROR_CODES, 'FAILED'].sort());
  });
});

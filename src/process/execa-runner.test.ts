import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecaRunner } from './execa-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'execa-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ExecaRunner with files for stdin and stdout', () => {
  it('streams bytes through a command unchanged, both ways (a gzip archive is not text)', async () => {
    const bytes = Buffer.concat([randomBytes(300_000), Buffer.from([0, 0xff, 0x0a, 0x0d, 0xc3])]);
    writeFileSync(join(dir, 'in'), bytes);
    const r = await new ExecaRunner().run(['cat'], { inputFile: join(dir, 'in'), stdoutFile: join(dir, 'out') });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'out')).equals(bytes)).toBe(true);
  });
  it('stderr and the exit code still come back when stdout goes to a file', async () => {
    const r = await new ExecaRunner().run(['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      stdoutFile: join(dir, 'out2'),
    });
    expect(r).toEqual({ exitCode: 3, stdout: '', stderr: 'err\n' });
    expect(readFileSync(join(dir, 'out2'), 'utf8')).toBe('out\n');
  });
});

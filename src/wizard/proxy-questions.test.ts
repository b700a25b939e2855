import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptStep } from './scripted-prompter.js';
import { replayCommand, runScript, tempDir } from '../../test/helpers/wizard-helpers.js';

// The binary target's proxy questions (binary.proxy): defaults follow the profile
// and the domain exactly as the schema's, and what each TLS mode needs is asked.

/** Everything a production binary install asks after the proxy questions, pressing Enter. */
const PRODUCTION_REST: ScriptStep[] = [
  { key: 'infrastructure.objectStorage.provider' },
  { key: 'infrastructure.objectStorage.mode' },
  { key: 'infrastructure.objectStorage.externalAddress' },
  { key: 'infrastructure.mongodb.mode' },
  { key: 'infrastructure.redis.mode' },
  { key: 'infrastructure.kafka.mode' },
  { key: 'infrastructure.etcd.mode' },
  { key: 'binary.mirror' },
  { key: 'offline.bundle' },
  { key: 'openim.components.chat' },
  { key: 'openim.allowRegister', default: false },
  { key: 'binary.source' },
];

const SHA = 'b'.repeat(64);

function tail(caddySha: boolean): ScriptStep[] {
  return [
    ...PRODUCTION_REST,
    ...(caddySha
      ? [{ key: 'binary.artifacts.caddy.sha256', rejects: ['abc'], answer: SHA.toUpperCase(), help: /checksums file/ }]
      : []),
    { key: 'monitoring.enabled' },
    { key: 'logging.enabled' },
    { key: 'wizard.save' },
    { key: '--yes' },
  ];
}

describe('wizard: the reverse proxy on the binary target', () => {
  it("production with a DNS name: proxy on, acme by default, e-mail and staging asked, Caddy's checksum asked; the command replays", async () => {
    const run = await runScript(
      { flags: { target: 'binary', profile: 'production', openim: { domain: 'im.example.com' } } },
      [
        { key: 'binary.proxy.enabled', default: true },
        { key: 'binary.proxy.tls.mode', default: 'acme', choices: ['acme', 'self-signed', 'provided', 'none'] },
        { key: 'binary.proxy.tls.acme.email', rejects: [], answer: 'ops@example.com' },
        { key: 'binary.proxy.tls.acme.staging', default: false, answer: true },
        ...tail(true),
      ],
    );
    const proxy = run.result.spec.binary.proxy;
    expect(proxy).toMatchObject({
      enabled: true,
      tls: { mode: 'acme', acme: { email: 'ops@example.com', staging: true } },
    });
    expect(run.result.spec.binary.artifacts.caddy.sha256).toBe(SHA);
    expect(run.result.findings.map((f) => f.id).filter((id) => id.startsWith('artifact.caddy'))).toEqual([]);
    expect(replayCommand(run)).toEqual(run.result.spec);
  });

  it("production with an address: acme is not offered (Let's Encrypt cannot validate it); self-signed by default", async () => {
    const run = await runScript(
      { flags: { target: 'binary', profile: 'production', openim: { domain: '10.0.0.5' } } },
      [
        { key: 'binary.proxy.enabled', default: true },
        { key: 'binary.proxy.tls.mode', default: 'self-signed', choices: ['self-signed', 'provided', 'none'] },
        ...tail(true),
      ],
    );
    expect(run.result.spec.binary.proxy.tls.mode).toBe('self-signed');
  });

  it('provided: the certificate and key must be existing files', async () => {
    const cwd = tempDir();
    const cert = join(cwd, 'fullchain.pem');
    const key = join(cwd, 'privkey.pem');
    writeFileSync(cert, 'cert');
    writeFileSync(key, 'key');
    const run = await runScript(
      { flags: { target: 'binary', profile: 'production', openim: { domain: 'im.example.com' } } },
      [
        { key: 'binary.proxy.enabled' },
        { key: 'binary.proxy.tls.mode', answer: 'provided' },
        { key: 'binary.proxy.tls.provided.cert', rejects: ['relative.pem', join(cwd, 'missing.pem')], answer: cert },
        { key: 'binary.proxy.tls.provided.key', rejects: [join(cwd, 'missing.key')], answer: key },
        ...tail(true),
      ],
      { cwd },
    );
    expect(run.result.spec.binary.proxy.tls).toMatchObject({ mode: 'provided', provided: { cert, key } });
  });

  it('production with the proxy turned off: no TLS question, no Caddy checksum, the warning stays', async () => {
    const run = await runScript(
      { flags: { target: 'binary', profile: 'production', openim: { domain: 'im.example.com' } } },
      [{ key: 'binary.proxy.enabled', answer: false }, ...tail(false)],
    );
    expect(run.result.spec.binary.proxy.enabled).toBe(false);
    expect(run.result.warnings.map((w) => w.path)).toContain('binary.proxy.enabled');
  });

  it('already given by a flag: not asked', async () => {
    const run = await runScript(
      {
        flags: { target: 'binary', profile: 'production', openim: { domain: 'im.example.com' } },
        sets: ['binary.proxy.tls.mode=self-signed'],
      },
      [{ key: 'binary.proxy.enabled' }, ...tail(true)],
    );
    expect(run.result.spec.binary.proxy.tls.mode).toBe('self-signed');
  });
});

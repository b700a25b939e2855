// #19 Medium 8: `config validate` agrees with plan and preflight, and `config init` writes a
// config the tool accepts. On main: a type error hid the missing production domain, validate
// accepted a namespace that install refuses for the default version, and `config init` wrote
// `namespace: openim`, which the default server version refuses.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configValidateCommand } from '../commands/config.js';
import { ConfigError } from '../errors.js';
import { initFileText } from './init-file.js';
import { resolveConfig } from './resolve.js';
import { issuesOf } from '../../test/helpers/config-helpers.js';

const io = () => {
  const out: string[] = [];
  return {
    out,
    io: { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), interactive: false, tty: false },
  };
};

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'oid-validate-')), 'c.yaml');
  writeFileSync(path, text);
  return path;
}

async function validate(text: string) {
  const { io: sink } = io();
  return configValidateCommand({ io: sink, env: {} }, { config: file(text) });
}

describe('config validate agrees with plan and preflight', () => {
  it('runs the cross-field rules on what parsed: a type error or unknown key does not hide a missing domain', () => {
    const issues = issuesOf(() =>
      resolveConfig({ sets: ['profile=production'], file: file('openim:\n  domian: x\n  replicas: notamap\n') }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['openim.domian', 'openim.replicas', 'openim.domain']));
  });

  it('a missing NFS server is reported beside a bad key', () => {
    const issues = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        sets: ['kubernetes.storage.backend=nfs'],
        file: file('kubernetes:\n  namspace: x\n'),
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['kubernetes.namspace', 'kubernetes.storage.nfs.server']),
    );
  });

  it('refuses what install refuses before probing: a Gateway API ingress without its GatewayClass', async () => {
    const error = await validate(
      'target: kubernetes\nprofile: dev\nkubernetes:\n  ingress:\n    controller: gateway-api\n',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toContain('ingress.gateway-class');
  });

  it('accepts any namespace: no catalog version is tied to one (discovery runs through etcd in the cluster)', async () => {
    await expect(
      validate('target: kubernetes\nprofile: dev\nkubernetes:\n  namespace: team-im\n'),
    ).resolves.toBeUndefined();
  });

  it('refuses what the plan refuses: single-host without artifact sources', async () => {
    // binary.source archive: the tarballs must come from the user (build, the default, needs none).
    const error = await validate('target: binary\nprofile: dev\nbinary:\n  source: archive\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path).join(' ')).toMatch(/artifact\.server/);
  });
});

describe('config init writes what the tool accepts', () => {
  it("dev: the init file validates as written (namespace is the default version's)", async () => {
    const text = initFileText({ profile: 'dev' });
    expect((parse(text) as { kubernetes: { namespace: string } }).kubernetes.namespace).toBe(
      resolveConfig({ preset: 'dev' }).spec.kubernetes.namespace,
    );
    await expect(validate(text)).resolves.toBeUndefined();
  });

  it('production: the one thing it lacks (the domain) is marked REQUIRED where it goes, and it validates once set', async () => {
    const text = initFileText({});
    expect(text).toMatch(/# REQUIRED: required for production[^\n]*\n\s+domain: ""/);
    await expect(validate(text)).rejects.toThrow(/openim\.domain/);
    await expect(validate(text.replace('domain: ""', 'domain: im.example.com'))).resolves.toBeUndefined();
  });
});

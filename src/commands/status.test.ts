// `status` against a cluster nobody answers for (issue #19): doctor's clean
// finding and fix, not a failed `kubectl get secret` with client-go's log lines.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { resolveConfig } from '../config/resolve.js';
import { kubernetesTarget } from '../targets/kubernetes/index.js';
import { statusCommand } from './status.js';

// What kubectl v1.33 printed against https://127.0.0.1:1 (nothing listening), verbatim.
const REFUSED = [
  'E1204 05:19:01.755433    5373 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"',
  'E1204 05:19:01.756855    5373 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"',
  'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?',
  '',
].join('\n');

const io = () => ({ out: () => undefined, err: () => undefined, interactive: false, tty: false });

describe('status against an unreachable cluster', () => {
  it('fails with the finding doctor shows for the same cluster, and its fix', async () => {
    // A fake kubectl (named as one): every call answers as kubectl does when no API server listens.
    const runner = new RecordingRunner(() => ({ exitCode: 1, stdout: '', stderr: REFUSED }));
    const home = mkdtempSync(join(tmpdir(), 'oid-status-'));
    const error = await statusCommand(
      { io: io(), env: { HOME: home }, cwd: home, runner, signal: new AbortController().signal },
      { preset: 'dev', interval: 5 },
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    const spec = resolveConfig({ preset: 'dev' }).spec;
    const doctor = kubernetesTarget.checks(spec, {
      target: 'kubernetes',
      probed: true,
      helm: { path: 'helm', version: 'v3.19.0', major: 3 },
      kubectl: { path: 'kubectl', version: 'v1.33.0', major: 1 },
      cluster: {
        reachable: false,
        error: REFUSED.trim().split('\n').pop()!,
        storageClasses: [],
        ingressClasses: [],
        crds: [],
        namespaceExists: false,
        nodes: [],
      },
    } as never);
    const finding = doctor.find((f) => f.id === 'cluster.unreachable')!;
    expect(error?.message).toBe(`${finding.message}\n       fix: ${finding.fix}`);
    expect(error?.message).not.toContain('memcache.go');
    expect(error?.message).not.toContain('get secret');
  });
});

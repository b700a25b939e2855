// Installing by IP on a host (issue #19 Medium 12): every URL clients get is
// the address with the port of the process that serves it; what OpenIM's own
// processes dial stays on loopback.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Plan } from '../../plan/types.js';
import { binaryTarget } from './index.js';
import { byId, plan, singleHost, unprobed } from '../../../test/helpers/binary-specs.js';

const IP = '192.168.1.20';

/** The content the plan writes to a path ending with `name`. */
function written(p: Plan, name: string): string {
  for (const step of p.steps)
    for (const a of step.actions) if (a.kind === 'write' && a.path.endsWith(name)) return a.content;
  throw new Error(`no write of ${name}`);
}

describe('openim.domain is an IP address on the binary target', () => {
  const spec = singleHost(`openim.domain=${IP}`);
  const p = plan(spec);

  it("MinIO presigned URLs point at the address on MinIO's port", () => {
    const minio = parse(written(p, 'server/minio.yml')) as { externalAddress: string; internalAddress: string };
    expect(minio.externalAddress).toBe(`http://${IP}:10005`);
    expect(minio.internalAddress).toBe('127.0.0.1:10005');
    expect(binaryTarget.filesUrl(spec)).toBe(`http://${IP}:10005`);
  });

  it('chat reaches the server API on loopback (never through the public address)', () => {
    const share = parse(written(p, 'chat/share.yml')) as { openIM: { apiURL: string } };
    expect(share.openIM.apiURL).toBe('http://127.0.0.1:10002');
  });

  it('the summary gives SDK and chat URLs by address, with ports', () => {
    const notes = byId(p)
      .get('binary.summary')!
      .actions.flatMap((a) => (a.kind === 'note' ? [a.text] : []));
    expect(notes[0]).toBe(`OpenIM API http://${IP}:10002, WebSocket ws://${IP}:10001`);
    expect(notes[1]).toMatch(
      new RegExp(
        `^chat API http://${IP.replace(/\./g, '\\.')}:10008, admin API http://${IP.replace(/\./g, '\\.')}:10009 `,
      ),
    );
  });

  it('preflight has nothing to say about the address (the local-only warning is for loopback names)', () => {
    const ids = binaryTarget.checks(spec, unprobed).map((f) => f.id);
    expect(ids).not.toContain('objectStorage.local-only');
    expect(binaryTarget.checks(singleHost('openim.domain=127.0.0.1'), unprobed).map((f) => f.id)).toContain(
      'objectStorage.local-only',
    );
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ok, RecordingRunner } from '../../../test/helpers/recording-runner.js';
import { catalogPackages, gatherBinaryFacts, parseInstalledPackages } from './facts.js';
import { interopTool } from '../../../test/helpers/interop-tool.js';
import { singleHost } from '../../../test/helpers/binary-specs.js';

const hasDpkg = interopTool({
  name: 'dpkg-query',
  present: spawnSync('dpkg-query', ['--version']).status === 0,
  install: 'a Debian or Ubuntu machine (package dpkg)',
});

describe('installed packages', () => {
  it('counts only packages dpkg reports installed (not removed ones with config files left)', () => {
    const out =
      'prometheus installed\nprometheus-node-exporter config-files\nredis-server installed\nunrelated installed\n';
    expect(
      parseInstalledPackages('apt', out, ['redis-server', 'etcd-server', 'prometheus', 'prometheus-node-exporter']),
    ).toEqual(['redis-server', 'prometheus']);
    expect(parseInstalledPackages('dnf', 'redis\npackage etcd is not installed\n', ['redis', 'etcd'])).toEqual([
      'redis',
    ]);
  });

  it.skipIf(!hasDpkg)('reads the real dpkg-query output format (one name missing still lists the others)', () => {
    const names = [...catalogPackages('apt'), 'openim-deploy-no-such-package'];
    const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n', ...names], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    const all = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n'], { encoding: 'utf8' }).stdout;
    const expected = catalogPackages('apt').filter((n) => all.includes(`${n} installed\n`));
    expect(parseInstalledPackages('apt', r.stdout, names)).toEqual(expected);
  });

  it('probes them with the package manager the host has', async () => {
    const runner = new RecordingRunner((argv) => {
      if (argv[0] === 'apt-get') return ok('apt 2.6.1 (amd64)\n');
      if (argv[0] === 'dpkg-query')
        return {
          exitCode: 1,
          stdout: 'prometheus installed\n',
          stderr: 'dpkg-query: no packages found matching etcd-server\n',
        };
      return { exitCode: 127, stdout: '', stderr: 'not found' };
    });
    const facts = await gatherBinaryFacts(singleHost(), runner, {});
    expect(facts.host!.packageManager).toBe('apt');
    expect(facts.host!.installedPackages).toEqual(['prometheus']);
    expect(runner.calls.find((c) => c.argv[0] === 'dpkg-query')!.argv.slice(4)).toEqual(catalogPackages('apt'));
  });
});

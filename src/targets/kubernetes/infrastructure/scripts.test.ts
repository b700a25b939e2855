// The charts' scripts run in containers we cannot start here (mongo, minio);
// at least every one of them must parse, with the shell its image runs it with.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../util/package-root.js';

const charts = ['openim-mongodb', 'openim-redis', 'openim-kafka', 'openim-minio'];
const files = charts.flatMap((chart) => {
  const dir = join(packageRoot(), 'templates', 'charts', chart, 'files');
  return readdirSync(dir).map((name) => ({ chart, name, path: join(dir, name) }));
});

describe('chart scripts parse', () => {
  it('every chart ships its scripts', () => {
    expect(files.map((f) => `${f.chart}/${f.name}`).sort()).toEqual([
      'openim-kafka/create-topics.sh',
      'openim-minio/create-bucket.sh',
      'openim-mongodb/run.sh',
      'openim-mongodb/setup.js',
      'openim-redis/create-cluster.sh',
      'openim-redis/meet.sh',
      'openim-redis/run.sh',
    ]);
  });

  it.each(files.filter((f) => f.name.endsWith('.sh')))('$chart/$name', ({ path }) => {
    const shell = readFileSync(path, 'utf8').startsWith('#!/bin/bash') ? 'bash' : 'sh';
    // -n: read and parse only. `sh` is dash on Debian, as strict as the images' /bin/sh.
    expect(() => execFileSync(shell, ['-n', path], { stdio: 'pipe' })).not.toThrow();
  });

  it('openim-mongodb/setup.js is valid JavaScript for mongosh', () => {
    const path = files.find((f) => f.name === 'setup.js')!.path;
    expect(() => new Script(readFileSync(path, 'utf8'), { filename: path })).not.toThrow();
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { devSpec, EXTERNAL_SETS, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import {
  mongodumpArgv,
  mongorestoreArgv,
  podsGoneArgv,
  redisFlushArgv,
  restartArgv,
  scaleDownArgv,
  scaleUpArgvs,
  toolsPod,
  toolsPodCreate,
  TOOLS_CONFIG,
} from './backup-plan.js';

const dev = devSpec();
type Pod = {
  spec: {
    containers: {
      command: string[];
      env: unknown[];
      image: string;
      readinessProbe?: unknown;
      securityContext: unknown;
    }[];
    securityContext: unknown;
    activeDeadlineSeconds: number;
    volumes: unknown[];
  };
};

describe('the mongo-tools pod', () => {
  it("runs the catalog MongoDB image as its non-root user, the password from OpenIM's Secret by reference only", () => {
    const pod = toolsPod(dev) as Pod;
    const c = pod.spec.containers[0]!;
    expect(c.image).toBe('docker.io/library/mongo:7.0.14');
    expect(c.env).toEqual([
      { name: 'MONGO_PASSWORD', valueFrom: { secretKeyRef: { name: 'openim-secrets', key: 'mongodb.password' } } },
    ]);
    expect(c.readinessProbe).toEqual({ exec: { command: ['test', '-s', TOOLS_CONFIG] }, periodSeconds: 1 });
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.spec.volumes).toEqual([{ name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
    expect(pod.spec.activeDeadlineSeconds).toBe(21600);
    // Created from stdin, and the manifest holds no value, no placeholder.
    const create = toolsPodCreate(dev);
    expect(create.argv).toEqual(['kubectl', 'create', '-f', '-']);
    expect(create.input).not.toMatch(/«secret|password:/);
  });

  it('an external MongoDB URI holding a password comes from the Secret too, never as a flag', () => {
    const spec = devSpec(
      ...EXTERNAL_SETS.filter((s) => !s.includes('mongodb')),
      'infrastructure.mongodb.mode=external',
      'infrastructure.mongodb.uri=mongodb://u:Uri-Pass-9@db.internal:27017/openim_v3?authSource=admin',
    );
    const c = (toolsPod(spec) as Pod).spec.containers[0]!;
    expect(c.env).toEqual([
      { name: 'MONGO_URI', valueFrom: { secretKeyRef: { name: 'openim-secrets', key: 'mongodb.uri' } } },
    ]);
    expect(mongodumpArgv(spec).join(' ')).toBe(
      `kubectl -n openim exec openim-deploy-mongo-tools -c mongo-tools -- mongodump --config=${TOOLS_CONFIG} --db=openim_v3 --archive --gzip`,
    );
    expect(JSON.stringify(toolsPod(spec))).not.toContain('Uri-Pass-9');
  });

  it('its start script writes the credential as YAML that reads back as the same string, readable by its user only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tools-pod-'));
    try {
      const script = (toolsPod(dev) as Pod).spec.containers[0]!.command[2]!.replaceAll('/work/', `${dir}/`).replace(
        /exec sleep \d+$/,
        'true',
      );
      for (const password of ["it's: a #hard 'one'", 'Plain-Pass-1']) {
        execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH, MONGO_PASSWORD: password } });
        const file = join(dir, 'mongo-tools.yaml');
        expect(parseYaml(readFileSync(file, 'utf8'))).toEqual({ password });
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH, MONGO_URI: "mongodb://u:p'q@h/" } });
      expect(parseYaml(readFileSync(join(dir, 'mongo-tools.yaml'), 'utf8'))).toEqual({ uri: "mongodb://u:p'q@h/" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backup and restore argv', () => {
  it("mongodump to stdout with OpenIM's user and authSource; mongorestore --drop from stdin, its database only", () => {
    expect(mongodumpArgv(dev)).toEqual([
      'kubectl',
      '-n',
      'openim',
      'exec',
      'openim-deploy-mongo-tools',
      '-c',
      'mongo-tools',
      '--',
      'mongodump',
      `--config=${TOOLS_CONFIG}`,
      '--host=openim-mongodb.openim.svc:27017',
      '--username=openIM',
      '--authenticationDatabase=openim_v3',
      '--db=openim_v3',
      '--archive',
      '--gzip',
    ]);
    expect(mongorestoreArgv(dev, true)).toEqual([
      'kubectl',
      '-n',
      'openim',
      'exec',
      '-i',
      'openim-deploy-mongo-tools',
      '-c',
      'mongo-tools',
      '--',
      'mongorestore',
      `--config=${TOOLS_CONFIG}`,
      '--host=openim-mongodb.openim.svc:27017',
      '--username=openIM',
      '--authenticationDatabase=openim_v3',
      '--archive',
      '--gzip',
      '--drop',
      '--nsInclude=openim_v3.*',
      '--noIndexRestore',
    ]);
    expect(mongorestoreArgv(dev, false)).not.toContain('--noIndexRestore');
  });

  it('a replica set is named with every member as a seed', () => {
    expect(mongodumpArgv(productionSpec())).toContain(
      '--host=rs0/openim-mongodb-0.openim-mongodb-headless.openim.svc:27017,openim-mongodb-1.openim-mongodb-headless.openim.svc:27017,openim-mongodb-2.openim-mongodb-headless.openim.svc:27017',
    );
  });

  it("OpenIM's Deployments (server and chat, not the web fronts) go to 0, are waited for, come back to the spec's replicas and are restarted", () => {
    const spec = devSpec('openim.replicas.openim-msggateway=2');
    const names =
      'openim-api openim-msggateway openim-msgtransfer openim-push openim-crontask openim-rpc-auth openim-rpc-conversation openim-rpc-friend openim-rpc-group openim-rpc-msg openim-rpc-third openim-rpc-user chat-api admin-api chat-rpc admin-rpc';
    const down = scaleDownArgv(spec).join(' ');
    expect(down.startsWith('kubectl -n openim scale deployment ')).toBe(true);
    expect(down.endsWith(' --replicas=0')).toBe(true);
    expect(new Set(down.split(' ').slice(5, -1))).toEqual(new Set(names.split(' ')));
    expect(down).not.toMatch(/front/);
    expect(podsGoneArgv(spec).slice(0, 7)).toEqual(['kubectl', '-n', 'openim', 'wait', '--for=delete', 'pod', '-l']);
    const up = scaleUpArgvs(spec).map((a) => a.join(' '));
    expect(up).toHaveLength(2);
    expect(up[1]).toBe('kubectl -n openim scale deployment openim-msggateway --replicas=2');
    expect(up[0]).toMatch(/--replicas=1$/);
    expect(restartArgv(spec).slice(0, 6)).toEqual(['kubectl', '-n', 'openim', 'rollout', 'restart', 'deployment']);
  });

  it('Redis is emptied inside its pod (REDISCLI_AUTH from the chart): standalone, cluster, and not at all when external', () => {
    // No argument has a space, so the joined command line says exactly which argv it is.
    expect(redisFlushArgv(dev)?.join(' ')).toBe(
      'kubectl -n openim exec openim-redis-0 -c redis -- redis-cli -p 6379 FLUSHALL',
    );
    expect(redisFlushArgv(productionSpec())?.join(' ')).toBe(
      'kubectl -n openim exec openim-redis-0 -c redis -- redis-cli --cluster call 127.0.0.1:6379 FLUSHALL',
    );
    expect(redisFlushArgv(devSpec(...EXTERNAL_SETS))).toBeUndefined();
  });
});

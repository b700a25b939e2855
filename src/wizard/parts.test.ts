import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectLayers } from '../config/resolve.js';
import { Answers } from './answers.js';
import { equivalentCommand, formatCommand } from './command-line.js';
import { addressList, parseEndpoint } from './questions/reach.js';
import { answersFileText } from './save.js';
import { checkValue, enumValues, isSecretPath } from './schema-piece.js';
import { formatTable, wrapText } from './text.js';

describe('schema pieces', () => {
  it('validate one key with the schema’s own messages', () => {
    expect(checkValue('kubernetes.namespace', 'openim')).toBe(true);
    expect(checkValue('kubernetes.namespace', 'Open_IM')).toMatch(/DNS-1123 label/);
    expect(checkValue('infrastructure.redis.address', ['r:6379', 'nope'])).toMatch(/host:port/);
    expect(enumValues('kubernetes.ingress.controller')).toEqual(['nginx', 'traefik', 'istio', 'gateway-api', 'none']);
    expect(isSecretPath('infrastructure.mongodb.password')).toBe(true);
    expect(isSecretPath('infrastructure.mongodb.username')).toBe(false);
  });
});

describe('addresses', () => {
  it('a host without a port gets the service port; endpoints parse URLs and host:port', () => {
    expect(addressList(' a , b:1,, ', 27017)).toEqual(['a:27017', 'b:1']);
    expect(parseEndpoint('https://s3.example.com')).toEqual({ host: 's3.example.com', port: 443 });
    expect(parseEndpoint('http://minio:9000/x')).toEqual({ host: 'minio', port: 9000 });
    expect(parseEndpoint('minio.internal:9000')).toEqual({ host: 'minio.internal', port: 9000 });
    expect(parseEndpoint('not a url')).toBeUndefined();
  });
});

describe('text layout', () => {
  it('wraps words to the width and cuts words longer than a line', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    for (const line of wrapText('ingress-nginx was retired in March 2026 and gets no security fixes', 20))
      expect(line.length).toBeLessThanOrEqual(20);
  });

  it('puts values under their labels on a narrow terminal', () => {
    const rows = [{ label: 'Object storage', value: 'minio, bundled; files at https://im.example.com/im-minio-api' }];
    const wide = formatTable(rows, 100);
    expect(wide).toHaveLength(1);
    const narrow = formatTable(rows, 40);
    expect(narrow[0]).toBe('  Object storage');
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(40);
  });
});

describe('the equivalent command line', () => {
  it('repeats the user’s own options, adds one per answer, quotes for the shell and names credentials only', () => {
    const input = {
      preset: 'dev',
      flags: { kubernetes: { ingress: { controller: 'traefik' } } },
      sets: ['openim.allowRegister=false'],
    };
    const answers = new Answers(collectLayers(input));
    answers.put('openim.domain', 'im.example.com');
    answers.put('binary.mirror', 'https://mirror.example.com/a b');
    answers.put('infrastructure.redis.address', ['r1:6379', 'r2:6379']);
    answers.put('infrastructure.redis.password', 'hunter2');
    answers.put('openim.components.chat', true); // the schema default: not repeated
    const cmd = equivalentCommand(input, answers);
    expect(cmd.options).toEqual([
      ['--preset', 'dev'],
      ['--ingress', 'traefik'],
      ['--set', 'openim.allowRegister=false'],
      ['--domain', 'im.example.com'],
      ['--set', 'binary.mirror=https://mirror.example.com/a b'],
      ['--set', 'infrastructure.redis.address=r1:6379,r2:6379'],
      ['--yes'],
    ]);
    expect(cmd.env).toEqual(['OPENIM_DEPLOY_INFRASTRUCTURE__REDIS__PASSWORD']);
    const text = formatCommand(cmd, 60).join('\n');
    expect(text).not.toContain('hunter2');
    expect(text).toContain(`--set 'binary.mirror=https://mirror.example.com/a b'`);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('the answers file', () => {
  it('holds what was said, without credentials', () => {
    const text = answersFileText({
      target: 'binary',
      infrastructure: {
        mongodb: { mode: 'external', password: 'pw', address: ['m:1'] },
        objectStorage: { secretKey: 'sk' },
      },
      openim: { secret: 's' },
    });
    expect(parse(text)).toEqual({
      target: 'binary',
      infrastructure: { mongodb: { mode: 'external', address: ['m:1'] } },
    });
    expect(text).toMatch(/^# Written by the openim-deploy wizard/);
  });
});

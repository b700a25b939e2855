import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHAT_RELEASES, KUBERNETES_DISCOVERY_RBAC, SERVER_RELEASES } from '../../../catalog/openim-versions.js';
import { ALL_MODULES } from '../../../catalog/modules.js';
import { specFor } from '../../../../test/helpers/kubernetes-specs.js';
import { moduleValues, processInvocation } from './values.js';

const chart = (path: string) =>
  readFileSync(new URL(`../../../../templates/charts/openim-service/${path}`, import.meta.url), 'utf8');

describe('module values: config delivery and discovery RBAC from the catalog', () => {
  it('#15 defect 4: the discovery Role covers services, endpoints, pods and discovery.k8s.io endpointslices (get/list/watch), and the chart renders the rules it is given', () => {
    const rules = KUBERNETES_DISCOVERY_RBAC;
    const has = (group: string, resource: string) =>
      rules.some(
        (r) =>
          r.apiGroups.includes(group) &&
          r.resources.includes(resource) &&
          ['get', 'list', 'watch'].every((v) => r.verbs.includes(v)),
      );
    for (const resource of ['services', 'endpoints', 'pods']) expect(has('', resource), resource).toBe(true);
    expect(has('discovery.k8s.io', 'endpointslices')).toBe(true);
    // The chart's own defaults are the same rules, and its Role takes them from values (no second copy in the template).
    expect(parse(chart('values.yaml')).rbac.rules).toEqual(rules);
    expect(chart('templates/rbac.yaml')).toContain('toYaml .Values.rbac.rules');
    expect(chart('templates/rbac.yaml')).not.toMatch(/resources: \[/);
  });

  it('#15 defect 1: -c for every catalog version; a command only where the image entrypoint drops args', () => {
    for (const r of SERVER_RELEASES)
      expect(processInvocation(r.kubernetes, 'openim-rpc-user'), r.version).toEqual({
        command: [],
        args: ['-c', '/config', '-i', '0'],
        env: [],
      });
    for (const r of CHAT_RELEASES) {
      const inv = processInvocation(r.kubernetes, 'admin-api');
      expect(inv.command[0], r.version).toMatch(/^\/openim-chat\/_output\/(openim-)?admin-api$/);
      expect(inv.args).toEqual(['-c', '/config', '-i', '0']);
    }
    expect(processInvocation({ ...SERVER_RELEASES[0]!.kubernetes, configVia: 'env' }, 'openim-api').env).toEqual([
      { name: 'CONFIG_PATH', value: '/config' },
    ]);
    expect(processInvocation(undefined, 'openim-web-front')).toEqual({ command: [], args: [], env: [] });
  });

  it('every gRPC module registers its pod IP through the downward API (server v3.8.3 registers an empty registerIP as ":port")', () => {
    const spec = specFor('production');
    for (const mod of ALL_MODULES) {
      const values = moduleValues(spec, mod);
      if (mod.ports.some((p) => p.name === 'grpc')) {
        const prefix = mod.product === 'server' ? 'IMENV_' : 'CHATENV_';
        expect(values.podIPEnv, mod.name).toEqual([
          `${prefix}${mod
            .configFile!.replace(/\.yml$/, '')
            .replaceAll('-', '_')
            .toUpperCase()}_RPC_REGISTERIP`,
        ]);
      } else expect(values.podIPEnv, mod.name).toEqual([]);
    }
    // The chart turns each name into a status.podIP field reference.
    expect(chart('templates/deployment.yaml')).toMatch(
      /range \.Values\.podIPEnv \}\}\n\s+- name: \{\{ \. \}\}\n\s+valueFrom:\n\s+fieldRef:\n\s+fieldPath: status\.podIP/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ok, RecordingRunner } from '../../../test/helpers/recording-runner.js';
import { clusterFacts } from './facts.js';
import { specFor } from '../../../test/helpers/kubernetes-specs.js';

function runner(nodes: object[], crds: object[] = []) {
  return new RecordingRunner((argv) => {
    const args = argv.join(' ');
    if (args.includes('version -o json')) return ok(JSON.stringify({ serverVersion: { gitVersion: 'v1.33.0' } }));
    if (args.includes('get nodes')) return ok(JSON.stringify({ items: nodes }));
    if (args.includes('get crd')) return ok(JSON.stringify({ items: crds }));
    if (args.includes('-o json')) return ok(JSON.stringify({ items: [] }));
    return ok('ctx');
  });
}

const node = (name: string, meta: object = {}) => ({
  metadata: { name, ...meta },
  status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '8', memory: '32Gi' } },
});

describe('cluster facts', () => {
  it('marks a cluster whose nodes are all kwok fakes as simulated (no smoke test can run there)', async () => {
    const fake = { annotations: { 'kwok.x-k8s.io/node': 'fake' }, labels: { 'kwok.x-k8s.io/node': 'fake' } };
    expect((await clusterFacts(specFor('dev'), runner([node('a', fake), node('b', fake)]))).simulated).toBe(true);
  });

  it('does not when any node is real', async () => {
    const facts = await clusterFacts(
      specFor('dev'),
      runner([node('a', { annotations: { 'kwok.x-k8s.io/node': 'fake' } }), node('b')]),
    );
    expect(facts.simulated).toBeUndefined();
    expect(facts.nodes.map((n) => n.cpuMillis)).toEqual([8000, 8000]);
  });

  it('reads the Gateway API bundle version and channel upstream stamps on the gateways CRD', async () => {
    const annotations = {
      'gateway.networking.k8s.io/bundle-version': 'v1.4.0',
      'gateway.networking.k8s.io/channel': 'standard',
    };
    const crds = [
      {
        metadata: {
          name: 'httproutes.gateway.networking.k8s.io',
          annotations: { 'gateway.networking.k8s.io/bundle-version': 'v0.1.0' },
        },
      },
      { metadata: { name: 'gateways.gateway.networking.k8s.io', annotations } },
    ];
    const facts = await clusterFacts(specFor('dev'), runner([node('a')], crds));
    expect(facts.gatewayApi).toEqual({ bundleVersion: 'v1.4.0', channel: 'standard' });
    expect(facts.crds).toEqual(['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io']);
    expect((await clusterFacts(specFor('dev'), runner([node('a')]))).gatewayApi).toBeUndefined();
  });
});

// Kubernetes schema validation of rendered objects with kubernetes-models
// (4.5.1: core APIs) and the @kubernetes-models CRD packages (Traefik,
// Istio, Gateway API, cert-manager, Prometheus operator). Every model class
// carries its apiVersion and kind; a kind without a model is an error, never
// a silent pass.

import * as certManager from '@kubernetes-models/cert-manager';
import * as gatewayApi from '@kubernetes-models/gateway-api';
import * as istio from '@kubernetes-models/istio';
import * as prometheus from '@kubernetes-models/prometheus-operator';
import * as traefik from '@kubernetes-models/traefik';
import * as core from 'kubernetes-models';
import { Ajv } from 'ajv';

type ModelClass = (new (data: object) => { validate(): void }) & { apiVersion: string; kind: string };

function collect(ns: unknown, into: Map<string, ModelClass>, seen = new Set<unknown>()): Map<string, ModelClass> {
  if (ns === null || (typeof ns !== 'object' && typeof ns !== 'function') || seen.has(ns)) return into;
  seen.add(ns);
  if (typeof ns === 'function') {
    const c = ns as Partial<ModelClass>;
    if (typeof c.apiVersion === 'string' && typeof c.kind === 'string')
      into.set(`${c.apiVersion}/${c.kind}`, ns as ModelClass);
    return into;
  }
  for (const value of Object.values(ns as Record<string, unknown>)) collect(value, into, seen);
  return into;
}

export const MODELS: ReadonlyMap<string, ModelClass> = [
  core,
  traefik,
  istio,
  gatewayApi,
  certManager,
  prometheus,
].reduce((m, pkg) => collect(pkg, m), new Map<string, ModelClass>());

export interface SchemaProblem {
  object: string;
  message: string;
}

/**
 * CRDs no @kubernetes-models package covers, from their upstream
 * openAPIV3Schema. ObjectBucketClaim: Rook's deploy/examples/crds.yaml
 * (lib-bucket-provisioner). Unknown spec fields are refused, as the API
 * server would prune them silently.
 */
const EXTRA_SCHEMAS: Record<string, object> = {
  'objectbucket.io/v1alpha1/ObjectBucketClaim': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
      spec: {
        type: 'object',
        additionalProperties: false,
        required: ['storageClassName'],
        properties: {
          additionalConfig: { type: 'object', additionalProperties: { type: 'string' } },
          bucketName: { type: 'string' },
          generateBucketName: { type: 'string' },
          objectBucketName: { type: 'string' },
          storageClassName: { type: 'string', minLength: 1 },
        },
      },
      status: { type: 'object' },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const EXTRA = new Map(Object.entries(EXTRA_SCHEMAS).map(([k, schema]) => [k, ajv.compile(schema)]));

/** Validate one object; returns problems (unknown kind, schema errors). */
export function validateObject(obj: Record<string, any>): SchemaProblem[] {
  const id = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
  const extra = EXTRA.get(`${obj.apiVersion}/${obj.kind}`);
  if (extra) return extra(obj) ? [] : [{ object: id, message: ajv.errorsText(extra.errors) }];
  const Model = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!Model) return [{ object: id, message: `no schema for ${obj.apiVersion} ${obj.kind}` }];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [{ object: id, message: (e as Error).message }];
  }
}

// local-path-provisioner has no published Helm repository
// (rancher/local-path-provisioner#89), so the installer applies the upstream
// deploy manifest (deploy/local-path-storage.yaml), built here as objects from
// the catalog pins. One `v1 List` keeps it a single YAML document.

import type { DeploySpec } from '../../../config/schema.js';
import { STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import { imageString } from './images.js';

const LABELS = { 'app.kubernetes.io/name': 'local-path-provisioner', 'app.kubernetes.io/managed-by': 'openim-deploy' };

/** Where volumes live on each node (upstream default). */
const LOCAL_PATH_NODE_DIR = '/opt/local-path-provisioner';

export function localPathObjects(spec: DeploySpec, storageClass: string): Record<string, unknown>[] {
  const pin = STORAGE_PROVISIONERS['local-path'];
  const ns = pin.namespace;
  const sa = 'local-path-provisioner-service-account';
  const helperPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'helper-pod' },
    spec: {
      priorityClassName: 'system-node-critical',
      tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }],
      containers: [
        { name: 'helper-pod', image: imageString(spec, pin.images.helper), imagePullPolicy: 'IfNotPresent' },
      ],
      ...(spec.images.pullSecret ? { imagePullSecrets: [{ name: spec.images.pullSecret }] } : {}),
    },
  };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: LABELS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns, labels: LABELS } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'local-path-provisioner-role', labels: LABELS },
      rules: [
        {
          apiGroups: [''],
          resources: ['nodes', 'persistentvolumeclaims', 'configmaps'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: [''], resources: ['endpoints', 'persistentvolumes', 'pods'], verbs: ['*'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-path-provisioner-bind', labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'local-path-provisioner-role' },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'local-path-provisioner', namespace: ns, labels: LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'local-path-provisioner' } },
        template: {
          metadata: { labels: { app: 'local-path-provisioner', ...LABELS } },
          spec: {
            serviceAccountName: sa,
            ...(spec.images.pullSecret ? { imagePullSecrets: [{ name: spec.images.pullSecret }] } : {}),
            containers: [
              {
                name: 'local-path-provisioner',
                image: imageString(spec, pin.images.provisioner),
                imagePullPolicy: 'IfNotPresent',
                command: ['local-path-provisioner', '--debug', 'start', '--config', '/etc/config/config.json'],
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config/' }],
                env: [
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  // Where the provisioner finds the setup/teardown scripts it hands to its helper pods.
                  { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
                ],
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              },
            ],
            volumes: [{ name: 'config-volume', configMap: { name: 'local-path-config' } }],
          },
        },
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: storageClass, labels: LABELS },
      provisioner: pin.provisioner,
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'local-path-config', namespace: ns, labels: LABELS },
      data: {
        'config.json': JSON.stringify(
          { nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [LOCAL_PATH_NODE_DIR] }] },
          null,
          2,
        ),
        setup: '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n',
        teardown: '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n',
        'helperPod.yaml': JSON.stringify(helperPod, null, 2),
      },
    },
  ];
}

/** The whole manifest as one object. */
export function localPathManifest(spec: DeploySpec, storageClass: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items: localPathObjects(spec, storageClass) };
}

import { describe, expect, it } from 'vitest';
import { SECRET_IDS, secretRef } from '../../../secrets/secrets.js';
import { INFRA_SECRET_KEYS, INFRA_SECRET_NAME } from './names.js';
import { infraSecret } from './secret.js';
import { devSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import { kubernetesLayout } from '../layout.js';

describe('infraSecret', () => {
  it('maps every key the charts read to a known secret id, as placeholders only', () => {
    const secret = infraSecret(kubernetesLayout(devSpec())) as {
      metadata: { name: string; namespace: string };
      stringData: Record<string, string>;
    };
    expect(secret.metadata).toMatchObject({ name: INFRA_SECRET_NAME, namespace: 'openim' });
    expect(Object.keys(secret.stringData)).toEqual(Object.keys(INFRA_SECRET_KEYS));
    for (const [key, id] of Object.entries(INFRA_SECRET_KEYS)) {
      expect(SECRET_IDS).toContain(id);
      expect(secret.stringData[key]).toBe(secretRef(id));
    }
  });
});

// The last word of an install: where to point clients and where the
// credentials are (never the credentials themselves).

import type { DeploySpec } from '../../../config/schema.js';
import { CHAT_ADMIN_LOGIN } from '../../../catalog/openim-versions.js';
import type { Step } from '../../../plan/types.js';
import type { KubernetesLayout } from '../layout.js';
import { SUMMARY_STEP } from '../names.js';
import { publicUrls } from '../urls.js';

export function summaryText(spec: DeploySpec, layout: KubernetesLayout): string {
  const urls = publicUrls(spec);
  const ns = layout.namespace;
  const secret = layout.secrets.openim;
  const c = spec.openim.components;
  const lines = [
    `OpenIM ${spec.openim.serverVersion}${c.chat ? ` + chat ${spec.openim.chatVersion}` : ''} in namespace ${ns}.`,
  ];
  if (spec.kubernetes.ingress.controller === 'none') {
    lines.push(
      'No ingress was created: route /api, /msg_gateway, /chat, /complete_admin and /im-minio-api to the Services yourself.',
    );
  }
  lines.push(`SDK: apiAddr=${urls.apiAddr} wsAddr=${urls.wsAddr}`);
  if (c.webFront) lines.push(`Web client: ${urls.web}`);
  if (c.adminFront && urls.adminConsole) lines.push(`Admin console: ${urls.adminConsole} (${CHAT_ADMIN_LOGIN})`);
  else if (c.adminFront) {
    lines.push(
      `Admin console: not published (it needs its own host name, admin.<domain>): kubectl -n ${ns} port-forward svc/openim-admin-front 8080:80, then http://127.0.0.1:8080/ (${CHAT_ADMIN_LOGIN})`,
    );
  }
  if (c.chat) lines.push(`Chat API: ${urls.chatApi}, admin API: ${urls.adminApi}`);
  lines.push(`Files (MinIO presigned URLs): ${urls.objectStorage}`);
  lines.push(
    'Credentials: every generated one is in the openim-deploy state file (state.json in the work dir, mode 0600); ' +
      `those the OpenIM processes read are also in Secret ${ns}/${secret}, e.g. kubectl -n ${ns} get secret ${secret} -o jsonpath='{.data.openim\\.secret}' | base64 -d`,
  );
  return lines.join('\n');
}

export function summaryStep(spec: DeploySpec, layout: KubernetesLayout, needs: string[]): Step {
  return {
    id: SUMMARY_STEP,
    title: 'Summary',
    phase: 'summary',
    needs,
    actions: [{ kind: 'note', text: summaryText(spec, layout) }],
  };
}

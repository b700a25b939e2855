// Names of the objects the Kubernetes plan creates outside the charts, and the
// step ids other folders (infrastructure, monitoring) hang their steps on.

export const NAMESPACE_STEP = 'k8s.namespace';
export const CHARTS_STEP = 'k8s.charts.openim-service';
export const CONFIG_STEP = 'k8s.config';
export const SECRETS_STEP = 'k8s.secrets';
export const API_READY_STEP = 'k8s.wait.openim-api';
export const INGRESS_STEP = 'k8s.ingress';
export const CHAT_ADMIN_STEP = 'k8s.chat.admin-password';
export const VERIFY_STEP = 'k8s.verify';
export const SUMMARY_STEP = 'k8s.summary';

/** One ConfigMap per product, shared by its modules: every process reads the shared files (share.yml, discovery.yml …) beside its own. */
export const CONFIG_MAPS = { server: 'openim-server-config', chat: 'openim-chat-config' } as const;
/** Credentials the OpenIM processes read as IMENV_ and CHATENV_ variables. */
export const OPENIM_SECRET = 'openim-secrets';
/** Where each process finds its config folder. */
export const CONFIG_MOUNT_PATH = '/config';
/** log.yml storageLocation: an emptyDir, so the root filesystem stays read-only. */
export const LOG_DIR = '/openim/logs';

/** Local chart of every OpenIM module (templates/charts/openim-service). */
export const SERVICE_CHART = { from: 'charts/openim-service', path: './charts/openim-service' } as const;

export const MANAGED_BY = {
  'app.kubernetes.io/managed-by': 'openim-deploy',
  'app.kubernetes.io/part-of': 'openim',
} as const;

// THE allow-list of the conformance suite: every intentional difference
// between what openim-deploy renders and upstream's own config, one entry per
// difference, each with the reason and the upstream source it rests on. The
// suite prints this list, fails on any difference not listed here, and fails
// on an entry that no longer matches anything (so the list cannot go stale).

import type { Finding, FindingKind } from './compare.js';
import type { Product } from './upstream.js';

export interface AllowEntry {
  kind: FindingKind;
  product: Product;
  /** Upstream module version the entry was reviewed against. */
  version: string;
  file: string;
  /** Dotted key path ('' for a file); decoder keys compare case-insensitively (viper lower-cases). */
  key: string;
  /** Only for these targets; absent = both. */
  targets?: ('binary' | 'kubernetes')[];
  reason: string;
  /** path@tag:line of the upstream source the reason rests on. */
  upstream: string;
}

const MONITORING_FILE =
  "Prometheus/Alertmanager config shipped beside OpenIM's: no OpenIM process loads it (the loaded files are listed in pkg/common/cmd/constant.go and wired per command in pkg/common/cmd/*.go); the project's monitoring generates its own";

export const ALLOW_LIST: readonly AllowEntry[] = [
  {
    kind: 'file-missing',
    product: 'server',
    version: 'v3.8.3',
    file: 'prometheus.yml',
    key: '',
    reason: MONITORING_FILE,
    upstream: 'pkg/common/cmd/constant.go@v3.8.3:75-86',
  },
  {
    kind: 'file-missing',
    product: 'server',
    version: 'v3.8.3',
    file: 'alertmanager.yml',
    key: '',
    reason: MONITORING_FILE,
    upstream: 'pkg/common/cmd/constant.go@v3.8.3:75-86',
  },
  {
    kind: 'file-missing',
    product: 'server',
    version: 'v3.8.3',
    file: 'instance-down-rules.yml',
    key: '',
    reason: MONITORING_FILE,
    upstream: 'pkg/common/cmd/constant.go@v3.8.3:75-86',
  },
  {
    kind: 'key-missing',
    product: 'server',
    version: 'v3.8.3',
    file: 'notification.yml',
    key: 'groupCancelMuted.defaultTips',
    reason:
      "dead key in upstream's file: NotificationConfig has no defaultTips field (the strict decoder reports it unused in upstream's own notification.yml), so it is not written",
    upstream: 'config/notification.yml@v3.8.3:141, pkg/common/config/config.go@v3.8.3:130-135',
  },
  {
    kind: 'decode-unused',
    product: 'server',
    version: 'v3.8.3',
    file: 'redis.yml',
    key: 'db',
    reason:
      "upstream's redis.yml names the key db but config.Redis reads `storage`, so db is dead in v3.8.3; written as upstream ships it (0, the default database, either way)",
    upstream: 'config/redis.yml@v3.8.3:5, pkg/common/config/config.go@v3.8.3:347',
  },
  {
    kind: 'decode-unused',
    product: 'server',
    version: 'v3.8.3',
    file: 'openim-rpc-third.yml',
    key: 'object.aws.publicRead',
    reason:
      "upstream's file carries object.aws.publicRead but the Aws struct has no such field; written as upstream ships it (false)",
    upstream: 'config/openim-rpc-third.yml@v3.8.3:47, pkg/common/config/config.go@v3.8.3:324-331',
  },
  {
    kind: 'key-unknown',
    product: 'chat',
    version: 'v1.8.4',
    file: 'share.yml',
    key: 'proxyHeader',
    reason:
      "read by Share.ProxyHeader though upstream's share.yml omits it; written so it can be set (and overridden by CHATENV_SHARE_PROXYHEADER, which viper only reads for keys in the file): chat takes the client IP from this header and answers 500 when it is set but absent or not one IP",
    upstream: 'pkg/common/config/config.go@v1.8.4:24, internal/api/util/api.go@v1.8.4:22-35',
  },
];

export function allowEntryFor(f: Finding, version: string, target: 'binary' | 'kubernetes'): AllowEntry | undefined {
  const decoderKey = f.kind.startsWith('decode-');
  const same = (a: string, b: string) => (decoderKey ? a.toLowerCase() === b.toLowerCase() : a === b);
  return ALLOW_LIST.find(
    (e) =>
      e.kind === f.kind &&
      e.product === f.product &&
      e.version === version &&
      e.file === f.file &&
      same(e.key, f.key) &&
      (!e.targets || e.targets.includes(target)),
  );
}

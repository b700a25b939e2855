// Alert thresholds. One place, so the rules, their promtool tests and the
// docs agree.

export const THRESHOLDS = {
  /** Container or unit restarts within one hour above which we alert. */
  restartsPerHour: 3,
  /** Unit restarts within 15 minutes that count as crash-looping on a host (systemd has no CrashLoopBackOff). */
  hostCrashLoopRestarts: 3,
  /** Messages a consumer group may lag behind on a topic before a growing lag alerts. */
  kafkaLag: 1000,
  /** Free-space fraction of a volume or host filesystem below which we warn. */
  freeSpaceRatio: 0.1,
} as const;

/** How long a condition must hold before it fires. */
export const FOR = {
  instanceDown: '5m',
  moduleDown: '2m',
  moduleAbsent: '10m',
  crashLoop: '10m',
  kafkaLag: '15m',
  volume: '5m',
  unitFailed: '2m',
} as const;

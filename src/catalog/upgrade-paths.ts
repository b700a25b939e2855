// Upgrade rules (open-im-server issue #2554): releases an upgrade must pass
// through, each applied and verified before the next. Upstream asks for a
// stop at each minor line that carries a data migration; within 3.8 there
// is none, so the list is empty today. The `seq` migration into 3.8 is keyed
// by ServerRelease.seqMigrationBelow.

export const STEPPING_STONES: readonly string[] = [];

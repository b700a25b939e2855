// MongoDB Database Tools (mongodump, mongorestore) on a host, for `backup`
// and `restore`. Installed by `install` only when binary.artifacts.mongotools
// names a source (the vendor archive with its sha256, or a local file): most
// hosts never back up with them, and no install should fail for lack of a pin
// it does not use. Otherwise `backup` takes them from PATH, and says how to
// get them when they are on neither.

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HOST_ARCHIVES } from '../../catalog/host-artifacts.js';
import type { DeploySpec } from '../../config/schema.js';
import type { Step } from '../../plan/types.js';
import { artifactConfig, type PlannedArtifact } from './artifacts.js';
import type { BinaryLayout } from './layout.js';
import { BINARY_STEP, fetchStepId } from './step-ids.js';

const MONGO_TOOLS = HOST_ARCHIVES.mongotools;

export function mongoToolsWanted(spec: DeploySpec): boolean {
  const c = artifactConfig(spec, 'mongotools');
  return Boolean(c.file || c.url);
}

function mongoToolsHome(layout: BinaryLayout): string {
  return `${layout.infraRoot}/mongotools-${MONGO_TOOLS.version}`;
}

export function mongoToolsStep(layout: BinaryLayout, planned: PlannedArtifact): Step {
  return {
    id: BINARY_STEP.mongoTools,
    title: `MongoDB Database Tools ${MONGO_TOOLS.version} (backup, restore)`,
    phase: 'infrastructure',
    component: 'mongotools',
    needs: [BINARY_STEP.dirs, fetchStepId('mongotools')],
    actions: [{ kind: 'extract', archive: planned.path, to: mongoToolsHome(layout), strip: MONGO_TOOLS.strip }],
  };
}

export type MongoTool = keyof typeof MONGO_TOOLS.executables;

/** The tool installed by `install`, else the first on PATH; undefined when neither has it. */
export function findMongoTool(
  layout: BinaryLayout,
  tool: MongoTool,
  path = process.env.PATH ?? '',
): string | undefined {
  const installed = join(mongoToolsHome(layout), MONGO_TOOLS.executables[tool]);
  if (existsSync(installed)) return installed;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, tool))
    .find((f) => existsSync(f));
}

/** What to do when a tool is missing (checked by backup and restore before anything runs). */
export function mongoToolsFix(tool: MongoTool): string {
  const url = MONGO_TOOLS.url.replace('{arch}', 'x86_64').replace('{version}', MONGO_TOOLS.version);
  return [
    `${tool} (MongoDB Database Tools ${MONGO_TOOLS.version}) is not installed.`,
    `  fix: set binary.artifacts.mongotools.url (or .file) and .sha256 in the config and re-run install`,
    `       (the vendor archive: ${url}, or its aarch64 build), or put ${tool} on PATH`,
  ].join('\n');
}

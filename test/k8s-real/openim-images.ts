// OpenIM server images built here (issue #17 item 2): one image per module, from the binaries
// that scripts/openim/build.sh (h-harness) exports, under exactly the reference the product's
// plan gives the module (moduleImage: registry, tag, mirror rules), so a node that has them
// imported runs the product's charts without any pull. Root: the module's binary, Debian's
// CA bundle, the non-root user (test/cluster/oci-image.ts). The binary is the entrypoint: the
// product's pods pass only arguments (`-c CONFIG -i 0`, src/targets/kubernetes/modules/values.ts).

import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatImage } from '../../src/catalog/images.js';
import { SERVER_MODULES } from '../../src/catalog/modules.js';
import type { DeploySpec } from '../../src/config/rules.js';
import { moduleImage } from '../../src/targets/kubernetes/modules/images.js';
import type { ImageSpec } from '../cluster/oci-image.js';

/** The server tarball h-harness's build exports (scripts/openim/build.sh server). */
export function serverExport(version: string): string {
  const dir = execFileSync('bash', ['scripts/openim/build.sh', 'path', 'server'], { encoding: 'utf8' }).trim();
  if (!dir.endsWith(`/${version}`)) throw new Error(`scripts/openim/build.sh builds server ${dir.split('/').pop()}, this test wants ${version}`);
  const f = join(dir, `exported_open-im-server_${version}_linux_amd64.tar.gz`);
  if (!existsSync(f)) throw new Error(`${f} is missing: run bash scripts/openim/build.sh server`);
  return f;
}

/** Image specs of every server module of `spec`'s server version, binaries unpacked into `dir`. */
export async function serverImageSpecs(spec: DeploySpec, dir: string): Promise<ImageSpec[]> {
  const version = spec.openim.serverVersion;
  await mkdir(dir, { recursive: true });
  await promisify(execFile)('tar', ['-xzf', serverExport(version), '-C', dir, '_output/bin/platforms/linux/amd64']);
  const bin = join(dir, '_output/bin/platforms/linux/amd64');
  return SERVER_MODULES.map((mod) => ({
    ref: formatImage(moduleImage(spec, mod)),
    files: [{ path: `openim-server/bin/${mod.name}`, from: join(bin, mod.name) }],
    entrypoint: [`/openim-server/bin/${mod.name}`],
    workdir: '/openim-server',
  }));
}

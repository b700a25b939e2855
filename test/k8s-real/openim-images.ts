// OpenIM server and chat images built here (issue #17 item 2): one image per module, from the binaries
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
import { CHAT_MODULES, SERVER_MODULES } from '../../src/catalog/modules.js';
import { findChatRelease, findServerRelease } from '../../src/catalog/openim-versions.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { moduleImage } from '../../src/targets/kubernetes/modules/images.js';
import type { ImageSpec } from '../cluster/oci-image.js';

type Product = 'server' | 'chat';
const EXPORT_NAME: Record<Product, string> = { server: 'open-im-server', chat: 'chat' };

/** The tarball h-harness's build exports (scripts/openim/build.sh server|chat), `mage export` layout. */
function productExport(product: Product, version: string): string {
  const dir = execFileSync('bash', ['scripts/openim/build.sh', 'path', product], { encoding: 'utf8' }).trim();
  if (!dir.endsWith(`/${version}`))
    throw new Error(`scripts/openim/build.sh builds ${product} ${dir.split('/').pop()}, this test wants ${version}`);
  const f = join(dir, `exported_${EXPORT_NAME[product]}_${version}_linux_amd64.tar.gz`);
  if (!existsSync(f)) throw new Error(`${f} is missing: run bash scripts/openim/build.sh ${product}`);
  return f;
}

/** Image specs of every module of one product at `spec`'s version, binaries unpacked into `dir`. */
export async function productImageSpecs(spec: DeploySpec, product: Product, dir: string): Promise<ImageSpec[]> {
  const version = product === 'server' ? spec.openim.serverVersion : spec.openim.chatVersion;
  const modules = product === 'server' ? SERVER_MODULES : CHAT_MODULES;
  const out = join(dir, product);
  await mkdir(out, { recursive: true });
  await promisify(execFile)('tar', [
    '-xzf',
    productExport(product, version),
    '-C',
    out,
    '_output/bin/platforms/linux/amd64',
  ]);
  const bin = join(out, '_output/bin/platforms/linux/amd64');
  // Where the upstream image keeps the binary: the catalog's command when the plan names one (chat
  // images run `sh -c _output/<bin>` in /openim-chat, so the plan runs that path itself), else the
  // server images' WORKDIR /openim-server with `./bin/<module>` as the entrypoint.
  const release = product === 'server' ? findServerRelease(version) : findChatRelease(version);
  if (!release) throw new Error(`${product} ${version} is not in the catalog`);
  const command = release.kubernetes.command;
  return modules.map((mod) => {
    const path = command[mod.name] ?? `/openim-server/bin/${mod.name}`;
    return {
      ref: formatImage(moduleImage(spec, mod)),
      // The export names each binary after its module (server openim-api, chat chat-api ...).
      files: [{ path: path.slice(1), from: join(bin, mod.name) }],
      entrypoint: [path],
      workdir: path.slice(0, path.indexOf('/', 1)),
    };
  });
}

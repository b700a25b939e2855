// Carries out one action. The only place that touches files or runs commands
// on behalf of a plan.

import { chmod, cp, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { ExecError, UserAbort } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { sleep } from '../util/sleep.js';
import { extractArchive } from '../archive/extract.js';
import { fetchArtifact, type ArtifactSource } from '../artifacts/fetch.js';
import { goBuildExport } from '../build/go-build.js';
import type { Action, FetchAction } from '../plan/types.js';
import type { Redactor } from '../secrets/redact.js';
import { materialise, type SecretValues } from '../secrets/secrets.js';
import { isYamlPath, materialiseYaml } from '../secrets/yaml.js';
import type { ProbeFn } from './probes.js';
import { startForward, type ForwardFn } from '../process/port-forward.js';
import { ensureChatAdminPassword } from '../chat-admin/password.js';

export interface ActionContext {
  runner: Runner;
  workdir: string;
  templatesDir: string;
  secrets: Partial<SecretValues>;
  redactor: Redactor;
  probe: ProbeFn;
  /** Starts `kubectl port-forward` for actions that reach a Service (tests inject one). */
  forward?: ForwardFn;
  signal?: AbortSignal;
  /** Progress text for the step's line (already redacted by the caller). */
  report: (text: string) => void;
  stepId: string;
}

function resolvePath(workdir: string, path: string): string {
  return isAbsolute(path) ? path : join(workdir, path);
}

function fetchSource(action: FetchAction, workdir: string): ArtifactSource {
  if (action.url) return { url: action.url };
  if (action.file) return { file: resolvePath(workdir, action.file) };
  throw new Error(`fetch ${action.to}: no source (url, file or bundle)`);
}

/** What an action leaves for the journal (a built artifact's checksum). */
export interface ActionOutput {
  artifacts?: { path: string; sha256: string }[];
}

export async function runAction(action: Action, ctx: ActionContext): Promise<ActionOutput | void> {
  if (ctx.signal?.aborted) throw new UserAbort();
  switch (action.kind) {
    case 'exec': {
      const argv = action.argv.map((a) => materialise(a, ctx.secrets));
      ctx.report(ctx.redactor.redactArgv(action.argv).join(' '));
      const result = await ctx.runner.run(argv, {
        cwd: ctx.workdir,
        ...(action.input !== undefined ? { input: materialise(action.input, ctx.secrets) } : {}),
        ...(action.timeoutSeconds ? { timeoutMs: action.timeoutSeconds * 1000 } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      if (result.exitCode !== 0 && !(action.okExitCodes ?? []).includes(result.exitCode)) {
        throw new ExecError(
          action.argv,
          result.exitCode,
          ctx.redactor.redact(result.stderr || result.stdout),
          ctx.stepId,
        );
      }
      return;
    }
    case 'write': {
      const path = resolvePath(ctx.workdir, action.path);
      ctx.report(`write ${path}`);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.openim-deploy.tmp`;
      const content = isYamlPath(action.path)
        ? materialiseYaml(action.content, ctx.secrets)
        : materialise(action.content, ctx.secrets);
      await writeFile(tmp, content, { mode: action.mode });
      await chmod(tmp, action.mode);
      await rename(tmp, path);
      return;
    }
    case 'copy': {
      const to = resolvePath(ctx.workdir, action.to);
      ctx.report(`copy ${action.from} → ${to}`);
      await mkdir(dirname(to), { recursive: true });
      await cp(join(ctx.templatesDir, action.from), to, { recursive: true, force: true });
      return;
    }
    case 'wait': {
      const deadline = Date.now() + action.timeoutSeconds * 1000;
      for (;;) {
        const result = await ctx.probe(action.probe, {
          runner: ctx.runner,
          cwd: ctx.workdir,
          secrets: ctx.secrets,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        if (result.ok) {
          ctx.report(ctx.redactor.redact(result.detail));
          return;
        }
        const last = ctx.redactor.redact(result.detail);
        ctx.report(`waiting: ${last}`);
        if (Date.now() >= deadline)
          throw new Error(`step ${ctx.stepId}: not ready after ${action.timeoutSeconds}s: ${last}`);
        await sleep(action.intervalSeconds * 1000, ctx.signal);
      }
    }
    case 'note':
      ctx.report(action.text);
      return;
    case 'fetch': {
      const to = resolvePath(ctx.workdir, action.to);
      const result = await fetchArtifact({
        source: fetchSource(action, ctx.workdir),
        sha256: action.sha256,
        to,
        ...(action.verifiedBy ? { verifiedBy: action.verifiedBy } : {}),
        report: ctx.report,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      ctx.report(
        `${to}: ${result.how}, ${result.bytes} bytes, sha256 ${result.sha256}${action.sha256 ? ' verified' : ` (verified by the ${action.verifiedBy})`}`,
      );
      return;
    }
    case 'chat-admin-password': {
      const forward =
        'portForward' in action.adminApi
          ? await (ctx.forward ?? startForward)(action.adminApi.portForward, ctx.signal)
          : undefined;
      try {
        const base = forward ? `http://127.0.0.1:${forward.localPort}` : (action.adminApi as { url: string }).url;
        await ensureChatAdminPassword({
          base,
          account: action.account,
          password: materialise(action.password, ctx.secrets),
          seeded: action.seeded,
          timeoutSeconds: action.timeoutSeconds,
          intervalSeconds: action.intervalSeconds,
          report: (text) => ctx.report(ctx.redactor.redact(text)),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
      } finally {
        forward?.stop();
      }
      return;
    }
    case 'go-build': {
      const to = resolvePath(ctx.workdir, action.to);
      const result = await goBuildExport(action, to, {
        report: ctx.report,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      ctx.report(
        `${to}: ${result.cached ? 'from the build cache' : `built in ${result.seconds} s`}, ${result.bytes} bytes, sha256 ${result.sha256}`,
      );
      return { artifacts: [{ path: to, sha256: result.sha256 }] };
    }
    case 'extract': {
      const to = resolvePath(ctx.workdir, action.to);
      ctx.report(`extract ${action.archive} → ${to}`);
      const result = await extractArchive({
        archive: resolvePath(ctx.workdir, action.archive),
        to,
        ...(action.strip ? { strip: action.strip } : {}),
        ...(action.select ? { select: action.select } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      ctx.report(`${to}: ${result.files} files, ${result.links} links`);
      return;
    }
  }
}

// Where uploaded files (images, voice, video, documents) live, and the URL
// clients fetch them from.

import type { QuestionContext } from './context.js';
import { confirmReachable, parseEndpoint } from './reach.js';
import { deploySpecSchema } from '../../config/schema.js';
import type { Plain } from '../../config/paths.js';
import { targetFor } from '../../targets/registry.js';

type Provider = 'minio' | 'rook-ceph' | 's3' | 'cos' | 'oss' | 'kodo';

const CLOUD_ENDPOINTS: Partial<Record<Provider, string>> = {
  s3: 'https://s3.us-east-1.amazonaws.com',
  cos: 'https://cos.ap-guangzhou.myqcloud.com',
  oss: 'https://oss-cn-hangzhou.aliyuncs.com',
  kodo: 'https://s3.cn-east-1.qiniucs.com',
};

async function askEndpoint(q: QuestionContext, provider: Provider): Promise<void> {
  const path = 'infrastructure.objectStorage.endpoint';
  if (q.answers.given(path)) return;
  for (;;) {
    const endpoint = await q.ask.text<string>(path, {
      message: 'Object storage endpoint (URL or host:port)',
      help: `The S3 API OpenIM talks to from the inside${CLOUD_ENDPOINTS[provider] ? `, e.g. ${CLOUD_ENDPOINTS[provider]}` : ', e.g. minio.internal:9000'}.`,
      extra: (value) =>
        value === ''
          ? 'required'
          : parseEndpoint(String(value))
            ? true
            : 'a URL such as https://s3.example.com or host:port',
    });
    const where = parseEndpoint(endpoint);
    if (await confirmReachable(q, path, where ? [where] : [])) return;
    q.answers.forget(path);
  }
}

export async function askObjectStorage(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  const provider = await ask.choose<Provider>('infrastructure.objectStorage.provider', {
    message: 'Object storage for files',
    help: 'Pictures, voice, video and documents sent in chats are stored here; clients upload and download them directly with signed URLs.',
    default: 'minio',
    choices: [
      { value: 'minio', name: 'MinIO', description: 'S3-compatible; bundled or one you run.' },
      {
        value: 'rook-ceph',
        name: 'Ceph object store (rook-ceph)',
        description: 'Runs on the rook-ceph storage you chose.',
      },
      {
        value: 's3',
        name: 'Amazon S3 (or any S3 service)',
        description: 'A bucket in a cloud account; needs access keys.',
      },
      { value: 'cos', name: 'Tencent Cloud COS', description: 'A COS bucket; needs SecretId and SecretKey.' },
      { value: 'oss', name: 'Alibaba Cloud OSS', description: 'An OSS bucket; needs AccessKey ID and secret.' },
      { value: 'kodo', name: 'Qiniu Kodo', description: 'A Kodo bucket; needs access keys.' },
    ],
  });

  let mode: 'bundled' | 'external';
  if (provider === 'minio') {
    mode = await ask.choose('infrastructure.objectStorage.mode', {
      message: 'MinIO: bundled or external?',
      default: 'bundled',
      choices: [
        {
          value: 'bundled',
          name: 'bundled: install MinIO',
          description: 'Generated keys; files on the storage chosen above.',
        },
        { value: 'external', name: 'external: a MinIO you run', description: 'You give its endpoint and keys.' },
      ],
    });
  } else {
    // Ceph runs where rook-ceph runs; cloud services are always someone else's.
    mode = provider === 'rook-ceph' ? 'bundled' : 'external';
    ask.imply('infrastructure.objectStorage.mode', mode);
    mode = answers.get('infrastructure.objectStorage.mode');
  }

  if (mode === 'external') {
    await askEndpoint(q, provider);
    await ask.text('infrastructure.objectStorage.bucket', {
      message: 'Bucket',
      help: 'Created when missing and the keys allow it.',
      default: answers.get<string>('infrastructure.objectStorage.bucket'),
    });
    if (provider !== 'minio')
      await ask.text('infrastructure.objectStorage.region', {
        message: 'Region (empty: from the endpoint)',
        default: answers.get<string>('infrastructure.objectStorage.region'),
      });
    await ask.secret('infrastructure.objectStorage.accessKey', {
      message: 'Access key ID',
      help: 'Never shown, and never saved to the answers file.',
      required: true,
    });
    await ask.secret('infrastructure.objectStorage.secretKey', { message: 'Secret access key', required: true });
  }

  if (provider === 'minio' || provider === 'rook-ceph') {
    await ask.text('infrastructure.objectStorage.externalAddress', {
      message: `Public URL for files (empty: ${derivedFilesUrl(answers.raw) ?? 'derived from the domain'})`,
      help: 'Apps upload and download files straight from this address with signed URLs, so phones and browsers must reach it. An internal or placeholder address makes text work but every file fail. Leave it empty to serve it behind the domain.',
      default: answers.get<string>('infrastructure.objectStorage.externalAddress'),
    });
  }
}

/** What an empty answer means: the plan's address for the answers so far (scheme from the TLS answer, MinIO's port on a host). */
function derivedFilesUrl(raw: Plain): string | undefined {
  const draft = deploySpecSchema.safeParse(raw);
  if (!draft.success) return undefined;
  try {
    return targetFor(draft.data.target).filesUrl(draft.data);
  } catch {
    return undefined;
  }
}

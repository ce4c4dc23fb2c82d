import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';
import { num, port, str } from 'envalid';

export const storageEnv = {
  ...commonEnv,
  ...databaseEnv,
  SYMBOLON_S3_PORT: port({ default: 9000, desc: 'HTTP port of the S3 API (0: any free port)' }),
  SYMBOLON_S3_HOST: str({ default: '127.0.0.1' }),
  SYMBOLON_STORAGE_BACKEND: str({
    default: 'folder',
    choices: ['folder', 'jetstream'],
    desc: "where object bytes live: a local folder (the embedded default) or NATS JetStream's object store",
  }),
  SYMBOLON_STORAGE_DIR: str({ default: '', desc: 'the folder of the folder backend' }),
  SYMBOLON_STORAGE_BUCKET: str({
    default: 'symbolon-objects',
    desc: 'the JetStream object store bucket of the jetstream backend',
  }),
  SYMBOLON_STORAGE_REPLICAS: num({
    default: 1,
    desc: 'copies of each object the JetStream object store keeps (at most the NATS cluster size)',
  }),
  SYMBOLON_MAX_SKEW_MS: num({
    default: 15 * 60 * 1000,
    desc: 'largest accepted distance of X-Amz-Date from now',
  }),
  SYMBOLON_S3_MAX_OBJECT_BYTES: num({
    default: 5 * 1024 ** 3,
    desc: 'largest PutObject or part (S3: 5 GiB); larger objects are uploaded in parts',
  }),
  SYMBOLON_SIGNING_KEY_CACHE_TTL_MS: num({
    default: 60_000,
    desc: 'how long a signing key from the gateway is kept (a disabled access key works that long at most)',
  }),
  SYMBOLON_STORAGE_SWEEP_INTERVAL_MS: num({
    default: 60_000,
    desc: 'how often blobs nobody refers to any more are deleted',
  }),
  SYMBOLON_STORAGE_UPLOAD_EXPIRY_MS: num({
    default: 7 * 24 * 3600 * 1000,
    desc: 'multipart uploads still in progress this long after they began are aborted (S3 lifecycle rule AbortIncompleteMultipartUpload)',
  }),
  SYMBOLON_STORAGE_GRACE_MS: num({
    default: 10 * 60 * 1000,
    desc: 'how long a dropped blob is kept for reads in flight, and an unrecorded one for its upload to commit',
  }),
};

export type StorageConfig = ReturnType<typeof storageConfig>;
export const storageConfig = () => loadConfig(storageEnv);

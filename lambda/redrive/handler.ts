/**
 * The redrive Lambda: run on demand (`npm run redrive`, the console's Test
 * button, `aws lambda invoke`) or on a schedule. It publishes what the
 * dead-letter queue holds and can be published, and answers, logs and counts
 * (metrics `Redriven`, `RedriveFailed`, `LeftBadInput`) a summary. Invoked with
 * `{"fromLog": "<log lines>"}`, it then also redrives the dead letters in those
 * lines (what SQS would not take), each webhook once.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_EVENT_SOURCE, INGEST_ENV } from '../contract';
import { createOversizeClient } from '../publish/oversize-client';
import type { OversizeStore } from '../publish/oversize-store';
import { publishEntry } from '../publish/publisher';
import { boundedRequests } from '../shared/aws-calls';
import { Deadline } from '../shared/deadline';
import { optionalEnv, requiredEnv } from '../shared/env';
import { lazy } from '../shared/lazy';
import { createSecretsManagerClient, readCurrentAndPrevious } from '../secrets/secrets-manager';
import { logMetricLine } from '../shared/log';
import { redriveQueueThenLog, type RedriveAnswer } from './logs';
import { oversizeRedrive } from './oversize';
import { queueStore } from './store';
import { instanceUnverifiedChecker, type UnverifiedSource } from './unverified';
import { readInstances } from '../shared/instances';

/** What a run keeps of the function's time for answering and its log line. */
const FINISHING_MS = 5000;
/** Time for one PutEvents and its retries. */
const PUBLISH_BUDGET_MS = 3000;

const eventBusName = requiredEnv(process.env, INGEST_ENV.eventBusName);
const queueUrl = requiredEnv(process.env, INGEST_ENV.deadLetterQueueUrl);
const eventSource = optionalEnv(process.env, INGEST_ENV.eventSource) ?? DEFAULT_EVENT_SOURCE;
const webhookAuthSecretId = optionalEnv(process.env, INGEST_ENV.webhookAuthSecretId);
const instances = readInstances(process.env);
const eventBridge = new EventBridgeClient({ maxAttempts: 1, ...boundedRequests(1000, 3000) });
const sqs = new SQSClient(boundedRequests(1000, 5000));
const secretsManager = createSecretsManagerClient();
const oversizeBucket = optionalEnv(process.env, INGEST_ENV.oversizeBucketName);
/** Made when a letter first needs it: most runs have no oversize event. */
const s3 = lazy(async () => createOversizeClient(await import('@aws-sdk/client-s3')));
const oversize: OversizeStore | undefined = oversizeBucket ? { bucket: oversizeBucket, client: s3 } : undefined;

/** What the function may be invoked with: nothing (the schedule, the console's Test button), or a log to redrive too. */
export interface RedriveRequest {
  readonly fromLog?: string;
}

/**
 * The check of unverified letters for one run: each instance's credentials (the default one's,
 * and each named instance's) read at most once, when its first letter needs them.
 */
function unverifiedCheckerOfRun(defaultSecretId: string | undefined): ReturnType<typeof instanceUnverifiedChecker> {
  const sources = new Map<string | undefined, UnverifiedSource | undefined>();
  const sourceOf = (instance: string | undefined): UnverifiedSource | undefined => {
    if (sources.has(instance)) return sources.get(instance);
    const named = instance === undefined ? undefined : instances.get(instance);
    const secretId = instance === undefined ? defaultSecretId : named?.webhookAuthSecretId;
    const source =
      secretId === undefined
        ? undefined
        : {
            readDocuments: lazy(() => readCurrentAndPrevious(secretsManager, secretId)),
            target: { eventBusName, eventSource: named?.eventSource ?? eventSource, ...(instance === undefined ? {} : { instance }) },
          };
    sources.set(instance, source);
    return source;
  };
  return instanceUnverifiedChecker(sourceOf);
}

export async function handler(event: RedriveRequest | null | undefined, context?: { getRemainingTimeInMillis?: () => number }): Promise<RedriveAnswer> {
  const started = Date.now();
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const fromLog = typeof event?.fromLog === 'string' ? event.fromLog : undefined;
  const summary = await redriveQueueThenLog(
    {
      ...queueStore(sqs, queueUrl),
      // An event over the entry limit goes out as a stub; a letter too large for SQS is read from the bucket.
      ...oversizeRedrive((entry) => publishEntry(eventBridge, entry, { budgetMs: PUBLISH_BUDGET_MS }), oversize),
      // The credentials are read once per run, not once per letter.
      ...(webhookAuthSecretId || instances.size > 0 ? { checkUnverified: unverifiedCheckerOfRun(webhookAuthSecretId) } : {}),
    },
    { eventBusName, deadline: Deadline.after(remaining - FINISHING_MS, started) },
    fromLog,
  );
  const both = [summary, ...(summary.fromLog ? [summary.fromLog] : [])];
  const total = (key: 'published' | 'leftFailed' | 'leftBadInput') => both.reduce((n, s) => n + s[key], 0);
  logMetricLine(
    'redrive',
    total('leftFailed') > 0 ? 'WARN' : 'INFO',
    { message: 'redrive', ...summary, latencyMs: Date.now() - started },
    { Redriven: total('published'), RedriveFailed: total('leftFailed'), LeftBadInput: total('leftBadInput') },
  );
  return summary;
}

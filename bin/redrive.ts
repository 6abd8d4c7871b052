/**
 * `npm run redrive`: publishes what the dead-letter store holds and can be
 * published, as the redrive function does, from your shell.
 *
 *   npm run redrive                         the deployed stack JamfEventBridge (its outputs name the queue and bus)
 *   npm run redrive -- --stack NAME         another stack
 *   npm run redrive -- --local              the running npm start (POST /_local/redrive)
 *   npm run redrive -- --from-logs FILE     also the dead letters the queue would not take, from a function's log
 *                                           export, after the queue's (each webhook once); with --local the same
 *                                           against npm start; with --event-bus NAME only the log's, to that bus
 *
 * Prints the summary as JSON; exits 1 when a letter could not be published. Against a stack it
 * also checks unverified letters against the stack's credentials, as the function does.
 */
import { readFileSync } from 'node:fs';
// The locked SDK versions support Node 20; the warning is about later ones (see package.json engines).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import type { OversizeStore } from '../lambda/publish/oversize-store';
import { publishEntry } from '../lambda/publish/publisher';
import { readRuntimeFile, runtimeFilePath } from '../lambda/local/runtime-file';
import { redriveQueueThenLog, type RedriveAnswer } from '../lambda/redrive/logs';
import { oversizeRedrive } from '../lambda/redrive/oversize';
import type { RedriveDependencies } from '../lambda/redrive/redrive';
import { queueStore, REDRIVE_VISIBILITY_SECONDS } from '../lambda/redrive/store';
import { unverifiedChecker } from '../lambda/redrive/unverified';
import { createSecretsManagerClient, readCurrentAndPrevious } from '../lambda/secrets/secrets-manager';
import { DEFAULT_EVENT_SOURCE } from '../lambda/contract';
import { Deadline } from '../lambda/shared/deadline';
import { lazy } from '../lambda/shared/lazy';

const PUBLISH_BUDGET_MS = 3000;

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

interface StackOutputs {
  readonly queueUrl: string;
  readonly eventBusName: string;
  readonly eventSource?: string;
  readonly webhookAuthSecretArn?: string;
  /** The bucket of events too large for the bus and dead letters too large for SQS. */
  readonly oversizeBucketName?: string;
}

/** The queue URL, bus and credentials secret a deployed stack outputs. */
async function stackOutputs(stackName: string): Promise<StackOutputs> {
  const response = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((response.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const queueUrl = outputs.DeadLetterQueueUrl;
  const eventBusName = outputs.EventBusName;
  if (!queueUrl || !eventBusName) throw new Error(`stack ${stackName} has no DeadLetterQueueUrl or EventBusName output`);
  return {
    queueUrl,
    eventBusName,
    ...(outputs.EventSource ? { eventSource: outputs.EventSource } : {}),
    ...(outputs.WebhookAuthSecretArn ? { webhookAuthSecretArn: outputs.WebhookAuthSecretArn } : {}),
    ...(outputs.OversizeBucketName ? { oversizeBucketName: outputs.OversizeBucketName } : {}),
  };
}

/** A check of unverified letters against the stack's credentials document, current and previous. */
function checkerFor(outputs: StackOutputs): RedriveDependencies['checkUnverified'] {
  const secretId = outputs.webhookAuthSecretArn;
  if (secretId === undefined) return undefined;
  const client = createSecretsManagerClient();
  return unverifiedChecker(
    lazy(() => readCurrentAndPrevious(client, secretId)),
    { eventBusName: outputs.eventBusName, eventSource: outputs.eventSource ?? DEFAULT_EVENT_SOURCE },
  );
}

/** The running local runtime's URL, from the file npm start writes. */
function localUrl(): string {
  const runtime = readRuntimeFile(runtimeFilePath());
  if (!runtime) throw new Error(`no running npm start (${runtimeFilePath()} is missing or stale)`);
  return runtime.url;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const local = args.includes('--local');
  const logFile = option(args, '--from-logs');
  const eventBridge = () => new EventBridgeClient({ maxAttempts: 1 });

  const logText = logFile === undefined ? undefined : readFileSync(logFile, 'utf8');

  if (local) {
    // The running npm start redrives its queue, then the log (the request's body), each webhook once.
    const init: RequestInit = logText === undefined ? { method: 'POST' } : { method: 'POST', body: logText, headers: { 'content-type': 'text/plain' } };
    const response = await fetch(`${localUrl()}/_local/redrive`, init);
    const answer = (await response.json()) as RedriveAnswer;
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    if (!response.ok || failedIn(answer)) process.exitCode = 1;
    return;
  }

  const busOnly = option(args, '--event-bus');
  if (logText !== undefined && busOnly !== undefined) {
    // A bus but no stack: only the log's letters, with no queue to read first.
    const client = eventBridge();
    const answer = await redriveQueueThenLog(
      { receive: async () => [], publish: (entry) => publishEntry(client, entry, { budgetMs: PUBLISH_BUDGET_MS }) },
      { eventBusName: busOnly },
      logText,
    );
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    if (failedIn(answer)) process.exitCode = 1;
    return;
  }

  const outputs = await stackOutputs(option(args, '--stack') ?? 'JamfEventBridge');
  const client = eventBridge();
  const checkUnverified = checkerFor(outputs);
  // Letters too large for SQS are read from the bucket, and events too large for the bus go out as stubs, as the function does.
  const oversize: OversizeStore | undefined = outputs.oversizeBucketName ? { bucket: outputs.oversizeBucketName, client: new S3Client({}) } : undefined;
  const answer = await redriveQueueThenLog(
    {
      ...queueStore(new SQSClient({}), outputs.queueUrl),
      ...oversizeRedrive((entry) => publishEntry(client, entry, { budgetMs: PUBLISH_BUDGET_MS }), oversize),
      ...(checkUnverified ? { checkUnverified } : {}),
    },
    // Before SQS shows the first letters again (REDRIVE_VISIBILITY_SECONDS), so none is read twice.
    { eventBusName: outputs.eventBusName, deadline: Deadline.after((REDRIVE_VISIBILITY_SECONDS - 30) * 1000) },
    logText,
  );
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (failedIn(answer)) process.exitCode = 1;
}

/** Whether a letter could not be published, in the queue or the log. */
const failedIn = (answer: RedriveAnswer) => answer.leftFailed + (answer.fromLog?.leftFailed ?? 0) > 0;

main().catch((error: unknown) => {
  process.stderr.write(`redrive failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { INGEST_ENV } from '../lambda/contract';

/**
 * Lets a function read a secret: `secretsmanager:GetSecretValue` (and
 * `DescribeSecret`) on that secret only, and, when the secret is under a
 * customer managed key, decryption through Secrets Manager.
 *
 * `grantRead` only asks the key to trust the function through Secrets Manager,
 * and an imported key's policy cannot be changed here, so it grants nothing; the
 * permission is written on the function's side instead, still limited to calls
 * that Secrets Manager makes on the function's behalf.
 */
export function grantReadSecret(fn: lambda.IFunction, secret: secretsmanager.ISecret): void {
  secret.grantRead(fn);
  const key = secret.encryptionKey;
  if (key === undefined) return;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

/** What both functions publish to, keep failures in and authenticate Jamf Pro with. */
export interface SharedResources {
  readonly eventBus: events.IEventBus;
  /** `Source` of the events the function publishes. */
  readonly eventSource: string;
  readonly deadLetterQueue: sqs.IQueue;
  /** The credentials document Jamf Pro authenticates with. */
  readonly webhookAuthSecret: secretsmanager.ISecret;
}

/**
 * Lets a function use the resources the functions share, each grant with the
 * variable that names its resource (the names every handler reads, `INGEST_ENV`).
 * Secrets by ARN, never by value: the function reads them at run time. The
 * request handlers send dead letters; the redrive consumes them.
 */
export function grantSharedResources(fn: lambda.Function, shared: SharedResources, deadLetters: 'send' | 'consume' = 'send'): void {
  fn.addEnvironment(INGEST_ENV.eventSource, shared.eventSource);
  shared.eventBus.grantPutEventsTo(fn);
  fn.addEnvironment(INGEST_ENV.eventBusName, shared.eventBus.eventBusName);
  if (deadLetters === 'send') shared.deadLetterQueue.grantSendMessages(fn);
  else shared.deadLetterQueue.grantConsumeMessages(fn);
  fn.addEnvironment(INGEST_ENV.deadLetterQueueUrl, shared.deadLetterQueue.queueUrl);
  grantReadSecret(fn, shared.webhookAuthSecret);
  fn.addEnvironment(INGEST_ENV.webhookAuthSecretId, shared.webhookAuthSecret.secretArn);
}

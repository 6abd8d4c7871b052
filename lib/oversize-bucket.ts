import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULT_OVERSIZE_RETENTION_DAYS } from '../lambda/contract';
import { acknowledgeControlTowerRules } from './nag';

/** How long the oversize bucket keeps an object unless set otherwise. */
export const DEFAULT_OVERSIZE_RETENTION = Duration.days(DEFAULT_OVERSIZE_RETENTION_DAYS);

/**
 * The shortest retention: the dead-letter queue keeps a message 14 days, and a
 * letter may point at an object (a stub's event, or the whole letter), which
 * must not expire before it.
 */
export const MIN_OVERSIZE_RETENTION_DAYS = 14;

/** The keys subscribers may read: the whole events behind stubs (lambda/publish/oversize-store.ts writes them). */
export const OVERSIZE_EVENTS_PREFIX = 'events/';
/** The keys of dead letters too large for SQS: raw webhook bodies, for the functions only. */
export const OVERSIZE_DEAD_LETTERS_PREFIX = 'dead-letters/';

/** What a function does with the bucket: the ingest function writes; the redrive writes events and reads letters back. */
export type OversizeAccess = 'write' | 'redrive';

/** Properties of {@link OversizeBucket}. */
export interface OversizeBucketProps {
  /** How long an object is kept. @default DEFAULT_OVERSIZE_RETENTION (30 days) */
  readonly retention?: Duration;
}

/**
 * Where what is too large for its service is kept: the whole event behind a
 * stub published for an event over EventBridge's entry limit (the claim check,
 * `events/<delivery id>.json`), and a dead letter over SQS's message limit
 * (`dead-letters/<date>/<request id>.json`). Private, encrypted, TLS only, and
 * every object expires after `retention`.
 */
export class OversizeBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: OversizeBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        {
          id: 'Expire',
          expiration: props.retention ?? DEFAULT_OVERSIZE_RETENTION,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    const accessLogs =
      'Only the stack\'s functions write here (a few objects a month: events over 1 MiB, dead letters over SQS\'s ' +
      'limit), and subscribers read with the role they were granted: CloudTrail records those calls as data events ' +
      'where an account wants them. An access-log bucket would be a second bucket to secure and expire for that.';
    Validations.of(this.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: accessLogs });
    acknowledgeControlTowerRules(this.bucket, {
      s3_bucket_logging_enabled_check: accessLogs,
      s3_bucket_versioning_enabled_check:
        'Each object is written under a key no other webhook shares, rewritten only with the same content, and ' +
        'expires: versions would keep nothing worth keeping, and would outlive the expiry meant to remove webhook data.',
      s3_bucket_object_lock_enabled_check:
        'Objects must expire after oversizeRetentionDays, which a lock would prevent; nothing here is a record to retain.',
      s3_bucket_default_encryption_kms_check:
        'Encrypted with S3-managed keys (SSE-S3): a subscriber granted read (grantReadOversize, possibly in another ' +
        'account) needs no key policy, and no KMS request is billed per object. The objects hold what the bus carries, ' +
        'which EventBridge encrypts with an AWS owned key.',
      s3_event_notifications_enabled_check:
        'Nothing reacts to a new object: the stub on the bus is the notification, with the key in it.',
    });
  }

  /** Lets `grantee` read the whole events behind stubs (`s3:GetObject` on `events/*`), not the dead letters. */
  public grantReadEvents(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${OVERSIZE_EVENTS_PREFIX}*`)],
      resource: this.bucket,
    });
  }

  /**
   * Lets a function of the stack use the bucket, with no action it does not need: the ingest
   * function puts events and dead letters; the redrive puts events and gets dead letters.
   */
  public grantFunction(fn: lambda.Function, access: OversizeAccess): void {
    const put = [OVERSIZE_EVENTS_PREFIX, ...(access === 'write' ? [OVERSIZE_DEAD_LETTERS_PREFIX] : [])];
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: put.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)) }),
      ...(access === 'redrive'
        ? [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${OVERSIZE_DEAD_LETTERS_PREFIX}*`)] })]
        : []),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) return;
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const prefixes = access === 'write' ? put : [OVERSIZE_EVENTS_PREFIX, OVERSIZE_DEAD_LETTERS_PREFIX];
    Validations.of(policy).acknowledge(
      ...prefixes.map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Objects are keyed by delivery or request id under ${prefix}, which are known only when the webhook comes: the prefix is as narrow as it gets.`,
      })),
    );
  }
}

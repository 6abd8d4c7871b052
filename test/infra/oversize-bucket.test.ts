import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';
import { synthesize, type Synthesized } from './synth';

/** The statements of the policies attached to `role`, flattened. */
function statementsOf(t: Synthesized, role: iam.IRole): Array<{ Action: string | string[]; Resource: unknown }> {
  const ref = t.stack.resolve((role.node.defaultChild as iam.CfnRole).ref) as unknown;
  return Object.values(t.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref] } })).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
  );
}

/** What a role may do in the bucket: `action -> resources` (the bucket's ARN written as `<bucket>`). */
function bucketAccess(t: Synthesized, role: iam.IRole): Record<string, string[]> {
  const bucketArn = JSON.stringify(t.stack.resolve(t.stack.jamf.oversizeBucket.bucketArn));
  const access: Record<string, string[]> = {};
  for (const statement of statementsOf(t, role)) {
    const actions = [statement.Action].flat().filter((action) => action.startsWith('s3:'));
    const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource).replace(bucketArn, '"<bucket>"'));
    for (const action of actions) (access[action] ??= []).push(...resources);
  }
  for (const list of Object.values(access)) list.sort();
  return access;
}

const objects = (prefix: string) => `{"Fn::Join":["",["<bucket>","/${prefix}*"]]}`;

describe('the oversize bucket', () => {
  let t: Synthesized;
  beforeAll(() => {
    t = synthesize();
  });

  it('is encrypted, private, owned by the account, and expires every object after 30 days', () => {
    t.template.resourceCountIs('AWS::S3::Bucket', 1);
    t.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
      },
    });
  });

  it('refuses any request without TLS', () => {
    t.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps objects as many days as oversizeRetentionDays says', () => {
    synthesize({ oversizeRetentionDays: 90 }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
    });
  });

  it('refuses a retention shorter than the dead-letter queue keeps a letter that may point at an object', () => {
    const stack = new Stack(new App(), 'Short');
    expect(() => new JamfEventBridge(stack, 'Jamf', { oversizeRetention: Duration.days(7) })).toThrow(
      /oversizeRetention must be a whole number of days from 14 \(the dead-letter queue's retention/,
    );
  });

  it('is named in the OversizeBucketName output', () => {
    t.template.hasOutput('OversizeBucketName', { Value: t.stack.resolve(t.stack.jamf.oversizeBucket.bucketName) as unknown });
  });

  it('is where the ingest and redrive functions are told to keep what is too large', () => {
    const name = t.stack.resolve(t.stack.jamf.oversizeBucket.bucketName) as unknown;
    for (const description of ['Receives Jamf Pro webhooks', 'dead-letter queue']) {
      t.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: Match.objectLike({ OVERSIZE_BUCKET_NAME: name }) },
      });
    }
  });

  it('may be written by the ingest function (events and dead letters) and read by it not at all', () => {
    expect(bucketAccess(t, t.stack.jamf.ingestFunction.role!)).toEqual({ 's3:PutObject': [objects('dead-letters/'), objects('events/')] });
  });

  it('lets the redrive store events and read dead letters back, nothing more', () => {
    expect(bucketAccess(t, t.stack.jamf.redriveFunction.role!)).toEqual({
      's3:PutObject': [objects('events/')],
      's3:GetObject': [objects('dead-letters/')],
    });
  });

  it('grants a subscriber read of the whole events, not of the dead letters, with grantReadOversize', () => {
    const stack = new Stack(new App(), 'Subscriber');
    const jamf = new JamfEventBridge(stack, 'Jamf');
    const role = new iam.Role(stack, 'SubscriberRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    jamf.grantReadOversize(role);
    const template = Template.fromStack(stack);
    const roleRef = stack.resolve(role.roleName) as unknown;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [roleRef],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [stack.resolve(jamf.oversizeBucket.bucketArn) as unknown, '/events/*']] },
          },
        ],
      },
    });
  });
});

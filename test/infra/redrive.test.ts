import { Match } from 'aws-cdk-lib/assertions';
import { assetDirectory, handlerTypeInPlainNode, synthesize, type Synthesized } from './synth';

describe('the redrive function', () => {
  let t: Synthesized;
  const ref = (value: string) => t.stack.resolve(value) as unknown;
  beforeAll(() => {
    t = synthesize({}, { bundle: true });
  });

  it('reads the dead-letter queue and publishes to the bus, with five minutes to do it', () => {
    const { jamf } = t.stack;
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('dead-letter queue'),
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({ EVENT_BUS_NAME: ref(jamf.eventBus.eventBusName), DEAD_LETTER_QUEUE_URL: ref(jamf.deadLetterQueue.queueUrl) }),
      },
    });
  });

  it('may receive and delete dead letters, put events and read the webhook credentials, nothing more', () => {
    const role = t.stack.resolve((t.stack.jamf.redriveFunction.role!.node.defaultChild as unknown as { ref: string }).ref) as unknown;
    const policies = Object.values(t.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [role] } }));
    const actions = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => [s.Action].flat()),
    );
    expect(actions).toEqual(expect.arrayContaining(['events:PutEvents', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(actions.filter((a) => a.startsWith('sqs:')).sort()).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].sort(),
    );
    expect(actions.filter((a) => a.startsWith('secretsmanager:')).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  it('runs every hour by default, without retries', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
  });

  it('runs on demand only with redriveScheduleMinutes=0', () => {
    synthesize({ redriveScheduleMinutes: 0 }).template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
  });

  it('is named in the outputs, for npm run redrive', () => {
    t.template.hasOutput('RedriveFunctionName', { Value: ref(t.stack.jamf.redriveFunction.functionName) });
  });

  it('alarms when a dead letter has waited three days, well before SQS drops it at fourteen', () => {
    t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 3 * 24 * 3600,
      AlarmActions: Match.anyValue(),
    });
  });

  it('ships a bundle that loads in plain Node.js', () => {
    const dir = assetDirectory(t, t.stack.jamf.redriveFunction);
    expect(handlerTypeInPlainNode(dir, { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/queue' })).toBe('function');
  });
});

import { Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { jamfEventPattern, JamfEvents } from '../../lib/event-rules';
import { JamfEventBridgeStack, jamfExportName } from '../../lib/jamf-eventbridge-stack';
import { InvalidPropsError } from '../../lib/problems';
import { newApp } from './synth';

/** A default stack with a queue to send matches to; rules are added before the template is read. */
function publishingStack(settings: { eventSource?: string } = {}) {
  const stack = new JamfEventBridgeStack(newApp(), 'JamfEventBridge', { settings });
  const queue = new sqs.Queue(stack, 'Matches', { enforceSSL: true });
  return { stack, jamf: stack.jamf, target: new targets.SqsQueue(queue), queue };
}

/** The EventPattern of the rule `rule` in the template. */
function patternOf(stack: Stack, rule: events.Rule): unknown {
  const id = stack.resolve((rule.node.defaultChild as events.CfnRule).logicalId) as string;
  return (Template.fromStack(stack).toJSON().Resources[id] as { Properties: { EventPattern: unknown } }).Properties.EventPattern;
}

describe('JamfEventBridge.onEvent', () => {
  it('builds a rule on the bus for the source, the detail-type and the detail pattern, with the target', () => {
    // Prepare
    const { stack, jamf, target, queue } = publishingStack();

    // Act
    const rule = jamf.onEvent('PolicyFailed', {
      detailType: 'ComputerPolicyFinished',
      detail: { event: { successful: [false] } },
      target,
    });

    // Assess
    expect(rule).toBeInstanceOf(events.Rule);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: stack.resolve(jamf.eventBus.eventBusName),
      EventPattern: {
        source: ['jamf.pro'],
        'detail-type': ['jamf.ComputerPolicyFinished'],
        detail: { event: { successful: [false] } },
      },
      State: 'ENABLED',
      Targets: [{ Arn: stack.resolve(queue.queueArn), Id: 'Target0' }],
    });
  });

  it('matches on the configured eventSource', () => {
    const { stack, jamf, target } = publishingStack({ eventSource: 'jamf.prod' });
    const rule = jamf.onEvent('Added', { detailType: 'ComputerAdded', target });
    expect(patternOf(stack, rule)).toEqual({ source: ['jamf.prod'], 'detail-type': ['jamf.ComputerAdded'] });
  });

  it('lists several detail types in one rule', () => {
    const { stack, jamf, target } = publishingStack();
    const rule = jamf.onEvent('Enrolments', {
      detailType: ['MobileDeviceEnrolled', 'MobileDeviceUnEnrolled'],
      detail: { event: { serialNumber: [{ prefix: 'C8' }] } },
      target,
    });
    expect(patternOf(stack, rule)).toEqual({
      source: ['jamf.pro'],
      'detail-type': ['jamf.MobileDeviceEnrolled', 'jamf.MobileDeviceUnEnrolled'],
      detail: { event: { serialNumber: [{ prefix: 'C8' }] } },
    });
  });

  it('matches every event of the source, known or not, without a detail type', () => {
    const { stack, jamf, target } = publishingStack();
    const rule = jamf.onEvent('Everything', { target });
    expect(patternOf(stack, rule)).toEqual({ source: ['jamf.pro'], 'detail-type': [{ prefix: 'jamf.' }] });
  });

  it('writes $or, null and the operators into the template as they are written', () => {
    const { stack, jamf, target } = publishingStack();
    const detail = {
      event: {
        $or: [{ building: [{ prefix: 'HQ' }] }, { computer: { building: [{ prefix: 'HQ' }] } }],
        username: [{ 'anything-but': ['root', 'admin'] }, null],
      },
      webhook: { eventTimestamp: [{ numeric: ['>=', 0] as const }] },
    };
    const rule = jamf.onEvent('Building', { detailType: ['ComputerAdded', 'ComputerCheckIn'], detail, target });
    expect(patternOf(stack, rule)).toEqual({ source: ['jamf.pro'], 'detail-type': ['jamf.ComputerAdded', 'jamf.ComputerCheckIn'], detail });
  });

  it('sends to target and targets together, and passes the rule options on', () => {
    const { stack, jamf, target, queue } = publishingStack();
    const other = new sqs.Queue(stack, 'Other', { enforceSSL: true });
    jamf.onEvent('Both', {
      detailType: 'JSSShutdown',
      targets: [new targets.SqsQueue(other)],
      target,
      ruleName: 'jamf-shutdown',
      description: 'Jamf Pro is going down',
      enabled: false,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Name: 'jamf-shutdown',
      Description: 'Jamf Pro is going down',
      State: 'DISABLED',
      Targets: [
        { Arn: stack.resolve(other.queueArn), Id: 'Target0' },
        { Arn: stack.resolve(queue.queueArn), Id: 'Target1' },
      ],
    });
  });

  describe('when the pattern has a part EventBridge would refuse', () => {
    it('names every empty list and object at synth, instead of failing the deployment', () => {
      const { jamf } = publishingStack();
      const act = () =>
        jamf.onEvent('Empty', {
          detailType: 'ComputerAdded',
          detail: { event: { building: [], computer: {} }, webhook: {} } as never,
        });
      expect(act).toThrow(InvalidPropsError);
      expect(act).toThrow(
        expect.objectContaining({
          problems: [
            'detail.event.building is an empty list, which EventBridge refuses: give at least one matcher, or leave the field out.',
            'detail.event.computer is an empty object, which EventBridge refuses: name a field in it, or leave it out.',
            'detail.webhook is an empty object, which EventBridge refuses: name a field in it, or leave it out.',
          ],
        }),
      );
    });

    it('refuses an empty list of detail types (from JavaScript, where the types do not stop it)', () => {
      const { jamf } = publishingStack();
      expect(() => jamf.onEvent('None', { detailType: [] as never })).toThrow(/detailType is an empty list/);
    });

    it('lets a token pass, whose value is known only at deployment', () => {
      const { stack, jamf } = publishingStack();
      const rule = jamf.onEvent('Token', { detailType: 'ComputerAdded', detail: { event: { building: Fn.split(',', Fn.importValue('Buildings')) as never } } });
      expect(patternOf(stack, rule)).toMatchObject({ detail: { event: { building: { 'Fn::Split': [',', { 'Fn::ImportValue': 'Buildings' }] } } } });
    });
  });
});

describe('JamfEvents', () => {
  it('makes the same rules in a stack that imports the bus', () => {
    // Prepare
    const stack = new Stack(newApp(), 'Consumer');
    const eventBus = events.EventBus.fromEventBusArn(stack, 'Bus', Fn.importValue(jamfExportName('JamfEventBridge', 'EventBusArn')));
    const jamf = new JamfEvents(stack, 'Jamf', { eventBus, eventSource: Fn.importValue(jamfExportName('JamfEventBridge', 'EventSource')) });

    // Act
    const rule = jamf.onEvent('PolicyFailed', {
      detailType: 'ComputerPolicyFinished',
      detail: { event: { successful: [false] } },
      target: new targets.SqsQueue(new sqs.Queue(stack, 'Queue', { enforceSSL: true })),
    });

    // Assess
    expect(rule.node.scope).toBe(jamf);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::ImportValue': 'JamfEventBridge-EventBusArn' }] }] }] }] },
      EventPattern: {
        source: [{ 'Fn::ImportValue': 'JamfEventBridge-EventSource' }],
        'detail-type': ['jamf.ComputerPolicyFinished'],
        detail: { event: { successful: [false] } },
      },
    });
  });

  it("defaults to the app's default source", () => {
    const stack = new Stack(newApp(), 'Consumer');
    const jamf = new JamfEvents(stack, 'Jamf', { eventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'JamfEventBridge') });
    expect(jamf.eventSource).toBe('jamf.pro');
  });
});

describe('jamfEventPattern', () => {
  it('is the JSON pattern aws events put-rule and LOCAL_RULES take', () => {
    expect(jamfEventPattern('jamf.pro', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } } })).toEqual({
      source: ['jamf.pro'],
      'detail-type': ['jamf.ComputerPolicyFinished'],
      detail: { event: { successful: [false] } },
    });
  });
});

describe('the stack outputs for consumer stacks', () => {
  it('export the bus ARN and the source under names derived from the stack name', () => {
    const { stack, jamf } = publishingStack({ eventSource: 'jamf.prod' });
    const template = Template.fromStack(stack);
    template.hasOutput('EventBusArnExport', {
      Value: stack.resolve(jamf.eventBus.eventBusArn),
      Export: { Name: 'JamfEventBridge-EventBusArn' },
    });
    template.hasOutput('EventSourceExport', { Value: 'jamf.prod', Export: { Name: 'JamfEventBridge-EventSource' } });
  });

  it('leave the outputs that were there without an export name', () => {
    const template = Template.fromStack(publishingStack().stack);
    for (const name of ['EventBusName', 'EventBusArn', 'EventSource']) {
      expect(template.findOutputs(name)[name]).not.toHaveProperty('Export');
    }
  });
});

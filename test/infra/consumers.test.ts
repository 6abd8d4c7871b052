/**
 * Subscribers in other accounts: the bus policy that `consumerAccounts` and
 * `consumerOrganizationId` add, its checks, and that it stays away when unset.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CONSUMER_RULE_ACTIONS } from '../../lib/event-bus';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { parseSettings } from '../../lib/settings';
import { newApp, synthesize } from './synth';

/** The rules of the bus the stack creates, `arn:aws:events:<region>:<account>:rule/<bus name>/*`. */
const RULES_OF_THE_BUS = {
  'Fn::Join': [
    '',
    Match.arrayWith([Match.stringLikeRegexp(':events:'), Match.objectLike({ Ref: Match.stringLikeRegexp('EventBus') }), '/*']),
  ],
};
const OWN_RULES_ONLY = { 'events:creatorAccount': '${aws:PrincipalAccount}' };

describe('JamfEventBridge', () => {
  describe('by default', () => {
    it('lets no other account near the bus', () => {
      synthesize().template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    });
  });

  describe('when consumer accounts are given', () => {
    const { template } = synthesize(parseSettings({ consumerAccounts: '111122223333,444455556666' }));

    it('lets each create rules on the bus and manage only the rules it created', () => {
      template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
      template.hasResourceProperties('AWS::Events::EventBusPolicy', {
        EventBusName: { Ref: Match.stringLikeRegexp('EventBus') },
        Statement: {
          Sid: Match.stringLikeRegexp('ConsumerAccountsManageOwnRules'),
          Effect: 'Allow',
          Principal: {
            AWS: [
              { 'Fn::Join': ['', Match.arrayWith([':iam::111122223333:root'])] },
              { 'Fn::Join': ['', Match.arrayWith([':iam::444455556666:root'])] },
            ],
          },
          Action: [...CONSUMER_RULE_ACTIONS],
          Resource: RULES_OF_THE_BUS,
          Condition: { StringEqualsIfExists: OWN_RULES_ONLY },
        },
      });
    });

    it('lets them neither publish to the bus nor manage it', () => {
      for (const action of CONSUMER_RULE_ACTIONS) expect(action).toMatch(/^events:\w*(Rule|Targets|Tag)/i);
      expect(CONSUMER_RULE_ACTIONS).not.toContain('events:PutEvents');
    });
  });

  describe('when a consumer organization is given', () => {
    const { template } = synthesize({ consumerOrganizationId: 'o-a1b2c3d4e5' });

    it("lets that organization's accounts create rules and manage only their own", () => {
      template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
      template.hasResourceProperties('AWS::Events::EventBusPolicy', {
        Statement: {
          Sid: Match.stringLikeRegexp('ConsumerOrganizationManagesOwnRules'),
          Principal: { AWS: '*' },
          Action: [...CONSUMER_RULE_ACTIONS],
          Resource: RULES_OF_THE_BUS,
          Condition: { StringEqualsIfExists: OWN_RULES_ONLY, StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      });
    });
  });

  describe('when both are given', () => {
    const settings = { consumerAccounts: ['111122223333'], consumerOrganizationId: 'o-a1b2c3d4e5' };

    it('has a statement for each', () => {
      synthesize(settings).template.resourceCountIs('AWS::Events::EventBusPolicy', 2);
    });

    it('finds nothing in the AwsSolutions and Serverless packs', () => {
      const { app } = synthesize(settings);
      app.synth();
      const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(app).violations);
      expect(violations.map((violation) => violation.ruleName)).toEqual([]);
    });
  });

  describe('when the accounts are a token', () => {
    it('takes the list whole in a condition, since it cannot be split into principals at synth', () => {
      const stack = new Stack(newApp(), 'Test');
      new JamfEventBridge(stack, 'Jamf', { consumerAccounts: Fn.split(',', Fn.importValue('consumer-accounts')) });
      Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBusPolicy', {
        Statement: {
          Principal: { AWS: '*' },
          Condition: {
            StringEqualsIfExists: OWN_RULES_ONLY,
            StringEquals: { 'aws:PrincipalAccount': { 'Fn::Split': [',', { 'Fn::ImportValue': 'consumer-accounts' }] } },
          },
        },
      });
    });
  });

  describe('when given values that cannot work', () => {
    const stack = (settings: Record<string, unknown>) => () => new JamfEventBridgeStack(newApp(), 'JamfEventBridge', { settings: parseSettings(settings) });

    it.each([
      [{ consumerAccounts: '11112222333' }, /consumerAccounts has entries that are not AWS account ids: "11112222333"/],
      [{ consumerAccounts: '111122223333,arn:aws:iam::444455556666:root' }, /not AWS account ids: "arn:aws:iam::444455556666:root"/],
      [{ consumerAccounts: '[]' }, /consumerAccounts is empty/],
      [{ consumerOrganizationId: 'r-a1b2' }, /consumerOrganizationId "r-a1b2" is not an AWS Organizations id/],
      [{ consumerOrganizationId: 'o-A1B2C3D4E5' }, /is not an AWS Organizations id/],
      [{ consumerAccounts: '111122223333', existingEventBus: 'default' }, /but existingEventBus \(an existing bus\) is set/],
    ])('refuses %j, saying what to change', (settings, message) => {
      expect(stack(settings)).toThrow(message);
    });
  });
});

import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { addNagPacks } from '../../lib/checks';
import type { JamfEventBridgeSettings } from '../../lib/settings';
import { newApp, synthesize } from './synth';

/** A finding: the rule and the construct path of the resource. */
interface Finding {
  readonly rule: string;
  readonly path: string;
}

/** What both packs report on an app, after the acknowledgements. */
function findings(app: App): Finding[] {
  app.synth();
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '' })),
    ),
  );
}

/**
 * Every acknowledgement of a cdk-nag rule in the app: where, which rule, and why.
 * (Those of the Control Tower rules, in their own namespace, are tested in control-tower.test.ts.)
 */
function acknowledgements(app: App): Array<Finding & { readonly reason: string }> {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([id]) => /^annotation::/i.test(id))
      .map(([id, reason]) => ({ rule: id.replace(/^annotation::/i, ''), path: construct.node.path, reason })),
  );
}

// The default deployment, and one with every optional feature switched the other way.
const VARIANTS: ReadonlyArray<[string, JamfEventBridgeSettings]> = [
  ['the default settings', {}],
  ['the REST API', { apiType: 'rest' }],
  [
    'every option turned on',
    {
      apiType: 'rest',
      allowedSourceCidrs: ['192.0.2.0/24'],
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/jamf/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      alarmEmail: 'ops@example.com',
      webhookAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-webhook-AbC123',
      webhookAuthSecretKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      existingEventBus: 'default',
      tracing: true,
      scepSigningKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scep-signing-key-AbC123',
      scepVerifySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:step-ca-webhook-DeF456',
      scepUpstreamUrl: 'https://ca.example.com/challenge',
      scepUpstreamSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:upstream-GhI789',
      scepProvisionedConcurrency: 2,
      jamfUrl: 'https://example.jamfcloud.com',
      jamfApiClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-api-JkL012',
    },
  ],
  [
    'the webhooks registered at deploy time',
    {
      jamfUrl: 'https://example.jamfcloud.com',
      jamfApiClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-api-JkL012',
    },
  ],
  [
    'two Jamf Pro instances',
    {
      jamfInstances: [
        {
          name: 'sandbox',
          eventSource: 'jamf.sandbox',
          jamfUrl: 'https://sandbox.jamfcloud.com',
          jamfApiClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-sandbox-api-MnO345',
        },
        { name: 'eu-2', webhookAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-eu-PqR678', scepChallenge: false },
      ],
    },
  ],
  ['two Jamf Pro instances on the REST API', { apiType: 'rest', jamfInstances: [{ name: 'sandbox' }, { name: 'eu-2' }] }],
  [
    'every option turned off',
    {
      archive: false,
      eventLog: false,
      apiGatewayCloudWatchRole: false,
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      scepChallenge: false,
    },
  ],
];

describe('cdk-nag', () => {
  describe.each(VARIANTS)('with %s', (_name, settings) => {
    it('finds nothing that is not acknowledged in the AwsSolutions and Serverless packs', () => {
      expect(findings(synthesize(settings).app)).toEqual([]);
    });

    it('gives a reason for every acknowledgement', () => {
      for (const { reason } of acknowledgements(synthesize(settings).app)) {
        expect(reason.length).toBeGreaterThan(40);
      }
    });

    it('acknowledges only findings that the packs report', () => {
      const acknowledged = acknowledgements(synthesize(settings).app);
      const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
      let reported: Finding[];
      try {
        reported = findings(synthesize(settings).app);
      } finally {
        spy.mockRestore();
      }
      for (const ack of acknowledged) {
        const matching = reported.filter((finding) => finding.rule === ack.rule && finding.path.startsWith(`${ack.path}/`));
        expect({ ...ack, matching: matching.length > 0 }).toMatchObject({ matching: true });
      }
    });
  });

  describe('when attached to an app with addNagPacks', () => {
    it('fails the synthesis on a finding that is not acknowledged', () => {
      const app = newApp({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
      new sqs.Queue(new Stack(app, 'Careless'), 'Queue', { enforceSSL: false });
      addNagPacks(app);
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
    });

    it('lets the synthesis of the stack pass, as bin/app.ts runs it', () => {
      const app = newApp({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
      new JamfEventBridgeStack(app, 'JamfEventBridge');
      addNagPacks(app);
      expect(() => app.synth()).not.toThrow();
    });
  });
});

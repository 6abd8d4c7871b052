import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { addControlTowerControls } from '../../lib/checks';
import { acknowledgeControlTowerRules, CONTROL_TOWER_PLUGIN } from '../../lib/nag';
import type { JamfEventBridgeSettings } from '../../lib/settings';
import { newApp, synthesize } from './synth';

/** A violation: the Guard rule and the construct path of the resource. */
interface Violation {
  readonly rule: string;
  readonly path: string;
}

/** An app that throws on synthesis when a check fails, with the report in the message, as `cdk synth` fails. */
function checkedApp(): App {
  const app = newApp({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
  addControlTowerControls(app);
  return app;
}

/** What the Control Tower rules report on the stack's template, acknowledgements aside. */
function violations(stack: Stack): Violation[] {
  const app = stack.node.root;
  if (!App.isApp(app)) throw new Error(`${stack.node.path} is not in an app`);
  const templatePath = path.join(app.synth().directory, stack.templateFile);
  const pathByLogicalId = new Map(
    stack.node
      .findAll()
      .filter(CfnElement.isCfnElement)
      .map((element) => [stack.resolve(element.logicalId) as string, element.node.path]),
  );
  const report = new CfnGuardValidator().validate({ templatePaths: [templatePath], appConstruct: app });
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: pathByLogicalId.get(resource.resourceLogicalId) ?? resource.resourceLogicalId,
    })),
  );
}

/** Every acknowledgement of a Control Tower rule in the app: where, which rule, and why. */
function acknowledgements(app: App): Array<Violation & { readonly reason: string }> {
  const prefix = `${CONTROL_TOWER_PLUGIN}::`;
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([id]) => id.startsWith(prefix))
      .map(([id, reason]) => ({ rule: id.slice(prefix.length), path: construct.node.path, reason })),
  );
}

// The default deployment; one with every optional part on; one where an account
// requires a year of logs (no retention acknowledgement); and every part off.
const VARIANTS: ReadonlyArray<[string, JamfEventBridgeSettings]> = [
  ['the default settings', {}],
  [
    'every optional part on',
    {
      alarmEmail: 'ops@example.com',
      apiType: 'rest',
      allowedSourceCidrs: ['192.0.2.0/24'],
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/jamf/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      tracing: true,
      scepProvisionedConcurrency: 1,
      scepUpstreamUrl: 'https://ca.example.com/x',
      jamfUrl: 'https://example.jamfcloud.com',
      jamfApiClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-api-JkL012',
    },
  ],
  ['the REST API', { apiType: 'rest' }],
  ['logs kept a year', { logRetentionDays: 365 }],
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
    'every optional part off',
    { archive: false, eventLog: false, alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops', scepChallenge: false },
  ],
];

describe('AWS Control Tower proactive controls', () => {
  describe.each(VARIANTS)('with %s', (_name, settings) => {
    it('let the synthesis pass: no violation that is not acknowledged', () => {
      const app = checkedApp();
      new JamfEventBridgeStack(app, 'JamfEventBridge', { settings });
      expect(() => app.synth()).not.toThrow();
    });

    it('acknowledge only violations the rules report, each with a reason', () => {
      const acknowledged = acknowledgements(synthesize(settings).app);
      const reported = violations(synthesize(settings).stack);
      for (const ack of acknowledged) {
        expect(ack.reason.length).toBeGreaterThan(40);
        const matching = reported.filter((found) => found.rule === ack.rule && found.path.startsWith(`${ack.path}/`));
        expect({ ...ack, matching: matching.length > 0 }).toMatchObject({ matching: true });
      }
    });
  });

  describe('with tracing on and logs kept a year', () => {
    it('acknowledge neither X-Ray nor retention: the stage and the log groups pass', () => {
      const rules = acknowledgements(synthesize({ tracing: true, logRetentionDays: 365 }).app).map((ack) => ack.rule);
      expect(rules).not.toContain('api_gw_xray_enabled_check');
      expect(rules).not.toContain('cloudwatch_log_group_retention_period_check');
    });
  });

  /** The oversize bucket's: SSE-S3 rather than KMS, no access log, versions, lock or notifications, each with its reason. */
  const OVERSIZE_BUCKET_RULES = {
    s3_bucket_default_encryption_kms_check: 1,
    s3_bucket_logging_enabled_check: 1,
    s3_bucket_object_lock_enabled_check: 1,
    s3_bucket_versioning_enabled_check: 1,
    s3_event_notifications_enabled_check: 1,
  };

  describe('with the default settings', () => {
    it('acknowledge four rules, and the oversize bucket\'s, each on the resources it names', () => {
      const counts = new Map<string, number>();
      for (const { rule } of acknowledgements(synthesize({}).app)) counts.set(rule, (counts.get(rule) ?? 0) + 1);
      // The HTTP API: routes without IAM or JWT authorization (the functions authenticate), no
      // X-Ray stage or execution log group, and no event log by default.
      expect(Object.fromEntries(counts)).toEqual({
        api_gw_v2_authorization_type_configured_check: 3,
        cloudwatch_log_group_retention_period_check: 4,
        lambda_function_public_access_prohibited_check: 3,
        lambda_inside_vpc_check: 3,
        ...OVERSIZE_BUCKET_RULES,
      });
    });
  });

  describe('with the REST API and the event log', () => {
    it('acknowledge the four rules the first release did, on the same resources, and the oversize bucket\'s', () => {
      const counts = new Map<string, number>();
      for (const { rule } of acknowledgements(synthesize({ apiType: 'rest', eventLog: true }).app)) {
        counts.set(rule, (counts.get(rule) ?? 0) + 1);
      }
      expect(Object.fromEntries(counts)).toEqual({
        api_gw_xray_enabled_check: 1,
        cloudwatch_log_group_retention_period_check: 6,
        lambda_function_public_access_prohibited_check: 3,
        lambda_inside_vpc_check: 3,
        ...OVERSIZE_BUCKET_RULES,
      });
    });
  });

  describe('when attached to an app with addControlTowerControls', () => {
    it('fail the synthesis on a violation that is not acknowledged, naming the rule', () => {
      const app = checkedApp();
      new dynamodb.Table(new Stack(app, 'Careless'), 'Table', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      });
      expect(() => app.synth()).toThrow(/dynamodb_table_pitr_enabled_check/);
    });

    it('fail it even when another violation of the same rule is acknowledged', () => {
      const app = checkedApp();
      const stack = new Stack(app, 'Careless');
      const partitionKey = { name: 'id', type: dynamodb.AttributeType.STRING };
      const excused = new dynamodb.Table(stack, 'Excused', { partitionKey });
      acknowledgeControlTowerRules(excused, {
        dynamodb_table_pitr_enabled_check: 'A table that only this test creates, and never deploys anywhere.',
      });
      new dynamodb.Table(stack, 'Careless', { partitionKey });
      expect(() => app.synth()).toThrow(/dynamodb_table_pitr_enabled_check[\s\S]*Careless\/Careless\/Resource/);
    });
  });
});

import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the cdk-nag AwsSolutions and Serverless packs on every stack of the app
 * when it is synthesized. A finding that is not acknowledged fails the synthesis;
 * each acknowledgement sits next to its resource, with its reason.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/**
 * Checks every stack of the app, when it is synthesized, against AWS Control
 * Tower's proactive controls: the Guard rules Control Tower's CloudFormation
 * hooks run, as AWS ships them for CDK, run by the cfn-guard binary bundled in
 * `@cdklabs/cdk-validator-cfnguard` (no network, no Docker). A violation that is
 * not acknowledged with {@link acknowledgeControlTowerRules} fails the synthesis.
 *
 * An acknowledgement only quiets this check: an account where that control is
 * turned on still refuses the resource, so each reason says which setting, if
 * any, makes the resource pass there.
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html
 */
export function addControlTowerControls(app: App): void {
  Validations.of(app).addPlugins(new ControlTowerControls());
}

/**
 * CfnGuardValidator, with each violation marked an error.
 *
 * The validator leaves `severity` unset. aws-cdk-lib reports such a violation as
 * an error, but once it has removed the acknowledged ones from a report, it
 * counts the report a success unless a remaining violation *says* it is an error
 * or fatal: without the mark, one acknowledgement anywhere in the app would let
 * every other violation print and pass (seen with aws-cdk-lib 2.276).
 */
class ControlTowerControls implements IPolicyValidationPluginBeta1 {
  private readonly validator = new CfnGuardValidator();
  public readonly name = this.validator.name;
  public readonly version = this.validator.version;
  public readonly ruleIds = this.validator.ruleIds;

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.validator.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity ?? 'error' })),
    };
  }
}

/** The plugin name CfnGuardValidator reports under; CDK scopes acknowledgements of its rules by it. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** The Control Tower rules (Guard rule names) this project acknowledges somewhere, each with its control. */
export type ControlTowerRule =
  /** CT.APIGATEWAY.PR.2 */
  | 'api_gw_xray_enabled_check'
  /** CT.APIGATEWAY.PR.5 */
  | 'api_gw_v2_authorization_type_configured_check'
  /** CT.CLOUDWATCH.PR.2 */
  | 'cloudwatch_log_group_retention_period_check'
  /** CT.DYNAMODB.PR.1 */
  | 'dynamodb_table_pitr_enabled_check'
  /** CT.LAMBDA.PR.2 */
  | 'lambda_function_public_access_prohibited_check'
  /** CT.LAMBDA.PR.3 */
  | 'lambda_inside_vpc_check';

/**
 * Acknowledges Control Tower rules on `scope` and everything below it, each
 * with its reason, the way cdk-nag rules are acknowledged: CDK records the
 * reason in the construct's metadata and lists it in the validation report.
 *
 * Not the `Metadata: guard: SuppressedRules` of cfn-guard's own rule registry:
 * the Control Tower rules do not read it (they filter resources by type only),
 * so it would change nothing.
 */
export function acknowledgeControlTowerRules(
  scope: IConstruct,
  reasons: Readonly<Partial<Record<ControlTowerRule, string>>>,
): void {
  Validations.of(scope).acknowledge(
    ...Object.entries(reasons).flatMap(([rule, reason]) =>
      reason === undefined ? [] : [{ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason }],
    ),
  );
}

/** Why X-Ray tracing is off unless asked for (acknowledgements of the tracing rules). */
export const TRACING_OFF_REASON =
  'X-Ray is off by default for cost: at webhook rates its sampling records nearly every request (about $5 per ' +
  'million, more than the rest of the stack). Access logs, function logs and metrics cover operations; set ' +
  'tracing to true to diagnose latency.';

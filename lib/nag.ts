import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/*
 * The acknowledgements the constructs carry, with their reasons. Only aws-cdk-lib here: the
 * constructs import this module, and an app that uses them from the package need not install
 * cdk-nag or cfn-guard. The packs that check an app are in ./checks.
 */

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
  | 'lambda_inside_vpc_check'
  /** CT.S3.PR.2 */
  | 's3_bucket_logging_enabled_check'
  /** CT.S3.PR.4 */
  | 's3_event_notifications_enabled_check'
  /** CT.S3.PR.8 */
  | 's3_bucket_object_lock_enabled_check'
  /** CT.S3.PR.10 */
  | 's3_bucket_default_encryption_kms_check'
  /** CT.S3.PR.11 */
  | 's3_bucket_versioning_enabled_check';

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

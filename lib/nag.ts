import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag AwsSolutions and Serverless packs on every stack of the app
 * when it is synthesized. A finding that is not acknowledged fails the synthesis;
 * each acknowledgement sits next to its resource, with its reason.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** Why X-Ray tracing is off unless asked for (acknowledgements of the tracing rules). */
export const TRACING_OFF_REASON =
  'X-Ray is off by default for cost: at webhook rates its sampling records nearly every request (about $5 per ' +
  'million, more than the rest of the stack). Access logs, function logs and metrics cover operations; set ' +
  'tracing to true to diagnose latency.';

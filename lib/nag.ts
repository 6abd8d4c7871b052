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

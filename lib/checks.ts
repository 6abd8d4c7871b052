import {
  type App,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';

/*
 * The rule packs this repository's app (bin/app.ts) is checked against. Apart from ./nag, where the
 * acknowledgements are, because these need cdk-nag and cfn-guard (with its binary), which an app
 * that uses the package need not install: each is loaded when its function is called, and a
 * missing one is named in the error. The declarations mention only aws-cdk-lib.
 */

/** A module the checks need, loaded on first use, with a message naming the package when it is not installed. */
function load<TModule>(name: string): TModule {
  try {
    return require(name) as TModule;
  } catch (error) {
    throw new Error(`${name} is not installed: npm install --save-dev ${name}`, { cause: error });
  }
}

/**
 * Runs the cdk-nag AwsSolutions and Serverless packs on every stack of the app
 * when it is synthesized. A finding that is not acknowledged fails the synthesis;
 * each acknowledgement sits next to its resource, with its reason.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */
export function addNagPacks(app: App): void {
  const { AwsSolutionsChecks, ServerlessChecks } = load<typeof import('cdk-nag')>('cdk-nag');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/**
 * Checks every stack of the app, when it is synthesized, against AWS Control
 * Tower's proactive controls: the Guard rules Control Tower's CloudFormation
 * hooks run, as AWS ships them for CDK, run by the cfn-guard binary bundled in
 * `@cdklabs/cdk-validator-cfnguard` (no network, no Docker). A violation that is
 * not acknowledged with `acknowledgeControlTowerRules` (./nag) fails the synthesis.
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
  private readonly validator = new (load<typeof import('@cdklabs/cdk-validator-cfnguard')>('@cdklabs/cdk-validator-cfnguard').CfnGuardValidator)();
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

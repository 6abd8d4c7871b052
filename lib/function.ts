import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundleHandler } from './bundle';
import { BUNDLE_ENTRY_NAME, PREBUILT_BUNDLES_DIR, prebuiltBundleName, PROJECT_ROOT } from './bundle-layout';
import * as logs from 'aws-cdk-lib/aws-logs';
import { createLogGroup, createLogKey, type LogGroupSettings } from './log-group';
import { acknowledgeControlTowerRules, TRACING_OFF_REASON } from './nag';

/**
 * The newest Node.js runtime that aws-cdk-lib knows and Lambda supports.
 *
 * Not `NODEJS_LATEST`: that one moves with aws-cdk-lib upgrades and would change
 * the runtime of a deployed function without a code change here.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Memory of a function unless it asks for another value, in MB.
 *
 * Lambda allocates CPU in proportion to memory. A cold start has to load and
 * parse the bundle (the AWS SDK is bundled in) and open TLS connections to
 * Secrets Manager and EventBridge, all CPU-bound; at 1024 MB that fits well
 * inside Jamf Pro's 2 s read timeout, at 128-512 MB it may not. Warm
 * invocations last tens of milliseconds, so the higher rate costs little.
 */
export const FUNCTION_MEMORY_MB = 1024;

/**
 * Timeout of every function.
 *
 * Jamf Pro stops reading after 2 s, but a function must not be cut off after
 * that: when PutEvents fails or is slow (the publish budget, 1.4 s by default,
 * is spent), the webhook must still be written to the dead-letter queue,
 * and a cold start may add a Secrets Manager call. 10 s leaves room for that
 * with the SDK's retries, stays far under API Gateway's 29 s integration
 * timeout, and bounds the cost of a hung invocation.
 */
export const FUNCTION_TIMEOUT = Duration.seconds(10);

/**
 * The image CDK would bundle in if local bundling failed. It never does:
 * {@link EsbuildBundling} bundles with the esbuild in node_modules or throws,
 * so Docker is never started. CDK requires an image all the same.
 */
const UNUSED_BUNDLING_IMAGE = DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24');

/** What differs between the project's functions. Everything else is fixed by {@link createFunction}. */
export interface JamfFunctionProps {
  /**
   * The handler file, relative to the repository root; its export `handler` is invoked.
   * @example 'lambda/ingest/handler.ts'
   */
  readonly entry: string;
  /** The function's description in the Lambda console. */
  readonly description: string;
  /**
   * Retention and encryption key of the function's log group.
   * @default - `logRetention`, and a key of the function's own
   */
  readonly logGroups?: LogGroupSettings;
  /**
   * How long the function's log group keeps its logs, when `logGroups` is not
   * given (the property of the first release, kept for code that passes it).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
  /**
   * Memory in MB, which also sets the CPU share (a full vCPU at 1769 MB).
   * Say why next to the value when it is not the default.
   * @default FUNCTION_MEMORY_MB (1024)
   */
  readonly memorySize?: number;
  /**
   * Whether Node maps stack traces through the bundle's source maps
   * (`NODE_OPTIONS=--enable-source-maps`). It reads the maps of every module
   * it loads, which costs cold-start time; the maps ship either way, so it can
   * be switched on in the console when debugging.
   * @default true
   */
  readonly sourceMapsAtRuntime?: boolean;
  /**
   * Environment variables known when the function is created. Prefer
   * `fn.addEnvironment()` next to the grant that gives the variable its meaning.
   * @default - only NODE_OPTIONS, when source maps are on at runtime
   */
  readonly environment?: Record<string, string>;
  /**
   * Timeout, for a function API Gateway does not wait on. Say why next to the value.
   * @default FUNCTION_TIMEOUT (10 s)
   */
  readonly timeout?: Duration;
  /**
   * Instances reserved for the function, which are also the most it runs at once.
   * @default - none: the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The one factory for the project's Lambda functions, so that they cannot drift apart:
 * runtime, arm64, memory, timeout, a log group with retention, least-privilege logging
 * permissions, and the same esbuild bundle for every handler ({@link handlerBuildOptions}:
 * an ES module with code splitting, minified, source maps, the AWS SDK bundled in),
 * built with the local esbuild, never Docker, or prebuilt when the construct runs from
 * the package.
 *
 * Creates a construct `id` holding `Function`, `Role` and `LogGroup`.
 *
 * @example
 * const fn = createFunction(this, 'Ingest', {
 *   entry: 'lambda/ingest/handler.ts',
 *   description: 'Receives Jamf Pro webhooks',
 *   logGroups: { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: logKey },
 *   tracing: false,
 * });
 * bus.grantPutEventsTo(fn);
 * fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
 */
export function createFunction(scope: Construct, id: string, props: JamfFunctionProps): lambda.Function {
  const container = new Construct(scope, id);

  const logGroup = createLogGroup(
    container,
    'LogGroup',
    props.logGroups ?? { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, encryptionKey: createLogKey(container, 'LogKey') },
  );

  // A role of our own instead of AWSLambdaBasicExecutionRole: the function may
  // write to its own log group only, not create or write to any other.
  const role = new iam.Role(container, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs the ${id} function of ${scope.node.path}`,
  });
  logGroup.grantWrite(role);

  return new lambda.Function(container, 'Function', {
    code: handlerCode(props.entry),
    handler: `${BUNDLE_ENTRY_NAME}.handler`,
    description: props.description,
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? FUNCTION_MEMORY_MB,
    timeout: props.timeout ?? FUNCTION_TIMEOUT,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    role,
    logGroup,
    tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    // JSON format is what lets Lambda filter its own lines: the system level WARN drops START, END
    // and REPORT (about 250 bytes, $0.15 per million invocations); Duration and the other function
    // metrics do not come from them. Our lines are JSON written straight to stdout and pass at
    // level INFO whatever Lambda makes of their `level`, so their embedded metrics still count.
    loggingFormat: lambda.LoggingFormat.JSON,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    environment: {
      // Stack traces point into the TypeScript sources (the bundle is minified).
      ...((props.sourceMapsAtRuntime ?? true) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...props.environment,
    },
  });
}

/**
 * Acknowledges the rules that do not fit a function API Gateway invokes
 * synchronously, each with its reason.
 */
export function acknowledgeFunctionRules(
  fn: lambda.Function,
  tracing: boolean,
  /** Why the function has no Lambda dead-letter queue, when API Gateway is not what invokes it. */
  noLambdaDeadLetterQueue: string = API_GATEWAY_INVOKES_SYNCHRONOUSLY,
): void {
  acknowledgeControlTowerRules(fn, {
    lambda_inside_vpc_check:
      'Nothing the function talks to is in a VPC: API Gateway invokes it, and it calls only AWS public endpoints ' +
      '(Secrets Manager, EventBridge, SQS, DynamoDB) and, optionally, an upstream SCEP issuer over HTTPS on the ' +
      'internet. In a VPC it would need NAT gateways or interface endpoints (tens of dollars a month, more than ' +
      "the rest of the stack) and would start colder, against Jamf Pro's 2 s timeout.",
  });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: noLambdaDeadLetterQueue });
  if (!tracing) {
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: TRACING_OFF_REASON });
    return;
  }
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (policy !== undefined) {
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) have resource "*": X-Ray ' +
        'has no resource-level permissions for them.',
    });
  }
}

const API_GATEWAY_INVOKES_SYNCHRONOUSLY =
  'API Gateway invokes the function synchronously, so a Lambda dead-letter queue (for asynchronous ' +
  'invocations) would never be used; the function writes failures to its own SQS dead-letter queue.';

/**
 * The handler's bundle as a Lambda asset: built from its sources where they are
 * (this repository), else the one the package ships.
 *
 * From the sources, not with `NodejsFunction`: it passes esbuild `--outfile`,
 * which rules out code splitting. The asset's source directory is the
 * repository root only because CDK wants one; nothing is copied from it, and
 * the hash is taken of the bundle (`AssetHashType.OUTPUT`), so node_modules is
 * never fingerprinted. When bundling is skipped (`cdk synth OtherStack`,
 * tests), CDK hashes the construct path instead.
 */
function handlerCode(entry: string): lambda.Code {
  // The handler's source decides, not a `bundles` folder: a stray one in a clone must not switch
  // the repository's own synth to bundles it never built. The package ships no sources.
  if (!existsSync(path.resolve(PROJECT_ROOT, entry)) && existsSync(PREBUILT_BUNDLES_DIR)) return lambda.Code.fromAsset(prebuiltBundle(entry));
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: UNUSED_BUNDLING_IMAGE, local: new EsbuildBundling(entry) },
  });
}

/**
 * The directory of the handler's prebuilt bundle (`npm run build`, which `npm pack`
 * runs): its `index.mjs` and every chunk, built with the options the repository
 * bundles with, so the same code either way. An app that uses the package needs
 * neither esbuild nor our sources to synthesize.
 */
function prebuiltBundle(entry: string): string {
  const directory = path.join(PREBUILT_BUNDLES_DIR, prebuiltBundleName(entry));
  if (!existsSync(path.join(directory, `${BUNDLE_ENTRY_NAME}.mjs`))) {
    throw new Error(`The package has no prebuilt bundle of ${entry} in ${directory}: scripts/build.ts must list the handler`);
  }
  return directory;
}

/**
 * Local bundling with esbuild's synchronous API.
 *
 * `entry` is a field, not only a closure variable, on purpose: CDK caches staged
 * assets by the JSON of the bundling options, where a function does not appear,
 * so the field is what tells two handlers' bundles apart.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(public readonly entry: string) {}

  public tryBundle(outputDir: string): boolean {
    bundleHandler(this.entry, outputDir);
    return true;
  }
}

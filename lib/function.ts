import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: handlers are bundled from here, with its package-lock.json. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The newest Node.js runtime that aws-cdk-lib knows and Lambda supports.
 *
 * Not `NODEJS_LATEST`: that one moves with aws-cdk-lib upgrades and would change
 * the runtime of a deployed function without a code change here.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Memory of every function, in MB.
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
 * that: when PutEvents fails or is slow (the publish budget, 1.2 s by default,
 * is spent), the webhook must still be written to the dead-letter queue,
 * and a cold start may add a Secrets Manager call. 10 s leaves room for that
 * with the SDK's retries, stays far under API Gateway's 29 s integration
 * timeout, and bounds the cost of a hung invocation.
 */
export const FUNCTION_TIMEOUT = Duration.seconds(10);

/** What differs between the project's functions. Everything else is fixed by {@link createFunction}. */
export interface JamfFunctionProps {
  /**
   * The handler file, relative to the repository root; its export `handler` is invoked.
   * @example 'lambda/ingest/handler.ts'
   */
  readonly entry: string;
  /** The function's description in the Lambda console. */
  readonly description: string;
  /** How long the function's log group keeps its logs. */
  readonly logRetention: logs.RetentionDays;
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
  /**
   * Environment variables known when the function is created. Prefer
   * `fn.addEnvironment()` next to the grant that gives the variable its meaning.
   * @default - only NODE_OPTIONS
   */
  readonly environment?: Record<string, string>;
}

/**
 * The one factory for the project's Lambda functions, so that they cannot drift apart:
 * runtime, arm64, memory, timeout, a log group with retention, least-privilege logging
 * permissions, and esbuild bundling with the local esbuild (never Docker), minified,
 * with source maps and the AWS SDK bundled in (what is tested is what ships).
 *
 * Creates a construct `id` holding `Function`, `Role` and `LogGroup`.
 *
 * @example
 * const fn = createFunction(this, 'Ingest', {
 *   entry: 'lambda/ingest/handler.ts',
 *   description: 'Receives Jamf Pro webhooks',
 *   logRetention: logs.RetentionDays.ONE_MONTH,
 *   tracing: false,
 * });
 * bus.grantPutEventsTo(fn);
 * fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
 */
export function createFunction(scope: Construct, id: string, props: JamfFunctionProps): NodejsFunction {
  const container = new Construct(scope, id);

  const logGroup = new logs.LogGroup(container, 'LogGroup', { retention: props.logRetention });

  // A role of our own instead of AWSLambdaBasicExecutionRole: the function may
  // write to its own log group only, not create or write to any other.
  const role = new iam.Role(container, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs the ${id} function of ${scope.node.path}`,
  });
  logGroup.grantWrite(role);

  return new NodejsFunction(container, 'Function', {
    entry: path.join(PROJECT_ROOT, props.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    description: props.description,
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: FUNCTION_MEMORY_MB,
    timeout: FUNCTION_TIMEOUT,
    role,
    logGroup,
    tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    environment: {
      // Stack traces point into the TypeScript sources (the bundle is minified).
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    },
    bundling: {
      // Bundling runs the esbuild in node_modules; Docker is never used.
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: 'node24',
      // ES module builds first, so esbuild can drop unused code from the AWS SDK.
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      // A linked .map file: Node finds it through the sourceMappingURL comment.
      sourceMapMode: SourceMapMode.DEFAULT,
      // The map points at sources by path; leaving their text out keeps it small,
      // which matters because --enable-source-maps loads it at start-up.
      sourcesContent: false,
      // Nothing is external: the SDK version we test with is the one we ship.
      externalModules: [],
      logLevel: LogLevel.WARNING,
    },
  });
}

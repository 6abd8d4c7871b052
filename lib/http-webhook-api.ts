import { Names, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_THROTTLING_BURST_LIMIT, DEFAULT_THROTTLING_RATE_LIMIT, STAGE_NAME } from '../lambda/contract';
import { countThrottledRequests } from './api-throttles';
import { createLogGroup, type LogGroupSettings } from './log-group';
import { acknowledgeControlTowerRules } from './nag';
import type { RouteAuthentication } from './webhook-api';

/** Properties of {@link HttpWebhookApi}. */
export interface HttpWebhookApiProps {
  /** Steady-state requests per second. @default DEFAULT_THROTTLING_RATE_LIMIT (500) */
  readonly throttlingRateLimit?: number;
  /** Burst of requests. @default DEFAULT_THROTTLING_BURST_LIMIT (500) */
  readonly throttlingBurstLimit?: number;
  /** Retention and encryption key of the access logs. */
  readonly logGroups: LogGroupSettings;
}

/**
 * Why the invoke permission is not public (Control Tower's
 * lambda_function_public_access_prohibited_check, CT.LAMBDA.PR.2).
 */
const SCOPED_INVOKE_PERMISSION =
  'The permission is not public: its principal is apigateway.amazonaws.com and its SourceArn is this route of ' +
  'this HTTP API on the deployed stage (arn:<partition>:execute-api:<region>:<account>:<api-id>/v1/POST/<path>), ' +
  'which names the account too. The rule flags it only because CloudFormation assembles that ARN with Fn::Join ' +
  'from the API ID, and the rule reads a literal string or a plain Ref/GetAtt only.';

/**
 * The front door of `apiType: 'http'`: an API Gateway HTTP API ($1.00 per
 * million requests against the REST API's $3.50) with the REST API's routes,
 * stage name, throttling and access logs. It hands each request to a function
 * as a payload format 2.0 event; the functions authenticate the caller and,
 * as an HTTP API has no resource policy, check `allowedSourceCidrs` themselves.
 *
 * What it does not have: AWS WAF (an HTTP API cannot be associated with a web
 * ACL), X-Ray tracing of the API itself, and execution logs.
 */
export class HttpWebhookApi extends Construct {
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** The `v1` stage, which serves every route. */
  public readonly stage: apigwv2.HttpStage;
  /** Counts the 429 answers in the access log. */
  private readonly throttledRequests: logs.MetricFilter;

  constructor(scope: Construct, id: string, props: HttpWebhookApiProps) {
    super(scope, id);
    const accessLogs = createLogGroup(this, 'HttpApiAccessLogs', props.logGroups);
    this.throttledRequests = countThrottledRequests(this, accessLogs);

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: Names.uniqueResourceName(this.node.scope ?? this, { maxLength: 64, separator: '-' }),
      description: 'Receives Jamf Pro webhooks',
      // Only the named stage, so that the URLs keep the REST API's shape (.../v1/webhooks):
      // a $default stage would answer at the root as well.
      createDefaultStage: false,
    });

    this.stage = new apigwv2.HttpStage(this, 'HttpStage', {
      httpApi: this.api,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT,
        burstLimit: props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: accessLogFormat(),
      },
    });
    // No AWS WAF: an HTTP API cannot be associated with a web ACL (cdk-nag's APIG3 checks REST stages
    // only). Set apiType rest to attach one; here callers are limited by the stage throttling, the
    // optional source allowlist (checked by the functions) and the webhook credentials.
  }

  /** The requests API Gateway answered 429 (from the access log), for the alarm. */
  public metricThrottled(props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.throttledRequests.metric(props);
  }

  /** The stage's 5xx answers, for the alarm. */
  public metricServerError(props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricServerError(props);
  }

  /**
   * Routes `POST /<path>` to a function (payload format 2.0), without an
   * authorizer: the function authenticates the caller, as `auth` says. Returns the route's URL.
   */
  public addLambdaRoute(path: string, fn: lambda.IFunction, auth: RouteAuthentication): string {
    const integration = new LambdaProxyIntegration(`${pathId(path)}Integration`, fn);
    const [route] = this.api.addRoutes({ path: `/${path}`, methods: [apigwv2.HttpMethod.POST], integration });
    if (route === undefined) throw new Error(`no route was created for /${path}`);
    // This route on the deployed stage only, as the REST API's permissions are.
    fn.addPermission('InvokePermission', {
      scope: route,
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: Stack.of(this).formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${STAGE_NAME}/POST/${path}`,
      }),
    });
    acknowledgeControlTowerRules(route, {
      lambda_function_public_access_prohibited_check: SCOPED_INVOKE_PERMISSION,
      api_gw_v2_authorization_type_configured_check: `The caller is ${auth.caller}, which cannot sign with IAM or present a JWT: ${auth.howTheFunctionAuthenticates}`,
    });
    Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: auth.howTheFunctionAuthenticates });
    return `${this.stage.url}/${path}`;
  }
}

/**
 * A Lambda proxy integration with payload format 2.0 and no permission of its own:
 * aws-apigatewayv2-integrations' HttpLambdaIntegration would let any stage and
 * method of the API invoke the function, where the route adds one for its stage and method.
 *
 * 2.0 rather than 1.0: the event is about half the size (no `multiValueHeaders`
 * copy of every header, no `identity` block of nulls), the caller's address is
 * in `requestContext.http.sourceIp` and the route in `routeKey`, and it is what
 * an HTTP API is built for; the handlers read both formats (lambda/shared/request.ts).
 */
class LambdaProxyIntegration extends apigwv2.HttpRouteIntegration {
  constructor(
    id: string,
    private readonly fn: lambda.IFunction,
  ) {
    super(id);
  }

  public bind(): apigwv2.HttpRouteIntegrationConfig {
    return {
      type: apigwv2.HttpIntegrationType.AWS_PROXY,
      uri: this.fn.functionArn,
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    };
  }
}

/** `scep-challenge/verify` -> `ScepChallengeVerify`, for construct ids. */
function pathId(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/**
 * One small JSON object per request, no headers or bodies (they carry
 * credentials): who called (address), when, which route, what they got, and
 * how long the function took. Kept short: at webhook rates every byte here is
 * paid for a million times (see docs/costs.md).
 */
export function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      time: '$context.requestTimeEpoch',
      route: '$context.routeKey',
      status: '$context.status',
      length: '$context.responseLength',
      latency: '$context.integrationLatency',
      error: '$context.integrationErrorMessage',
    }),
  );
}

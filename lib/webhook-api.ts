import { Names, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { DEFAULT_THROTTLING_BURST_LIMIT, DEFAULT_THROTTLING_RATE_LIMIT, STAGE_NAME } from '../lambda/contract';
import { countThrottledRequests } from './api-throttles';
import { createLogGroup, type LogGroupSettings } from './log-group';
import { acknowledgeControlTowerRules, TRACING_OFF_REASON } from './nag';

/** Who calls a route and how the function, not API Gateway, authenticates them (cdk-nag acknowledgements). */
export interface RouteAuthentication {
  readonly caller: string;
  readonly howTheFunctionAuthenticates: string;
}

/** Jamf Pro's routes: the function checks the webhook credentials. */
export const JAMF_CREDENTIALS_CHECKED: RouteAuthentication = {
  caller: 'Jamf Pro',
  howTheFunctionAuthenticates:
    'Jamf Pro can only send Basic or header credentials, not IAM signatures or tokens. The function checks them ' +
    'against the Secrets Manager secret before doing anything else, and answers 401 otherwise.',
};

/** step-ca's route: the function checks the HMAC signature. */
export const STEP_CA_SIGNATURE_CHECKED: RouteAuthentication = {
  caller: "step-ca's SCEPCHALLENGE webhook",
  howTheFunctionAuthenticates:
    'step-ca signs each webhook request with HMAC-SHA256 over the body and sends no credentials API Gateway ' +
    'could check. The function verifies the signature with the secret from Secrets Manager before doing ' +
    'anything else, and answers 401 otherwise.',
};

/**
 * Why the function's invoke permission is not public (Control Tower's
 * lambda_function_public_access_prohibited_check, CT.LAMBDA.PR.2).
 */
const SCOPED_INVOKE_PERMISSION =
  'The permission is not public: its principal is apigateway.amazonaws.com and its SourceArn is this route on ' +
  'the deployed stage (arn:<partition>:execute-api:<region>:<account>:<api-id>/v1/POST/<path>), which names the ' +
  'account too. The rule flags it only because CloudFormation assembles that ARN with Fn::Join from the API and ' +
  'stage IDs, and the rule reads a literal string or a plain Ref/GetAtt only.';

/** Properties of {@link WebhookApi}. */
export interface WebhookApiProps {
  /** Steady-state requests per second. @default DEFAULT_THROTTLING_RATE_LIMIT (500) */
  readonly throttlingRateLimit?: number;
  /** Burst of requests. @default DEFAULT_THROTTLING_BURST_LIMIT (500) */
  readonly throttlingBurstLimit?: number;
  /** Source ranges allowed to call; others get 403. @default - any source address */
  readonly allowedSourceCidrs?: readonly string[];
  /** A regional WAF web ACL to associate with the stage. @default - none */
  readonly webAclArn?: string;
  /** Whether to set the account's API Gateway CloudWatch Logs role. @default true */
  readonly apiGatewayCloudWatchRole?: boolean;
  /** Retention and encryption key of the access and execution logs. */
  readonly logGroups: LogGroupSettings;
  /** Whether X-Ray tracing is on for the stage. */
  readonly tracing: boolean;
}

/**
 * The front door: a regional REST API that hands every request, its body as
 * raw bytes, to a function, which authenticates the caller itself. Access logs
 * without headers or bodies, error-only execution logs, stage throttling, an
 * optional source allowlist and an optional WAF web ACL.
 */
export class WebhookApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** Counts the 429 answers in the access log. */
  private readonly throttledRequests: logs.MetricFilter;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const accessLogs = createLogGroup(this, 'ApiAccessLogs', props.logGroups);
    this.throttledRequests = countThrottledRequests(this, accessLogs);
    const allowedSourceCidrs = props.allowedSourceCidrs;
    const cloudWatchRole = props.apiGatewayCloudWatchRole ?? true;

    const api = new apigw.RestApi(this, 'Api', {
      // From the parent's path, as the name was before this construct existed.
      restApiName: Names.uniqueResourceName(this.node.scope ?? this, { maxLength: 64, separator: '-' }),
      description: 'Receives Jamf Pro webhooks',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Every body reaches the function base64-encoded and byte for byte, as
      // signatures over the raw bytes need.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole,
      policy: allowedSourceCidrs === undefined ? undefined : sourceIpPolicy(allowedSourceCidrs),
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT,
        throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        // Execution logs for errors only, and never the request data: bodies and
        // headers carry credentials and device details.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: props.tracing,
      },
    });
    this.api = api;

    // The stack outputs the webhook URL itself; the API's default output (the
    // stage URL without the route) would only be pasted into Jamf Pro by mistake.
    api.node.tryRemoveChild('Endpoint');

    // A resource policy takes effect only through a new deployment.
    if (allowedSourceCidrs !== undefined) {
      api.latestDeployment?.addToLogicalId({ allowedSourceCidrs });
    }

    // API Gateway would create this log group on first use, with no retention.
    const executionLogs = createLogGroup(this, 'ApiExecutionLogs', {
      ...props.logGroups,
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${STAGE_NAME}`,
    });
    api.deploymentStage.node.addDependency(executionLogs);

    if (props.webAclArn !== undefined) {
      const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
      association.node.addDependency(api.deploymentStage);
    } else {
      Validations.of(api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'AWS WAF is optional (it costs a monthly fee per web ACL): set webAclArn to associate one. Without it, ' +
          'callers are limited by stage throttling, the optional source IP allowlist and the webhook credentials.',
      });
    }
    if (!props.tracing) {
      Validations.of(api.deploymentStage).acknowledge({ id: 'Serverless-APIGWXrayEnabled', reason: TRACING_OFF_REASON });
      acknowledgeControlTowerRules(api.deploymentStage, { api_gw_xray_enabled_check: TRACING_OFF_REASON });
    }

    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Bodies are passed through as raw bytes (binaryMediaTypes */*) so the function can verify signatures over ' +
        'them; API Gateway cannot validate a binary body. The function checks size, credentials and schema and ' +
        'answers 4xx itself.',
    });
    if (cloudWatchRole) {
      Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "AWS's managed policy for the API Gateway account logging role, the one its documentation prescribes; " +
          'only API Gateway can assume the role.',
      });
    }
  }

  /** The requests API Gateway answered 429 (from the access log), for the alarm. */
  public metricThrottled(props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.throttledRequests.metric(props);
  }

  /** The stage's 5xx answers, for the alarm. */
  public metricServerError(props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricServerError(props);
  }

  /**
   * Routes `POST /<path>` to a function through a Lambda proxy integration,
   * without an authorizer: the function authenticates the caller, as `auth` says.
   * Returns the route's URL.
   */
  public addLambdaRoute(path: string, fn: lambda.IFunction, auth: RouteAuthentication): string {
    // No test-invoke permission: it would let the console's "Test" button (any
    // stage, "test-invoke-stage") invoke the function beside the deployed stage,
    // a second way in that nobody uses; send a request to the route instead.
    const integration = new apigw.LambdaIntegration(fn, { allowTestInvoke: false });
    const method = this.api.root.resourceForPath(path).addMethod('POST', integration, {
      authorizationType: apigw.AuthorizationType.NONE,
    });
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: auth.howTheFunctionAuthenticates },
      {
        id: 'AwsSolutions-COG4',
        reason: `The caller is ${auth.caller}, not a user: there is no Cognito user pool to sign in to (see AwsSolutions-APIG4).`,
      },
    );
    // On the method, so that it covers the permission the integration adds below it.
    acknowledgeControlTowerRules(method, { lambda_function_public_access_prohibited_check: SCOPED_INVOKE_PERMISSION });
    return this.api.urlForPath(`/${path}`);
  }
}

/** Allow anyone to invoke, then deny every source address outside the list. */
function sourceIpPolicy(cidrs: readonly string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowInvoke',
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyOutsideAllowedSourceCidrs',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}

/** One JSON object per request; no headers or bodies (they carry credentials). */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      integrationLatency: f.contextIntegrationLatency(),
      errorMessage: f.contextErrorMessage(),
      wafStatus: f.contextWafStatus(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}

import { Match } from 'aws-cdk-lib/assertions';
import { INGEST_ENV } from '../../lambda/contract';
import { synthesize, type Synthesized } from './synth';

/** The default front door, apiType 'http': an HTTP API with the REST API's routes, stage, throttling and access logs. */
let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize({});
});

const template = () => synthesized.template;

describe("JamfEventBridge with apiType 'http' (the default)", () => {
  it('is an HTTP API, and no REST API', () => {
    template().resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template().hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template().resourceCountIs('AWS::ApiGateway::RestApi', 0);
    expect(synthesized.stack.jamf.apiType).toBe('http');
    expect(synthesized.stack.jamf.httpApi).toBeDefined();
    expect(() => synthesized.stack.jamf.api).toThrow(/use httpApi/);
  });

  it('routes POST on the same three paths, and nothing else', () => {
    const routes = Object.values(template().findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => (route.Properties as { RouteKey: string }).RouteKey,
    );
    expect(routes.sort()).toEqual(['POST /scep-challenge', 'POST /scep-challenge/verify', 'POST /webhooks']);
  });

  it('hands each request to the functions as a payload 2.0 Lambda proxy event', () => {
    const integrations = Object.values(template().findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).toHaveLength(3);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it('serves the routes on a v1 stage, deployed automatically, throttled at 500 per second with bursts of 500', () => {
    template().resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'v1',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 500 },
    });
  });

  it('takes the throttling settings', () => {
    const { template: custom } = synthesize({ throttlingRateLimit: 5, throttlingBurstLimit: 10 });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
  });

  it('writes small JSON access logs with the caller address, never headers or bodies, to an encrypted log group', () => {
    const stage = Object.values(template().findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const settings = (stage.Properties as { AccessLogSettings: { Format: string; DestinationArn: unknown } }).AccessLogSettings;
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', status: '$context.status' });
    expect(settings.Format).not.toMatch(/header|body|authorization/i);
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^JamfEventBridgeHttpApiAccessLogs/), 'Arn'] });
    template().hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 30 });
  });

  it('lets API Gateway invoke each function only from its own route on the v1 stage, with POST', () => {
    const permissions = Object.values(
      template().findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }),
    ).map((permission) => JSON.stringify((permission.Properties as { SourceArn: unknown }).SourceArn));
    expect(permissions).toHaveLength(3);
    const routes = permissions.map((arn) => /\/(v1\/POST\/[a-z/-]+)"/.exec(arn)?.[1]);
    expect(routes.sort()).toEqual(['v1/POST/scep-challenge', 'v1/POST/scep-challenge/verify', 'v1/POST/webhooks']);
    for (const arn of permissions) expect(arn).not.toContain('*');
  });

  it('has no WAF association, execution log group or API Gateway account role, which an HTTP API does not use', () => {
    template().resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    template().resourceCountIs('AWS::ApiGateway::Account', 0);
    const names = Object.values(template().findResources('AWS::Logs::LogGroup')).map((group) =>
      JSON.stringify((group.Properties as { LogGroupName?: unknown }).LogGroupName ?? ''),
    );
    expect(names.filter((name) => name.includes('API-Gateway-Execution-Logs'))).toEqual([]);
  });

  it('refuses a WAF web ACL, saying to set apiType rest', () => {
    expect(() =>
      synthesize({ webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/jamf/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' }),
    ).toThrow(/webAclArn is set but apiType is 'http'.*HTTP API cannot have an AWS WAF web ACL.*set apiType to 'rest'/s);
  });

  it('passes allowedSourceCidrs to both functions, which enforce it', () => {
    const { template: allowlisted } = synthesize({ allowedSourceCidrs: ['192.0.2.0/24', '2001:db8::/32'] });
    const functions = Object.values(
      allowlisted.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { [INGEST_ENV.allowedSourceCidrs]: '192.0.2.0/24,2001:db8::/32' } } },
      }),
    );
    expect(functions).toHaveLength(2);
  });

  it('does not set the allowlist variable when there is no allowlist', () => {
    const functions = Object.values(template().findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(JSON.stringify(fn.Properties)).not.toContain(INGEST_ENV.allowedSourceCidrs);
    }
  });

  it('alarms on the stage’s 5xx answers', () => {
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'ApiId' }), { Name: 'Stage', Value: 'v1' }]),
    });
  });

  it('alarms on any request the stage answered 429, counted from its access log', () => {
    const accessLogs = Object.keys(template().findResources('AWS::Logs::LogGroup')).find((id) => id.startsWith('JamfEventBridgeHttpApiAccessLogs'));
    template().hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: accessLogs },
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [{ MetricNamespace: 'JamfEventBridge', MetricName: 'ApiThrottled', MetricValue: '1', Unit: 'Count' }],
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApiThrottled',
      Namespace: 'JamfEventBridge',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('outputs the same URLs, on the v1 stage', () => {
    const outputs = template().toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const [name, path] of [['WebhookUrl', 'v1/webhooks'], ['ScepChallengeUrl', 'v1/scep-challenge'], ['ScepVerifyUrl', 'v1/scep-challenge/verify']] as const) {
      expect(JSON.stringify(outputs[name]?.Value)).toContain(path);
    }
  });

  it("keeps the REST API for apiType 'rest'", () => {
    const { template: rest } = synthesize({ apiType: 'rest' });
    rest.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    rest.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  it('refuses an apiType that is not http or rest', () => {
    expect(() => synthesize({ apiType: 'websocket' })).toThrow(/apiType must be http or rest/);
  });
});

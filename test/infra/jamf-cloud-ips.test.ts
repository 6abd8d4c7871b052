/**
 * `jamfCloudIpsFile` and `jamfCloudRegions`: Jamf Cloud's outbound ranges, read
 * at synth time from a saved copy of Jamf's public-ips.json, join the API's
 * source allowlist with both API types. The fixture is our own, in Jamf's
 * format, with documentation ranges only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { INGEST_ENV } from '../../lambda/contract';
import { jamfCloudOutboundCidrs, readJamfCloudIps } from '../../lib/jamf-cloud-ips';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { InvalidSettingError, type JamfEventBridgeSettings, parseSettings } from '../../lib/settings';
import { newApp, synthesize } from './synth';

const FIXTURE = 'test/fixtures/jamf-cloud/public-ips.json';
/** The outbound ranges of example-east-1 in the fixture, in its order, 192.0.2.64/26 once though two entries list it. */
const EAST_OUTBOUND = ['192.0.2.0/26', '192.0.2.64/26', '2001:db8:10::/48', '198.51.100.16/28'];
const WEST_OUTBOUND = ['198.51.100.128/25', '2001:db8:20::/48'];

const allowlistVariable = (settings: JamfEventBridgeSettings): unknown[] =>
  Object.values(synthesize(settings).template.findResources('AWS::Lambda::Function')).map(
    (fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.[INGEST_ENV.allowedSourceCidrs],
  );

describe('Jamf Cloud outbound ranges from a saved public-ips.json', () => {
  describe('read from the list', () => {
    const list = readJamfCloudIps(FIXTURE);

    it("takes the outbound ranges of the chosen regions only, each once, IPv6 too, never the inbound ones", () => {
      expect(jamfCloudOutboundCidrs(list, ['example-east-1'])).toEqual(EAST_OUTBOUND);
      expect(jamfCloudOutboundCidrs(list, ['example-east-1', 'EXAMPLE-WEST-2'])).toEqual([...EAST_OUTBOUND, ...WEST_OUTBOUND]);
    });

    it('refuses regions that match nothing, naming the regions the list has', () => {
      expect(() => jamfCloudOutboundCidrs(list, ['example-north-9'])).toThrow(
        new InvalidSettingError(
          'jamfCloudRegions "example-north-9" match no outbound range in jamfCloudIpsFile: its regions are "example-east-1", "example-west-2".',
        ),
      );
    });
  });

  describe.each(['http', 'rest'] as const)("with apiType '%s'", (apiType) => {
    it('adds them after allowedSourceCidrs in the functions’ allowlist', () => {
      const settings = parseSettings({ apiType, allowedSourceCidrs: '203.0.113.7/32', jamfCloudIpsFile: FIXTURE, jamfCloudRegions: 'example-east-1' });
      const expected = ['203.0.113.7/32', ...EAST_OUTBOUND].join(',');
      // The ingest and the SCEP function enforce it with both API types.
      expect(allowlistVariable(settings).filter((value) => value === expected)).toHaveLength(2);
    });

    it('makes an allowlist of them alone when allowedSourceCidrs is not set', () => {
      const settings = parseSettings({ apiType, jamfCloudIpsFile: FIXTURE, jamfCloudRegions: '["example-west-2"]' });
      expect(allowlistVariable(settings).filter((value) => value === WEST_OUTBOUND.join(','))).toHaveLength(2);
    });
  });

  it("puts them in the REST API's resource policy too", () => {
    const { template } = synthesize({ apiType: 'rest', jamfCloudIpsFile: FIXTURE, jamfCloudRegions: ['example-east-1'] });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DenyOutsideAllowedSourceCidrs', Condition: { NotIpAddress: { 'aws:SourceIp': EAST_OUTBOUND } } }),
        ]),
      },
    });
  });

  describe('when the settings cannot work', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jamf-cloud-ips-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const stack = (settings: JamfEventBridgeSettings) => () => new JamfEventBridgeStack(newApp(), 'JamfEventBridge', { settings });
    const regions = ['example-east-1'];

    it.each<[string, () => JamfEventBridgeSettings, RegExp]>([
      ['a file that is not there', () => ({ jamfCloudIpsFile: join(dir, 'missing.json'), jamfCloudRegions: regions }), /^jamfCloudIpsFile ".*missing\.json" cannot be read \(ENOENT\)/],
      ['a file that is not JSON', () => ({ jamfCloudIpsFile: file('html.json', '<html>'), jamfCloudRegions: regions }), /is not JSON/],
      [
        'a file without the ranges',
        () => ({ jamfCloudIpsFile: file('other.json', '{"publish_date":"2026-01-01","public_ips":[{"traffic":"outbound","region":"example-east-1"}]}'), jamfCloudRegions: regions }),
        /is not in the form of Jamf's public-ips\.json .*public_ips\.0\.ip_prefixes/,
      ],
      [
        'a range that is not one',
        () => ({
          jamfCloudIpsFile: file('bad.json', '{"publish_date":"x","public_ips":[{"traffic":"outbound","region":"example-east-1","ip_prefixes":["192.0.2.0/33"]}]}'),
          jamfCloudRegions: regions,
        }),
        /outbound prefixes that are not CIDR ranges: "192\.0\.2\.0\/33"/,
      ],
      ['regions that match nothing', () => ({ jamfCloudIpsFile: FIXTURE, jamfCloudRegions: ['example-north-9'] }), /match no outbound range/],
      ['regions without the file', () => ({ jamfCloudRegions: regions }), /^jamfCloudRegions is set without jamfCloudIpsFile/],
      ['the file without regions', () => ({ jamfCloudIpsFile: FIXTURE }), /^jamfCloudIpsFile is set without jamfCloudRegions/],
    ])('refuses %s, saying what to change', (_what, settings, message) => {
      expect(stack(settings())).toThrow(InvalidSettingError);
      expect(stack(settings())).toThrow(message);
    });
  });
});

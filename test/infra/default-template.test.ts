/**
 * A stack without `jamfInstances` is the stack it was before the setting existed: the same
 * resources with the same logical IDs and the same properties, and the same outputs. A change
 * there would replace resources of every deployment that never asked for instances (another
 * webhook URL, another generated password).
 *
 * The fixture holds, for each configuration, every resource's type and a digest of its
 * template text, asset hashes left out (they follow the Lambda code, which changes often).
 * When a change to the default template is intended, regenerate it and review the diff:
 * `UPDATE_DEFAULT_TEMPLATE=1 npx jest test/infra/default-template.test.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { JamfEventBridgeSettings } from '../../lib/settings';
import { synthesize } from './synth';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'templates', 'default-template.json');

/** The configurations compared: the app's default, and a REST API with every optional part on. */
const CONFIGURATIONS: Readonly<Record<string, JamfEventBridgeSettings>> = {
  default: {},
  restWithEverything: {
    apiType: 'rest',
    eventLog: true,
    alarmEmail: 'ops@example.com',
    jamfUrl: 'https://example.jamfcloud.com',
    jamfApiClientSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-api-AbCdEf',
  },
};

interface Digest {
  readonly resources: Record<string, { readonly type: string; readonly digest: string }>;
  readonly outputs: Record<string, string>;
}

/** Asset hashes (64 hex characters) follow the bundled code, not the template's shape. */
function digestOf(value: unknown): string {
  const text = JSON.stringify(value).replace(/[0-9a-f]{64}/g, '<asset-hash>');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function templateDigest(settings: JamfEventBridgeSettings): Digest {
  const json = synthesize(settings).template.toJSON() as {
    Resources: Record<string, { Type: string }>;
    Outputs?: Record<string, unknown>;
  };
  return {
    resources: Object.fromEntries(
      Object.entries(json.Resources)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, resource]) => [id, { type: resource.Type, digest: digestOf(resource) }]),
    ),
    outputs: Object.fromEntries(
      Object.entries(json.Outputs ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, output]) => [id, digestOf(output)]),
    ),
  };
}

describe('the stack without jamfInstances', () => {
  const current = Object.fromEntries(Object.entries(CONFIGURATIONS).map(([name, settings]) => [name, templateDigest(settings)]));
  if (process.env.UPDATE_DEFAULT_TEMPLATE === '1') writeFileSync(FIXTURE, `${JSON.stringify(current, null, 2)}\n`);
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Digest>;

  for (const name of Object.keys(CONFIGURATIONS)) {
    describe(`(${name})`, () => {
      it('has the same resources, with the same logical IDs', () => {
        expect(Object.keys(current[name]!.resources)).toEqual(Object.keys(recorded[name]!.resources));
      });

      it('gives each resource the same properties', () => {
        expect(current[name]!.resources).toEqual(recorded[name]!.resources);
      });

      it('has the same outputs', () => {
        expect(current[name]!.outputs).toEqual(recorded[name]!.outputs);
      });
    });
  }
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_NAMES } from '../../../lambda/events/catalogue';
import { schemaFiles, type Json, type JsonObject } from '../../../scripts/event-schemas';
import { publishedExample } from '../../../scripts/published-example';
import { fixtureNames, ROOT, type FixtureFormat } from '../../support/fixtures';

const SCHEMAS_DIR = join(ROOT, 'schemas');

/** A checked-in file of schemas/, parsed. */
const readSchema = (path: string): JsonObject => JSON.parse(readFileSync(join(SCHEMAS_DIR, path), 'utf8')) as JsonObject;

/** A validator of every JSON Schema in schemas/, by detail-type: what a subscriber in another language would build. */
function jsonSchemaValidators(): Map<string, ValidateFunction> {
  // A field that is an integer or a string (PushSent's managementId) has a list of types, which JSON Schema allows.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return new Map(EVENT_NAMES.map((name) => [`jamf.${name}`, ajv.compile(readSchema(`jamf.${name}.json`))]));
}

/**
 * A validator of the `AWSEvent` component of every registry document: OpenAPI 3.0's schema
 * objects are a dialect ajv reads (it knows `nullable`), with the document's other keys declared.
 */
function registryValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'x-amazon-events-source', 'x-amazon-events-detail-type']);
  return new Map(
    EVENT_NAMES.map((name) => {
      ajv.addSchema(readSchema(`registry/jamf.${name}.json`), `registry-${name}`);
      return [`jamf.${name}`, ajv.compile({ $ref: `registry-${name}#/components/schemas/AWSEvent` })];
    }),
  );
}

type Published = Record<string, any>;
const published = (name: string, format: FixtureFormat = 'json'): Published => publishedExample(ROOT, name, format);
const EVERY_FIXTURE = fixtureNames().flatMap((name) => (['json', 'xml'] as const).map((format) => [name, format] as const));

/** Where ajv found each problem, as JSON pointers. */
const errorPaths = (validate: ValidateFunction): string[] =>
  (validate.errors ?? []).map((error) => (error.keyword === 'required' ? `${error.instancePath}/${String(error.params.missingProperty)}` : error.instancePath));

const BROKEN: ReadonlyArray<[string, (event: Published) => void, string]> = [
  ['a jssID as text', (e) => (e.detail.event.jssID = '1322'), '/detail/event/jssID'],
  ['a serial number as a number', (e) => (e.detail.event.serialNumber = 1322), '/detail/event/serialNumber'],
  ['no detail-type', (e) => delete e['detail-type'], '/detail-type'],
  ['a webhookEvent other than its detail-type', (e) => (e.detail.webhook.webhookEvent = 'ComputerCheckIn'), '/detail/webhook/webhookEvent'],
  ['no delivery block', (e) => delete e.detail.delivery, '/detail/delivery'],
  ['a receivedAt that is not a date-time', (e) => (e.detail.delivery.receivedAt = 'yesterday'), '/detail/delivery/receivedAt'],
];

describe('the JSON Schemas in schemas/', () => {
  let validators: Map<string, ValidateFunction>;
  beforeAll(() => {
    validators = jsonSchemaValidators();
  });

  it.each(EVERY_FIXTURE)('accept %s (%s) as the real decoder publishes it', (name, format) => {
    const validate = validators.get(`jamf.${name}`)!;
    expect(validate(published(name, format))).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it("accept the SCEP service's challenge event, with its issuance", () => {
    const event = publishedExample(ROOT, 'SCEPChallenge', 'json', { issuance: { issuer: 'upstream' } });
    expect(validators.get('jamf.SCEPChallenge')!(event)).toBe(true);
  });

  it('accept fields the catalogue does not know: the events keep them', () => {
    const event = published('ComputerCheckIn');
    event.detail.event.reportedIpV4Address = '192.0.2.41';
    event.detail.event.computer.newField = { nested: true };
    expect(validators.get('jamf.ComputerCheckIn')!(event)).toBe(true);
  });

  it('accept null where Jamf sends nothing', () => {
    const event = published('ComputerPatchPolicyCompleted');
    event.detail.event.computer = null;
    event.detail.event.successful = null;
    expect(validators.get('jamf.ComputerPatchPolicyCompleted')!(event)).toBe(true);
  });

  it.each(BROKEN)('refuse %s, naming where', (_, breakIt, path) => {
    const event = published('ComputerAdded');
    breakIt(event);
    const validate = validators.get('jamf.ComputerAdded')!;
    expect(validate(event)).toBe(false);
    expect(errorPaths(validate)).toContain(path);
  });

  it("refuse another event's detail-type", () => {
    const validate = validators.get('jamf.ComputerAdded')!;
    expect(validate(published('ComputerInventoryCompleted'))).toBe(false);
    expect(errorPaths(validate)).toContain('/detail-type');
  });
});

describe('the schema registry documents in schemas/registry/', () => {
  let validators: Map<string, ValidateFunction>;
  beforeAll(() => {
    validators = registryValidators();
  });

  it.each(EVERY_FIXTURE)('accept %s (%s) as the real decoder publishes it', (name, format) => {
    const validate = validators.get(`jamf.${name}`)!;
    expect(validate(published(name, format))).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it.each(BROKEN)('refuse %s', (_, breakIt) => {
    const event = published('ComputerAdded');
    breakIt(event);
    expect(validators.get('jamf.ComputerAdded')!(event)).toBe(false);
  });

  describe.each(EVENT_NAMES.map((name) => [`jamf.${name}`]))('%s', (detailType) => {
    let document: JsonObject;
    beforeAll(() => {
      document = readSchema(`registry/${detailType}.json`);
    });

    it('is OpenAPI 3.0 with the AWSEvent component EventBridge reads the event from', () => {
      expect(document).toMatchObject({ openapi: '3.0.0', info: { version: '1.0.0' }, paths: {} });
      expect(document).toHaveProperty(['components', 'schemas', 'AWSEvent', 'x-amazon-events-detail-type'], detailType);
      expect(document).toHaveProperty(['components', 'schemas', 'AWSEvent', 'x-amazon-events-source'], 'jamf.pro');
      expect(document).toHaveProperty(['components', 'schemas', 'AWSEvent', 'properties', 'detail', '$ref']);
    });

    it('keeps to what OpenAPI 3.0 schema objects allow', () => {
      expect(dialectProblems(document)).toEqual([]);
    });

    it('fits in a schema of the registry, 100,000 characters, as the construct writes it', () => {
      expect(JSON.stringify(document).length).toBeLessThanOrEqual(100_000);
    });
  });
});

/** What JSON Schema has and OpenAPI 3.0 does not, and references to nowhere; empty when there is none. */
function dialectProblems(document: JsonObject): string[] {
  const components = (document.components as JsonObject).schemas as JsonObject;
  const problems: string[] = [];
  const walk = (value: Json, path: string): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, `${path}/${index}`));
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value.type)) problems.push(`${path}: type is a list`);
    if (value.type === 'null') problems.push(`${path}: type null`);
    for (const keyword of ['const', '$schema', '$defs', 'definitions', '$id']) if (keyword in value) problems.push(`${path}: ${keyword}`);
    if (Array.isArray(value.required) && value.required.length === 0) problems.push(`${path}: empty required`);
    if (typeof value.$ref === 'string') {
      if (Object.keys(value).length > 1) problems.push(`${path}: $ref with siblings`);
      const target = value.$ref.replace('#/components/schemas/', '');
      if (!value.$ref.startsWith('#/components/schemas/') || !(target in components)) problems.push(`${path}: $ref ${value.$ref} goes nowhere`);
    }
    if ('nullable' in value && !('type' in value)) problems.push(`${path}: nullable without type`);
    for (const [key, item] of Object.entries(value)) walk(item, `${path}/${key}`);
  };
  walk(components, '#/components/schemas');
  return problems;
}

describe('schemas/', () => {
  it('holds only the files npm run docs writes (a schema of a removed event does not linger)', () => {
    const onDisk = readdirSync(SCHEMAS_DIR, { recursive: true, encoding: 'utf8' })
      .map((entry) => relative(ROOT, join(SCHEMAS_DIR, entry)).split('\\').join('/'))
      .filter((path) => path.endsWith('.json'));
    expect(onDisk.sort()).toEqual(Object.keys(schemaFiles()).sort());
  });
});

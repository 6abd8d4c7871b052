import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { EVENT_NAMES } from '../../lambda/events/catalogue';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { JamfSchemaRegistry, MAX_REGISTRY_SCHEMA_CHARS } from '../../lib/schema-registry';
import { newApp, synthesize } from './synth';

interface SchemaResource {
  readonly Properties: { readonly SchemaName: string; readonly Content: unknown; readonly Type: string; readonly Description?: string };
}

/** Every AWS::EventSchemas::Schema of a template, by schema name. */
function schemasOf(template: Template): Map<string, SchemaResource['Properties']> {
  const resources = Object.values(template.findResources('AWS::EventSchemas::Schema')) as SchemaResource[];
  return new Map(resources.map((resource) => [resource.Properties.SchemaName, resource.Properties]));
}

/** The document a schema's content holds, for a content that is plain text (no token). */
function documentOf(content: unknown): Record<string, any> {
  expect(typeof content).toBe('string');
  return JSON.parse(content as string) as Record<string, any>;
}

describe('JamfEventBridge', () => {
  describe('by default', () => {
    let template: Template;
    let stack: JamfEventBridgeStack;
    beforeAll(() => {
      ({ template, stack } = synthesize());
    });

    it('creates a schema registry named after the stack', () => {
      template.resourceCountIs('AWS::EventSchemas::Registry', 1);
      template.hasResourceProperties('AWS::EventSchemas::Registry', {
        RegistryName: Match.stringLikeRegexp('^JamfEventBridge-events-[0-9a-f]{8}$'),
      });
    });

    it('has an OpenAPI 3 schema in it for each of the 23 detail-types, named as EventBridge names discovered ones', () => {
      template.resourceCountIs('AWS::EventSchemas::Schema', 23);
      const schemas = schemasOf(template);
      expect([...schemas.keys()].sort()).toEqual(EVENT_NAMES.map((name) => `jamf.pro@jamf.${name}`).sort());
      for (const schema of schemas.values()) expect(schema.Type).toBe('OpenApi3');
      template.allResourcesProperties('AWS::EventSchemas::Schema', {
        RegistryName: { 'Fn::GetAtt': [Match.stringLikeRegexp('SchemaRegistry'), 'RegistryName'] },
      });
    });

    it.each(EVENT_NAMES.map((name) => [`jamf.${name}`]))('gives %s a schema EventBridge takes: an AWSEvent of that source and detail-type, within 100,000 characters', (detailType) => {
      const schema = schemasOf(template).get(`jamf.pro@${detailType}`)!;
      expect((schema.Content as string).length).toBeLessThanOrEqual(MAX_REGISTRY_SCHEMA_CHARS);
      const document = documentOf(schema.Content);
      expect(document.openapi).toBe('3.0.0');
      expect(document.components.schemas.AWSEvent).toMatchObject({
        'x-amazon-events-source': 'jamf.pro',
        'x-amazon-events-detail-type': detailType,
      });
      expect(schema.Description).toBe(document.info.description);
      expect(schema.Description!.length).toBeLessThanOrEqual(256);
    });

    it('names the registry in an output', () => {
      expect(stack.resolve(stack.jamf.schemaRegistry?.registryName)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'RegistryName'] });
      template.hasOutput('SchemaRegistryName', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'RegistryName'] } });
    });
  });

  describe('with another event source', () => {
    it('writes that source in every schema and its name', () => {
      const schemas = schemasOf(synthesize({ eventSource: 'jamf.prod' }).template);
      expect(schemas.size).toBe(23);
      for (const [name, schema] of schemas) {
        expect(name).toMatch(/^jamf\.prod@jamf\./);
        expect(documentOf(schema.Content).components.schemas.AWSEvent['x-amazon-events-source']).toBe('jamf.prod');
      }
    });
  });

  describe('with schemaRegistry false', () => {
    it('creates no registry, no schema and no output for them', () => {
      const { template } = synthesize({ schemaRegistry: false });
      template.resourceCountIs('AWS::EventSchemas::Registry', 0);
      template.resourceCountIs('AWS::EventSchemas::Schema', 0);
      expect(template.findOutputs('SchemaRegistryName')).toEqual({});
    });
  });

  describe('when two stacks are deployed to one account', () => {
    it('gives their registries different names', () => {
      const app = newApp();
      const names = ['JamfProd', 'JamfTest'].map((id) => {
        const stack = new JamfEventBridgeStack(app, id);
        const registry = stack.jamf.schemaRegistry!.registry;
        return stack.resolve(registry.registryName) as string;
      });
      expect(names[0]).toMatch(/^JamfProd-events-/);
      expect(names[1]).toMatch(/^JamfTest-events-/);
    });

    it('keeps a long stack name within the 64 characters a registry name has', () => {
      const stack = new JamfEventBridgeStack(newApp(), 'Jamf', { stackName: `jamf-eventbridge-${'x'.repeat(100)}` });
      expect((stack.resolve(stack.jamf.schemaRegistry!.registry.registryName) as string).length).toBeLessThanOrEqual(64);
    });
  });
});

describe('JamfSchemaRegistry', () => {
  describe('when the event source is known only at deployment', () => {
    it('writes it into each schema from the parameter', () => {
      // Prepare
      const stack = new Stack(new App(), 'Consumer');
      const source = new CfnParameter(stack, 'Source', { type: 'String' }).valueAsString;
      // Act
      const registry = new JamfSchemaRegistry(stack, 'Schemas', { eventSource: source });
      // Assess
      const schema = stack.resolve(registry.schemas['jamf.ComputerAdded']!.content) as { 'Fn::Join': [string, unknown[]] };
      expect(schema['Fn::Join'][1]).toContainEqual({ Ref: 'Source' });
      expect(stack.resolve(registry.schemas['jamf.ComputerAdded']!.schemaName)).toEqual({
        'Fn::Join': ['', [{ Ref: 'Source' }, '@jamf.ComputerAdded']],
      });
    });
  });

  it('takes a registry name', () => {
    const stack = new Stack(new App(), 'Consumer');
    const registry = new JamfSchemaRegistry(stack, 'Schemas', { registryName: 'jamf-events' });
    expect(stack.resolve(registry.registry.registryName)).toBe('jamf-events');
  });
});

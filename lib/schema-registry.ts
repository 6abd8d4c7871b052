import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Names, Stack, Token } from 'aws-cdk-lib';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { DEFAULT_EVENT_SOURCE } from '../lambda/contract';
import { detailTypeOf, EVENT_NAMES } from '../lambda/events/catalogue';
import { PROJECT_ROOT } from './bundle-layout';

/**
 * Where the registry documents are, relative to the repository root: generated
 * by `npm run docs` from the same schemas subscribers' code checks events with
 * (see scripts/event-schemas.ts), and kept current by a test.
 */
export const REGISTRY_SCHEMAS_DIR = 'schemas/registry';

/**
 * The format of the documents: OpenAPI 3, the one EventBridge generates code
 * bindings from and writes its own (discovered and AWS) schemas in; it also
 * takes `JSONSchemaDraft4`.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema.html
 */
export const REGISTRY_SCHEMA_TYPE = 'OpenApi3';

/** The largest document a schema of the registry holds, in characters. */
export const MAX_REGISTRY_SCHEMA_CHARS = 100_000;

/** Registry names: letters, digits, `.`, `-`, `_`, at most 64 of them. */
const MAX_REGISTRY_NAME_LENGTH = 64;

/** Properties of {@link JamfSchemaRegistry}. */
export interface JamfSchemaRegistryProps {
  /**
   * `source` of the events, written in each schema (`x-amazon-events-source`) and its name.
   * @default 'jamf.pro'
   */
  readonly eventSource?: string;

  /**
   * Name of the registry.
   * @default - the stack's name, then `events` and a hash of this construct's path: unique in
   * the account and region (stack names are), and between two of these in one stack
   */
  readonly registryName?: string;
}

/** The part of a registry document the construct reads and writes. */
interface RegistryDocument {
  readonly info: { readonly description?: string };
  readonly components: { readonly schemas: { readonly AWSEvent: Record<string, unknown> } };
}

/**
 * An EventBridge schema registry with one schema per detail-type the stack
 * publishes (`jamf.pro@jamf.ComputerAdded`, ...), in the shape of the schemas
 * EventBridge discovers, so that the console and the AWS Toolkits show the
 * events and download code bindings for them.
 *
 * @example
 * new JamfSchemaRegistry(this, 'Schemas', { eventSource: 'jamf.prod' });
 */
export class JamfSchemaRegistry extends Construct {
  /** The registry. */
  public readonly registry: eventschemas.CfnRegistry;
  /** Its name. */
  public readonly registryName: string;
  /** The schema of each detail-type, by detail-type. */
  public readonly schemas: Readonly<Record<string, eventschemas.CfnSchema>>;

  constructor(scope: Construct, id: string, props: JamfSchemaRegistryProps = {}) {
    super(scope, id);
    const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.registryName ?? this.defaultRegistryName(),
      description: `The events ${Stack.of(this).stackName} publishes from Jamf Pro webhooks`,
    });
    this.registryName = this.registry.attrRegistryName;

    const schemas: Record<string, eventschemas.CfnSchema> = {};
    for (const name of EVENT_NAMES) {
      const detailType = detailTypeOf(name);
      const document = readRegistryDocument(detailType);
      // The documents name the default source; the deployment's own replaces it (a token too).
      document.components.schemas.AWSEvent['x-amazon-events-source'] = eventSource;
      schemas[detailType] = new eventschemas.CfnSchema(this, name, {
        registryName: this.registryName,
        // As EventBridge names the schemas it discovers: <source>@<detail-type>.
        schemaName: `${schemaNamePart(eventSource)}@${detailType}`,
        type: REGISTRY_SCHEMA_TYPE,
        content: Stack.of(this).toJsonString(document),
        description: document.info.description,
      });
    }
    this.schemas = schemas;
  }

  private defaultRegistryName(): string {
    const stackName = Stack.of(this).stackName;
    if (Token.isUnresolved(stackName)) return Names.uniqueResourceName(this, { maxLength: MAX_REGISTRY_NAME_LENGTH, separator: '-' });
    const suffix = `-events-${this.node.addr.slice(-8)}`;
    return `${stackName.slice(0, MAX_REGISTRY_NAME_LENGTH - suffix.length)}${suffix}`;
  }
}

/** The registry document of a detail-type, as `npm run docs` wrote it. */
function readRegistryDocument(detailType: string): RegistryDocument {
  const file = path.join(PROJECT_ROOT, REGISTRY_SCHEMAS_DIR, `${detailType}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${REGISTRY_SCHEMAS_DIR}/${detailType}.json cannot be read: run \`npm run docs\`, which writes it`, { cause: error });
  }
  return JSON.parse(text) as RegistryDocument;
}

/** A source as a schema name allows it (letters, digits, `.`, `-`, `_`); a token as it is. */
function schemaNamePart(source: string): string {
  return Token.isUnresolved(source) ? source : source.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * A local DynamoDB table: PutItem as the AWS JSON 1.0 protocol defines it,
 * with the conditions the used-challenge record needs: alternatives joined by
 * `OR`, each one or more terms joined by `AND` (in parentheses), each term
 * `attribute_not_exists(<attribute>)` or `<attribute> = :value`. Anything
 * else is refused with ValidationException rather than half-emulated.
 */
import { AwsServiceError, type Operations } from './aws-endpoint';

type AttributeValue = Readonly<Record<string, unknown>>;
type Item = Readonly<Record<string, AttributeValue>>;

export interface LocalTableOptions {
  readonly tableName: string;
  readonly partitionKey: string;
  /** The table's TTL attribute (epoch seconds, type N). */
  readonly ttlAttribute?: string;
  readonly now?: () => number;
}

const NOT_EXISTS = /^attribute_not_exists\s*\(\s*([#\w]+)\s*\)$/;
const EQUALS = /^([#\w]+)\s*=\s*(:\w+)$/;

export class LocalTable {
  readonly items = new Map<string, Item>();
  private readonly now: () => number;

  constructor(private readonly options: LocalTableOptions) {
    this.now = options.now ?? Date.now;
  }

  readonly operations: Operations = {
    'DynamoDB_20120810.PutItem': (input) => this.putItem(input),
  };

  private keyOf(item: Item): string {
    const key = item[this.options.partitionKey];
    const value = key?.S ?? key?.N;
    if (typeof value !== 'string' || value === '') {
      throw new AwsServiceError(
        'ValidationException',
        `One or more parameter values were invalid: Missing the key ${this.options.partitionKey} in the item`,
      );
    }
    return value;
  }

  /** TTL deletes expired items in the background (DynamoDB: within days; here: on the next write). */
  private sweep(): void {
    const ttl = this.options.ttlAttribute;
    if (!ttl) return;
    const nowSeconds = this.now() / 1000;
    for (const [key, item] of this.items) {
      const expires = Number(item[ttl]?.N);
      if (Number.isFinite(expires) && expires < nowSeconds) this.items.delete(key);
    }
  }

  private putItem(input: Record<string, unknown>) {
    if (input.TableName !== this.options.tableName) {
      throw new AwsServiceError('ResourceNotFoundException', 'Requested resource not found');
    }
    const item = input.Item;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new AwsServiceError('ValidationException', 'Item is required');
    }
    const key = this.keyOf(item as Item);
    this.sweep();
    const condition = input.ConditionExpression;
    if (condition !== undefined && !this.holds(condition, this.items.get(key), input)) {
      throw new AwsServiceError('ConditionalCheckFailedException', 'The conditional request failed');
    }
    this.items.set(key, item as Item);
    return {};
  }

  /** Whether `condition` holds for the item stored under the key (undefined: none). */
  private holds(condition: unknown, stored: Item | undefined, input: Record<string, unknown>): boolean {
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
    const name = (token: string) => (token.startsWith('#') ? names[token] : token);
    const unsupported = () =>
      new AwsServiceError(
        'ValidationException',
        'the local table supports only attribute_not_exists(<attribute>) and <attribute> = :value, joined by AND and OR',
      );
    if (typeof condition !== 'string') throw unsupported();
    const holdsTerm = (term: string): boolean => {
      const notExists = NOT_EXISTS.exec(term);
      if (notExists) return stored?.[name(notExists[1]!) ?? ''] === undefined;
      const equals = EQUALS.exec(term);
      if (!equals || values[equals[2]!] === undefined) throw unsupported();
      const actual = stored?.[name(equals[1]!) ?? ''];
      return actual !== undefined && JSON.stringify(actual) === JSON.stringify(values[equals[2]!]);
    };
    // Disjunctions of conjunctions: `a OR (b AND c)`; parentheses only group a conjunction.
    return condition
      .split(/\s+OR\s+/i)
      .some((alternative) =>
        alternative
          .trim()
          .replace(/^\((.*)\)$/, '$1')
          .split(/\s+AND\s+/i)
          .every((term) => holdsTerm(term.trim())),
      );
  }
}

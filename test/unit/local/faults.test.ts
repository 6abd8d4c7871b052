import {
  FaultInjector,
  InvalidFaultDocumentError,
  parseFaultDocument,
  seededRandom,
  serviceOfTarget,
} from '../../../lambda/local/faults';
import { LocalEventBus } from '../../../lambda/local/event-bus';
import { LocalQueues } from '../../../lambda/local/queue';
import { MAX_DEAD_LETTER_BYTES } from '../../../lambda/contract';
import { readLocalRuntimeVariables } from '../../../lambda/local/settings';

const EXAMPLE = {
  eventbridge: {
    error500: 0.3,
    throttle: 0.1,
    partial: 0.1,
    resetBefore: 0.025,
    resetAfter: 0.025,
    delay: { rate: 0.3, minMs: 0, maxMs: 3000 },
  },
  sqs: { throttle: 0.5 },
  secretsmanager: { resetBefore: 0.1 },
  dynamodb: { error500: 0.2, delay: { rate: 1, maxMs: 10 } },
  seed: 42,
};

describe('the fault document', () => {
  it('accepts the documented example, as an object or as JSON text', () => {
    expect(parseFaultDocument(EXAMPLE)).toEqual({ ...EXAMPLE, dynamodb: { error500: 0.2, delay: { rate: 1, minMs: 0, maxMs: 10 } } });
    expect(parseFaultDocument(JSON.stringify(EXAMPLE))).toEqual(parseFaultDocument(EXAMPLE));
    expect(parseFaultDocument('')).toEqual({});
    expect(parseFaultDocument({})).toEqual({});
  });

  it.each([
    ['not JSON', '{eventbridge', /is not valid JSON/],
    ['not an object', '[1]', /must be a JSON object/],
    ['a rate over 1', { eventbridge: { error500: 2 } }, /eventbridge\.error500: error500 must be a number from 0 to 1/],
    ['a negative rate', { sqs: { throttle: -0.1 } }, /sqs\.throttle: throttle must be a number from 0 to 1/],
    ['a rate as text', { sqs: { throttle: '0.1' } }, /sqs\.throttle: throttle must be a number/],
    ['an unknown service', { kinesis: {} }, /kinesis: unknown key \(known: eventbridge, sqs, secretsmanager, dynamodb, s3, seed\)/],
    ['an unknown kind', { dynamodb: { timeout: 1 } }, /dynamodb\.timeout: unknown key \(known: error500, throttle, resetBefore, resetAfter, delay\)/],
    ['partial outside EventBridge', { sqs: { partial: 0.1 } }, /sqs\.partial: unknown key \(partial is for eventbridge only/],
    ['exclusive rates over 1', { eventbridge: { error500: 0.6, resetAfter: 0.6 } }, /eventbridge: .*must add up to at most 1/],
    ['a delay without maxMs', { sqs: { delay: { rate: 1 } } }, /sqs\.delay\.maxMs/],
    ['a delay with minMs over maxMs', { sqs: { delay: { rate: 1, minMs: 10, maxMs: 5 } } }, /sqs\.delay: delay\.minMs must not be over delay\.maxMs/],
    ['a fractional delay', { sqs: { delay: { rate: 1, maxMs: 1.5 } } }, /sqs\.delay\.maxMs: delay\.maxMs must be a whole number/],
    ['an unknown delay key', { sqs: { delay: { rate: 1, maxMs: 5, jitter: 1 } } }, /sqs\.delay\.jitter: unknown key \(known: rate, minMs, maxMs\)/],
    ['a negative seed', { seed: -1 }, /seed: seed must be a whole number/],
  ])('refuses %s, naming the key', (_what, document, message) => {
    expect(() => parseFaultDocument(document)).toThrow(InvalidFaultDocumentError);
    expect(() => parseFaultDocument(document)).toThrow(message);
  });

  it('names where the document came from', () => {
    expect(() => parseFaultDocument('{"x":1}', 'LOCAL_FAULTS')).toThrow(/^LOCAL_FAULTS is invalid: x: unknown key/);
  });
});

describe('the seeded PRNG', () => {
  it('gives the same sequence for the same seed, and another for another seed, in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(first);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('the fault decisions', () => {
  const decisions = (injector: FaultInjector, target: string, n: number) =>
    Array.from({ length: n }, () => {
      const { kind, delayMs, failEntry } = injector.decide(target);
      return { kind, delayMs, fails: failEntry ? [0, 1, 2].map(failEntry) : undefined };
    });

  it('are the same for the same seed and the same calls', () => {
    const document = parseFaultDocument(EXAMPLE);
    expect(decisions(new FaultInjector(document), 'AWSEvents.PutEvents', 200)).toEqual(
      decisions(new FaultInjector(document), 'AWSEvents.PutEvents', 200),
    );
  });

  it('start again from the seed when the document is set again', () => {
    const injector = new FaultInjector(parseFaultDocument(EXAMPLE));
    const first = decisions(injector, 'AWSEvents.PutEvents', 50);
    injector.set(parseFaultDocument(EXAMPLE));
    expect(decisions(injector, 'AWSEvents.PutEvents', 50)).toEqual(first);
  });

  it('follow the rates, roughly, and count what was injected per service and kind', () => {
    const injector = new FaultInjector(parseFaultDocument(EXAMPLE));
    const made = decisions(injector, 'AWSEvents.PutEvents', 10_000);
    const share = (kind: string) => made.filter((d) => d.kind === kind).length / made.length;
    expect(share('error500')).toBeCloseTo(0.3, 1);
    expect(share('throttle')).toBeCloseTo(0.1, 1);
    expect(share('partial')).toBeCloseTo(0.1, 1);
    expect(made.filter((d) => d.delayMs !== undefined).length / made.length).toBeCloseTo(0.3, 1);
    const { injected } = injector.report();
    expect(injected.eventbridge.error500).toBe(made.filter((d) => d.kind === 'error500').length);
    expect(injected.eventbridge.delay).toBe(made.filter((d) => d.delayMs !== undefined).length);
    expect(injected.sqs).toEqual({});
  });

  it('keep a delay within [minMs, maxMs]', () => {
    const injector = new FaultInjector(parseFaultDocument({ sqs: { delay: { rate: 1, minMs: 100, maxMs: 200 } }, seed: 1 }));
    const delays = decisions(injector, 'AmazonSQS.SendMessage', 1000).map((d) => d.delayMs!);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
  });

  it('at rate 1 always inject, at rate 0 never, and only for the service named', () => {
    const injector = new FaultInjector(parseFaultDocument({ sqs: { resetAfter: 1 }, dynamodb: { throttle: 0 }, seed: 7 }));
    expect(decisions(injector, 'AmazonSQS.SendMessage', 20).every((d) => d.kind === 'resetAfter')).toBe(true);
    expect(decisions(injector, 'DynamoDB_20120810.PutItem', 20).every((d) => d.kind === undefined)).toBe(true);
    expect(decisions(injector, 'AWSEvents.PutEvents', 20).every((d) => d.kind === undefined)).toBe(true);
    expect(decisions(injector, 'Unknown.Call', 5).every((d) => d.kind === undefined && d.delayMs === undefined)).toBe(true);
  });

  it('fail the first PutEvents entry (and maybe others) with a retryable code under partial, and apply partial to PutEvents only', () => {
    const injector = new FaultInjector(parseFaultDocument({ eventbridge: { partial: 1 }, seed: 3 }));
    const made = decisions(injector, 'AWSEvents.PutEvents', 50);
    expect(made.every((d) => d.kind === 'partial' && ['ThrottlingException', 'InternalFailure'].includes(d.fails![0]!))).toBe(true);
    expect(new Set(made.flatMap((d) => d.fails!.slice(1)))).toEqual(new Set(['ThrottlingException', 'InternalFailure', undefined]));
    expect(injector.decide('AWSEvents.ListRules')).toEqual({});
  });

  it('pick a random seed when none is given, and show it', () => {
    const { faults } = new FaultInjector(parseFaultDocument({ sqs: { throttle: 0.1 } })).report();
    expect(faults.seed).toEqual(expect.any(Number));
  });

  it.each([
    ['AWSEvents.PutEvents', 'eventbridge'],
    ['AmazonSQS.SendMessage', 'sqs'],
    ['secretsmanager.GetSecretValue', 'secretsmanager'],
    ['DynamoDB_20120810.PutItem', 'dynamodb'],
    ['Kinesis_20131202.PutRecord', undefined],
  ])('know %s as %s', (target, service) => {
    expect(serviceOfTarget(target)).toBe(service);
  });
});

describe('the local stores, bounded', () => {
  it('keep the last events and count those dropped', async () => {
    const bus = new LocalEventBus('bus', () => {}, 3);
    for (let i = 0; i < 5; i++) {
      await bus.operations['AWSEvents.PutEvents']!({ Entries: [{ Source: 's', DetailType: `d${i}`, Detail: '{}' }] }, {});
    }
    expect(bus.events.map((e) => e.DetailType)).toEqual(['d2', 'd3', 'd4']);
    expect(bus.dropped).toBe(2);
  });

  it('keep the last dead letters and count those dropped', async () => {
    const queues = new LocalQueues(['dlq'], 2);
    for (let i = 0; i < 3; i++) {
      await queues.operations['AmazonSQS.SendMessage']!({ QueueUrl: `http://127.0.0.1:1/000000000000/dlq`, MessageBody: `m${i}` }, {});
    }
    expect(queues.messages.map((m) => m.Body)).toEqual(['m1', 'm2']);
    expect(queues.dropped).toBe(1);
    // A reader through another endpoint (a proxy) sees the same queue.
    const received = (await queues.operations['AmazonSQS.ReceiveMessage']!(
      { QueueUrl: 'http://127.0.0.1:2/000000000000/dlq', MaxNumberOfMessages: 10 },
      {},
    )) as { Messages: unknown[] };
    expect(received.Messages).toHaveLength(2);
  });

  it('count the message attributes against the size limit, as SQS does', async () => {
    const queues = new LocalQueues(['dlq']);
    // A body that, with the attribute `reason` of `PublishFailed`, is exactly SQS's limit.
    const body = 'm'.repeat(MAX_DEAD_LETTER_BYTES - 'reason'.length - 'String'.length - 'PublishFailed'.length);
    const send = async (attribute: string) =>
      queues.operations['AmazonSQS.SendMessage']!(
        {
          QueueUrl: 'http://127.0.0.1:1/000000000000/dlq',
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: attribute } },
        },
        {},
      );
    await expect(send('PublishFailed')).resolves.toHaveProperty('MessageId');
    await expect(send('PublishFailed!')).rejects.toMatchObject({ type: 'InvalidParameterValue' });
  });
});

describe('the local runtime variables', () => {
  it('read LOCAL_AWS_PORT, AWS_ENDPOINT_URL, LOCAL_FAULTS and LOCAL_MAX_EVENTS', () => {
    expect(
      readLocalRuntimeVariables({
        LOCAL_AWS_PORT: '4566',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:8080/',
        LOCAL_FAULTS: '{"sqs":{"throttle":1},"seed":1}',
        LOCAL_MAX_EVENTS: '500',
      }),
    ).toEqual({ awsPort: 4566, awsEndpointUrl: 'http://127.0.0.1:8080', faults: { sqs: { throttle: 1 }, seed: 1 }, maxEvents: 500 });
    expect(readLocalRuntimeVariables({ LOCAL_FAULTS: ' ', AWS_ENDPOINT_URL: '' })).toEqual({});
  });

  it.each([
    [{ LOCAL_AWS_PORT: '70000' }, /LOCAL_AWS_PORT must be a whole number from 0 to 65535, got "70000"/],
    [{ LOCAL_MAX_EVENTS: '0' }, /LOCAL_MAX_EVENTS must be a whole number from 1/],
    [{ LOCAL_MAX_EVENTS: '1e3' }, /LOCAL_MAX_EVENTS must be a whole number/],
    [{ AWS_ENDPOINT_URL: 'localhost:4566' }, /AWS_ENDPOINT_URL must be an http\(s\) URL/],
    [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/prefix' }, /AWS_ENDPOINT_URL must be an http\(s\) URL without a path/],
    [{ LOCAL_FAULTS: '{"sqs":{"error500":5}}' }, /LOCAL_FAULTS is invalid: sqs\.error500/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => readLocalRuntimeVariables(env)).toThrow(message);
  });
});

/**
 * A local SQS queue store: SendMessage, ReceiveMessage (with its visibility
 * timeout) and DeleteMessage as the AWS JSON 1.0 protocol defines them, enough
 * for the dead-letter store, its readers and the redrive. Keeps the last
 * `maxMessages` messages (the oldest are dropped, and counted).
 */
import { createHash, randomUUID } from 'node:crypto';
import { MAX_DEAD_LETTER_BYTES as MAX_MESSAGE_BYTES } from '../contract';
import { sqsMessageBytes } from '../publish/dead-letters';
import { AwsServiceError, type Operations } from './aws-endpoint';
import { DEFAULT_MAX_EVENTS, keepLast } from './event-bus';

export interface QueuedMessage {
  readonly MessageId: string;
  readonly QueueUrl: string;
  readonly Body: string;
  readonly MessageAttributes: Record<string, { DataType: string; StringValue?: string }>;
  readonly SentAt: string;
}

/** The queue a QueueUrl names, in its last path segment as SQS's do: the same through any endpoint or proxy. */
const queueName = (url: string) => url.split('/').pop() ?? '';

export class LocalQueues {
  readonly messages: QueuedMessage[] = [];
  /** Messages dropped, oldest first, to keep at most `maxMessages`. */
  dropped = 0;

  constructor(
    /** Queues by name. */
    private readonly queueNames: readonly string[],
    private readonly maxMessages = DEFAULT_MAX_EVENTS,
  ) {}

  readonly operations: Operations = {
    'AmazonSQS.SendMessage': (input) => this.sendMessage(input),
    'AmazonSQS.ReceiveMessage': (input) => this.receiveMessage(input),
    'AmazonSQS.DeleteMessage': (input) => this.deleteMessage(input),
  };

  private queueUrl(input: Record<string, unknown>): string {
    const url = input.QueueUrl;
    if (typeof url !== 'string' || !this.queueNames.includes(queueName(url))) {
      throw new AwsServiceError('AWS.SimpleQueueService.NonExistentQueue', `no queue at "${String(url)}"`);
    }
    return url;
  }

  private sendMessage(input: Record<string, unknown>) {
    const QueueUrl = this.queueUrl(input);
    const Body = input.MessageBody;
    if (typeof Body !== 'string' || Body === '') throw new AwsServiceError('MissingParameter', 'MessageBody is required');
    // As SQS counts it: the attributes' names, types and values too.
    if (sqsMessageBytes(Body, (input.MessageAttributes ?? {}) as QueuedMessage['MessageAttributes']) > MAX_MESSAGE_BYTES) {
      throw new AwsServiceError('InvalidParameterValue', `message is over ${MAX_MESSAGE_BYTES} bytes`);
    }
    const message: QueuedMessage = {
      MessageId: randomUUID(),
      QueueUrl,
      Body,
      MessageAttributes: (input.MessageAttributes ?? {}) as QueuedMessage['MessageAttributes'],
      SentAt: new Date().toISOString(),
    };
    this.messages.push(message);
    // What is dropped is no longer hidden from anyone: forget it too, so memory stays bounded.
    const oldest = this.messages.slice(0, Math.max(0, this.messages.length - this.maxMessages));
    keepLast(this.messages, this.maxMessages, (n) => (this.dropped += n));
    for (const dropped of oldest) this.hiddenUntil.delete(dropped.MessageId);
    return { MessageId: message.MessageId, MD5OfMessageBody: createHash('md5').update(Body).digest('hex') };
  }

  /** When each message handed out with a VisibilityTimeout is visible again (epoch ms), by id. */
  private readonly hiddenUntil = new Map<string, number>();

  /**
   * Hands out visible messages; with a VisibilityTimeout, hides them for that
   * long, as SQS does, so a redrive reads each once. Without one, nothing is
   * hidden: a local reader sees the whole queue.
   */
  private receiveMessage(input: Record<string, unknown>) {
    const QueueUrl = this.queueUrl(input);
    const max = typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1;
    const hideMs = typeof input.VisibilityTimeout === 'number' ? input.VisibilityTimeout * 1000 : 0;
    const now = Date.now();
    const visible = this.messages
      .filter((m) => queueName(m.QueueUrl) === queueName(QueueUrl) && (this.hiddenUntil.get(m.MessageId) ?? 0) <= now)
      .slice(0, max);
    if (hideMs > 0) for (const m of visible) this.hiddenUntil.set(m.MessageId, now + hideMs);
    const Messages = visible.map((m) => ({
      MessageId: m.MessageId,
      ReceiptHandle: m.MessageId,
      Body: m.Body,
      MD5OfBody: createHash('md5').update(m.Body).digest('hex'),
    }));
    return { Messages };
  }

  private deleteMessage(input: Record<string, unknown>) {
    const QueueUrl = this.queueUrl(input);
    const handle = input.ReceiptHandle;
    if (typeof handle !== 'string' || handle === '') throw new AwsServiceError('MissingParameter', 'ReceiptHandle is required');
    const index = this.messages.findIndex((m) => queueName(m.QueueUrl) === queueName(QueueUrl) && m.MessageId === handle);
    if (index < 0) throw new AwsServiceError('ReceiptHandleIsInvalid', `no message with receipt handle "${handle}"`);
    this.messages.splice(index, 1);
    this.hiddenUntil.delete(handle);
    return {};
  }
}

/**
 * The dead-letter queue as the redrive reads it: ReceiveMessage hides what it
 * hands out for a while (so one run reads each letter once, and two runs do
 * not publish the same letter at once), DeleteMessage removes a letter whose
 * event is on the bus.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RedriveDependencies } from './redrive';

/** How long a letter handed to a redrive stays hidden from other readers. */
export const REDRIVE_VISIBILITY_SECONDS = 300;

export function queueStore(client: SQSClient, queueUrl: string): Pick<RedriveDependencies, 'receive' | 'remove'> {
  return {
    receive: async (max) => {
      const response = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS, WaitTimeSeconds: 0 }),
      );
      return (response.Messages ?? []).flatMap((message) =>
        message.MessageId && message.ReceiptHandle && message.Body !== undefined
          ? [{ messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body }]
          : [],
      );
    },
    remove: async (letter) => {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }));
    },
  };
}

/**
 * Single use, in AWS: a challenge id is written to a DynamoDB table with a
 * conditional put, which succeeds exactly once however many verifications
 * race. Items expire (TTL) with the challenge, after which the token's own
 * expiry denies it anyway. The local runtime serves the same PutItem call.
 */
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { boundedRequests } from '../shared/aws-calls';
import { ServiceUnavailableError } from '../shared/errors';

/** One use of a challenge, as recorded. */
export interface ChallengeUse {
  readonly challengeId: string;
  /** Seconds since the epoch: the table's TTL attribute. */
  readonly expiresAt: number;
  readonly transactionId?: string;
  readonly provisionerName?: string;
  /** SHA-256 of the certificate request step-ca sent: with the transaction id, what names one enrolment. */
  readonly requestDigest?: string;
}


/** A client for the verify path: step-ca waits for the answer. */
export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 2, ...boundedRequests(300, 600) });
}

/**
 * Records the use; `true` the first time, and again for a retry of the same
 * enrolment: the same step-ca transaction with the same certificate request
 * (step-ca retries after a 5xx, and the first write may have been applied with
 * its answer lost); `false` for every other use. Throws a 503
 * when the table cannot be reached.
 */
export async function claimChallenge(
  client: DynamoDBClient,
  tableName: string,
  use: ChallengeUse,
  now: Date = new Date(),
): Promise<boolean> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          challengeId: { S: use.challengeId },
          expiresAt: { N: String(use.expiresAt) },
          usedAt: { S: now.toISOString() },
          ...(use.transactionId ? { transactionId: { S: use.transactionId } } : {}),
          ...(use.provisionerName ? { provisionerName: { S: use.provisionerName } } : {}),
          ...(use.requestDigest ? { requestDigest: { S: use.requestDigest } } : {}),
        },
        ...(use.transactionId && use.requestDigest
          ? {
              ConditionExpression:
                'attribute_not_exists(challengeId) OR (transactionId = :transactionId AND requestDigest = :requestDigest)',
              ExpressionAttributeValues: {
                ':transactionId': { S: use.transactionId },
                ':requestDigest': { S: use.requestDigest },
              },
            }
          : { ConditionExpression: 'attribute_not_exists(challengeId)' }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw new ServiceUnavailableError('UsedChallengesUnavailable', 'The used-challenge table could not be written', {
      cause: error,
    });
  }
}

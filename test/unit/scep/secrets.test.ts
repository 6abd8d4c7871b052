import { DynamoDBClient, PutItemCommand, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '../../../lambda/shared/errors';
import { parseSigningKeys } from '../../../lambda/scep/keys';
import { certificateRequestNames, checkStepCaSignature, parseVerifySecrets, stepCaSignature } from '../../../lambda/scep/step-ca';
import { parseUpstreamCredentials, upstreamIssuer } from '../../../lambda/scep/upstream';
import { decodeScepChallenge } from '../../../lambda/scep/decode';
import { fixtureBytes } from '../../support/fixtures';
import { claimChallenge } from '../../../lambda/scep/used-challenges';

const KEY = 'k'.repeat(32);

describe('the signing key document', () => {
  it('gives the current key first, then the previous ones', () => {
    const keys = parseSigningKeys(JSON.stringify({ key: KEY, previousKeys: ['p'.repeat(40)] }));
    expect(Buffer.from(keys.current).toString()).toBe(KEY);
    expect(keys.all.map((k) => Buffer.from(k).toString())).toEqual([KEY, 'p'.repeat(40)]);
  });

  it.each([
    ['not JSON', 'k'.repeat(40), /not JSON/],
    ['a short key', JSON.stringify({ key: 'short-but-secret' }), /key: expected >=32/],
    ['an unknown field', JSON.stringify({ key: KEY, kye: KEY }), /kye: unknown key/],
    ['previous keys that are not a list', JSON.stringify({ key: KEY, previousKeys: 'short-but-secret' }), /previousKeys: expected Array/],
  ])('is refused when it is %s, without echoing a value', (_, text, message) => {
    expect(() => parseSigningKeys(text)).toThrow(message);
    try {
      parseSigningKeys(text);
    } catch (error) {
      expect(String(error)).not.toContain('short-but-secret');
      expect(String(error)).not.toContain(KEY);
    }
  });
});

describe("step-ca's webhook secret", () => {
  const secret = Buffer.from('a step-ca webhook secret');

  it.each([
    ['the base64 step-ca prints', secret.toString('base64'), 1],
    ['a list while rotating', JSON.stringify({ secrets: [secret.toString('base64'), 'b3RoZXI='] }), 2],
    ['the placeholder of a fresh deployment', '{"secrets":[]}', 0],
    ['empty', '', 0],
  ])('is read from %s', (_, text, count) => {
    expect(parseVerifySecrets(text)).toHaveLength(count);
  });

  it('is refused when it is not base64', () => {
    expect(() => parseVerifySecrets('not base64!')).toThrow(/not base64/);
  });

  it('checks the hex HMAC-SHA256 of the exact body', () => {
    const body = Buffer.from('{"scepChallenge":"x"}');
    const headers = { 'x-smallstep-signature': stepCaSignature(secret, body) };
    expect(() => checkStepCaSignature([secret], headers, body)).not.toThrow();
    expect(() => checkStepCaSignature([secret], { 'x-smallstep-signature': headers['x-smallstep-signature'].toUpperCase() }, body)).not.toThrow();
    expect(() => checkStepCaSignature([secret], headers, Buffer.from('{"scepChallenge":"y"}'))).toThrow(/X-Smallstep-Signature/);
    expect(() => checkStepCaSignature([secret], {}, body)).toThrow(/X-Smallstep-Signature/);
    expect(() => checkStepCaSignature([Buffer.from('other'), secret], headers, body)).not.toThrow();
  });
});

describe('certificateRequestNames', () => {
  it('collects subject attributes and SANs, but no key material or password', () => {
    const names = certificateRequestNames({
      subject: { commonName: 'UDID-1', organization: ['Example'], serialNumber: 'SERIAL-1' },
      dnsNames: ['host.example'],
      emailAddresses: ['a@example.com'],
      publicKey: 'MIIB...',
      challengePassword: 'secret',
      raw: 'MIIC...',
    });
    expect(names.sort()).toEqual(['Example', 'SERIAL-1', 'UDID-1', 'a@example.com', 'host.example']);
  });
});

describe('the upstream credentials', () => {
  it('are a username and a password', () => {
    expect(parseUpstreamCredentials('{"username":"u","password":"p"}')).toEqual({ username: 'u', password: 'p' });
    expect(() => parseUpstreamCredentials('{"username":"u"}')).toThrow(/the upstream credentials document is invalid: password: missing/);
    expect(() => parseUpstreamCredentials('{"username":"u","password":42}')).not.toThrow(/42/);
  });
});

describe('the upstream issuer', () => {
  it('counts the credentials read in its timeout', async () => {
    const issue = upstreamIssuer(
      { url: 'http://127.0.0.1:9/never-called', credentialsSecretId: 'arn:up', timeoutMs: 50 },
      () => new Promise(() => undefined),
    );
    const decoded = await decodeScepChallenge(fixtureBytes('SCEPChallenge', 'json'), 'application/json');
    await expect(issue({ decoded, body: fixtureBytes('SCEPChallenge', 'json'), contentType: 'application/json' })).rejects.toMatchObject({
      statusCode: 504,
      code: 'UpstreamTimeout',
    });
  });
});

describe('claimChallenge (DynamoDB)', () => {
  const dynamo = mockClient(DynamoDBClient);
  const client = new DynamoDBClient({ region: 'us-east-1' });
  const use = { challengeId: 'ab'.repeat(12), expiresAt: 1_800_000_000, transactionId: 'tx', requestDigest: 'cd'.repeat(32) };
  beforeEach(() => dynamo.reset());

  it('writes the id only if it is not there yet, or was written by the same enrolment, with its expiry for TTL', async () => {
    dynamo.on(PutItemCommand).resolves({});
    expect(await claimChallenge(client, 'used', use, new Date('2026-11-27T00:00:00Z'))).toBe(true);
    expect(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'used',
      Item: {
        challengeId: { S: use.challengeId },
        expiresAt: { N: '1800000000' },
        usedAt: { S: '2026-11-27T00:00:00.000Z' },
        transactionId: { S: 'tx' },
        requestDigest: { S: 'cd'.repeat(32) },
      },
      ConditionExpression:
        'attribute_not_exists(challengeId) OR (transactionId = :transactionId AND requestDigest = :requestDigest)',
      ExpressionAttributeValues: { ':transactionId': { S: 'tx' }, ':requestDigest': { S: 'cd'.repeat(32) } },
    });
  });

  it('writes the id only if it is not there yet when step-ca names no transaction', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const { transactionId: _none, ...withoutTransaction } = use;
    await claimChallenge(client, 'used', withoutTransaction);
    expect(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input).toMatchObject({ ConditionExpression: 'attribute_not_exists(challengeId)' });
    expect(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input).not.toHaveProperty('ExpressionAttributeValues');
  });

  it('says false when the condition fails: the challenge was used before', async () => {
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await claimChallenge(client, 'used', use)).toBe(false);
  });

  it('answers 503 when the table cannot be written, never "allow"', async () => {
    dynamo.on(PutItemCommand).rejects(new Error('network down'));
    await expect(claimChallenge(client, 'used', use)).rejects.toThrow(ServiceUnavailableError);
  });
});

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Lets a function read a secret: `secretsmanager:GetSecretValue` (and
 * `DescribeSecret`) on that secret only, and, when the secret is under a
 * customer managed key, decryption through Secrets Manager.
 *
 * `grantRead` only asks the key to trust the function through Secrets Manager,
 * and an imported key's policy cannot be changed here, so it grants nothing; the
 * permission is written on the function's side instead, still limited to calls
 * that Secrets Manager makes on the function's behalf.
 */
export function grantReadSecret(fn: lambda.IFunction, secret: secretsmanager.ISecret): void {
  secret.grantRead(fn);
  const key = secret.encryptionKey;
  if (key === undefined) return;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

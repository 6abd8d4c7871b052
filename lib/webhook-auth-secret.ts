import { Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * The webhook credentials, when none are given: HTTP Basic with a generated password. `sender`
 * names who sends them in the secret's description (a named instance), when it is not Jamf Pro's
 * default instance.
 */
export function createWebhookAuthSecret(scope: Construct, sender = 'Jamf Pro'): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'WebhookAuthSecret', {
    description: `Credentials ${sender} sends with each webhook (HTTP Basic)`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: 'jamf' }),
      generateStringKey: 'password',
      excludePunctuation: true,
      passwordLength: 32,
    },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The same credentials are entered in Jamf Pro, which Secrets Manager cannot update, so its automatic rotation ' +
      'would break delivery. npm run jamf -- rotate rotates it instead: it adds a new credential, waits for the functions, ' +
      'updates the webhooks in Jamf Pro, then retires the old one (docs/jamf-pro.md#rotating-the-credential).',
  });
  return secret;
}

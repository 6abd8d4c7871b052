/** A local Secrets Manager: GetSecretValue over the AWS JSON 1.1 protocol, for secrets set at start. */
import { AwsServiceError, type Operations } from './aws-endpoint';

export class LocalSecrets {
  private readonly values = new Map<string, string>();

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  readonly operations: Operations = {
    'secretsmanager.GetSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      const value = this.values.get(id);
      if (value === undefined) {
        throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      return {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      };
    },
  };
}

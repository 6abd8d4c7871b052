/** A local Secrets Manager: GetSecretValue over the AWS JSON 1.1 protocol, for secrets set at start. */
import { AwsServiceError, type Operations } from './aws-endpoint';

export class LocalSecrets {
  private readonly values = new Map<string, string>();
  /** GetSecretValue calls so far, by secret id. */
  readonly reads = new Map<string, number>();

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  readonly operations: Operations = {
    'secretsmanager.GetSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      this.reads.set(id, (this.reads.get(id) ?? 0) + 1);
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

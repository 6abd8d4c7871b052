/**
 * A local Secrets Manager: GetSecretValue and PutSecretValue over the AWS JSON 1.1 protocol, for
 * the secrets set at start (PutSecretValue cannot create one, as in AWS without CreateSecret).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type Operations } from './aws-endpoint';

interface Version {
  readonly value: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export class LocalSecrets {
  private readonly values = new Map<string, Version>();
  /** The version each secret had before its last `set`: what VersionStage AWSPREVIOUS reads. */
  private readonly previous = new Map<string, Version>();
  /** GetSecretValue calls so far, by secret id. */
  readonly reads = new Map<string, number>();

  /** @param onPut told of each PutSecretValue, after the value is stored (the runtime rewrites runtime.json). */
  constructor(private readonly onPut: (name: string, value: string) => void = () => undefined) {}

  /** Sets a secret's value; the one it had becomes its previous version, as a rotation leaves it. */
  set(name: string, value: string): void {
    const old = this.values.get(name);
    if (old !== undefined) this.previous.set(name, old);
    this.values.set(name, { value, createdAt: Date.now() });
  }

  readonly operations: Operations = {
    'secretsmanager.GetSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      this.reads.set(id, (this.reads.get(id) ?? 0) + 1);
      const stage = input.VersionStage ?? 'AWSCURRENT';
      const version = stage === 'AWSPREVIOUS' ? this.previous.get(id) : stage === 'AWSCURRENT' ? this.values.get(id) : undefined;
      const value = version?.value;
      if (value === undefined) {
        throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      return {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: value,
        VersionId: 'local',
        VersionStages: [String(stage)],
        CreatedDate: (version?.createdAt ?? Date.now()) / 1000,
      };
    },
    'secretsmanager.PutSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      if (!this.values.has(id)) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      if (typeof input.SecretString !== 'string') throw new AwsServiceError('InvalidParameterException', 'SecretString is required here.');
      this.set(id, input.SecretString);
      this.onPut(id, input.SecretString);
      return {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
        Name: id,
        VersionId: randomUUID(),
        VersionStages: ['AWSCURRENT'],
      };
    },
  };
}

import { Token } from 'aws-cdk-lib';

/**
 * Whether a property is set to a value known at synth time. A token
 * (`Fn.importValue(...)`, a resource attribute, an imported resource's name) is
 * resolved only at deployment, so a check at synth time must let it pass.
 */
export function isKnown<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

import { App, CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct, type IConstruct } from 'constructs';

/**
 * Gives every resource below `part` the logical ID it would have if `part`'s
 * children stood directly in its parent, as they did before `JamfEventBridge`
 * was split into smaller constructs. Without it, CloudFormation would replace
 * the deployed resources on the next update: a new bus, queue, secret or API
 * would lose events, dead letters, the generated password or the webhook URL
 * entered in Jamf Pro, and a fixed-name log group would fail to deploy.
 *
 * Each ID is worked out by CDK itself, on a throwaway construct at the old
 * path, so it is exactly the one CDK gave the resource there.
 */
export function keepLogicalIdsOfParent(part: IConstruct): void {
  const parent = part.node.scope;
  if (parent === undefined) return;
  const parentPath = pathBelowStack(parent);
  for (const element of part.node.findAll()) {
    // An API deployment's logical ID carries a hash of the API, so that a change
    // deploys it again; it works that out itself, and a new one is what a change needs.
    if (!CfnElement.isCfnElement(element) || element instanceof apigw.CfnDeployment) continue;
    const below = element.node.scopes.slice(element.node.scopes.indexOf(part) + 1).map((each) => each.node.id);
    element.overrideLogicalId(logicalIdAt([...parentPath, ...below]));
  }
}

/** The logical ID CDK gives a resource at `path` (construct ids below the stack). */
export function logicalIdAt(path: readonly string[]): string {
  // Never synthesized: autoSynth would make every probe app synthesize when the process exits.
  const stack = new Stack(new App({ autoSynth: false }), 'Probe');
  let scope: Construct = stack;
  for (const id of path.slice(0, -1)) scope = new Construct(scope, id);
  const probe = new CfnResource(scope, path[path.length - 1] ?? 'Resource', { type: 'Probe::Probe::Probe' });
  return stack.getLogicalId(probe);
}

function pathBelowStack(scope: IConstruct): string[] {
  const scopes = scope.node.scopes;
  return scopes.slice(scopes.indexOf(Stack.of(scope)) + 1).map((each) => each.node.id);
}

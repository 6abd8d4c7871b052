import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { instanceNameProblems, instanceScepChallengePath, instanceWebhooksPath } from '../lambda/contract';
import { grantReadSecret } from './grants';
import type { HttpWebhookApi } from './http-webhook-api';
import { JamfWebhooks, jamfWebhooksProblems, type JamfWebhooksOptions } from './jamf-webhooks';
import { isKnown } from './known';
import type { LogGroupSettings } from './log-group';
import { createWebhookAuthSecret } from './webhook-auth-secret';
import { JAMF_CREDENTIALS_CHECKED, type WebhookApi } from './webhook-api';

/**
 * A Jamf Pro instance of its own in a deployment that serves several (production and sandbox,
 * one per subsidiary), besides the default instance at `/webhooks`.
 */
export interface JamfInstanceOptions {
  /**
   * The instance's name: its path segment (`/webhooks/<name>`, `/scep-challenge/<name>`) and
   * `detail.delivery.instance` of its events. 1 to 32 lower-case letters and digits, with single
   * dashes between them; not `verify`. Unique in the construct.
   */
  readonly name: string;
  /**
   * `Source` of the instance's events.
   * @default - the construct's `eventSource`: tell the instances apart by `detail.delivery.instance`
   */
  readonly eventSource?: string;
  /**
   * An existing secret with the instance's webhook credentials document.
   * @default - a new secret with username `jamf` and a generated 32-character password
   */
  readonly webhookAuthSecret?: secretsmanager.ISecret;
  /**
   * Whether the instance has a SCEP challenge route (`/scep-challenge/<name>`). Needs the
   * construct's SCEP service (`scepChallenge`).
   * @default - the construct's `scepChallenge`
   */
  readonly scepChallenge?: boolean;
  /**
   * Registers the instance's webhooks in its Jamf Pro at deploy time, with its URLs and credentials.
   * @default - nothing is registered
   */
  readonly jamfWebhooks?: JamfWebhooksOptions;
}

/** What is wrong with `instances`, each problem saying what to change; empty when nothing is. Tokens pass. */
export function instancesProblems(instances: readonly JamfInstanceOptions[], scepChallenge: boolean): string[] {
  const problems = instanceNameProblems(instances.map((instance) => instance.name).filter(isKnown), 'instances');
  for (const instance of instances) {
    const source = instance.eventSource;
    if (isKnown(source) && (source.trim() === '' || source.length > 256 || source.toLowerCase().startsWith('aws.'))) {
      problems.push(`instances[${instance.name}].eventSource "${source}" must be 1 to 256 characters, not starting with "aws.", e.g. "jamf.${instance.name}".`);
    }
    if (instance.scepChallenge === true && !scepChallenge) {
      problems.push(`instances[${instance.name}].scepChallenge is true, but scepChallenge is false: turn the SCEP challenge service on, or remove it.`);
    }
    if (instance.jamfWebhooks !== undefined) {
      problems.push(...jamfWebhooksProblems(instance.jamfWebhooks).map((problem) => `instances[${instance.name}]: ${problem}`));
    }
  }
  return problems;
}

/** Properties of {@link JamfInstance}: its options, and the construct's parts it is served by. */
export interface JamfInstanceProps extends JamfInstanceOptions {
  /** The construct's front door, to which the instance's routes are added. */
  readonly api: WebhookApi | HttpWebhookApi;
  /** The function behind every webhook route. */
  readonly ingestFunction: lambda.IFunction;
  /** What the SCEP routes invoke, when the construct has the SCEP service; the function reads the credentials. */
  readonly scep?: { readonly target: lambda.IFunction; readonly function: lambda.IFunction };
  /** The construct's source, when the instance has none of its own. */
  readonly defaultEventSource: string;
  readonly logGroups: LogGroupSettings;
  readonly tracing: boolean;
}

/**
 * One named Jamf Pro instance: its credentials secret, its routes on the construct's API (served
 * by the construct's functions, which tell the instances apart by the route) and, if asked, the
 * registration of its webhooks in its Jamf Pro. The functions learn its secret and source from
 * `WEBHOOK_INSTANCES`, which `JamfEventBridge` writes from every instance.
 */
export class JamfInstance extends Construct {
  /** The instance's name, as its routes and events have it. */
  public readonly name: string;
  /** `Source` of its events. */
  public readonly eventSource: string;
  /** Whether it has its own source (else it shares the construct's). */
  public readonly hasOwnEventSource: boolean;
  /** Its webhook credentials. */
  public readonly webhookAuthSecret: secretsmanager.ISecret;
  /** The URL to enter in its Jamf Pro's webhook settings: `.../v1/webhooks/<name>`. */
  public readonly webhookUrl: string;
  /** Its SCEP dynamic challenge URL, `.../v1/scep-challenge/<name>`, when it has one. */
  public readonly scepChallengeUrl?: string;
  /** The custom resource that registers its webhooks, when `jamfWebhooks` is given. */
  public readonly jamfWebhooks?: JamfWebhooks;

  constructor(scope: Construct, id: string, props: JamfInstanceProps) {
    super(scope, id);
    this.name = props.name;
    this.hasOwnEventSource = props.eventSource !== undefined;
    this.eventSource = props.eventSource ?? props.defaultEventSource;
    this.webhookAuthSecret = props.webhookAuthSecret ?? createWebhookAuthSecret(this, `Jamf Pro instance ${props.name}`);

    grantReadSecret(props.ingestFunction, this.webhookAuthSecret);
    this.webhookUrl = props.api.addLambdaRoute(instanceWebhooksPath(props.name), props.ingestFunction, JAMF_CREDENTIALS_CHECKED);
    if (props.scep !== undefined && props.scepChallenge !== false) {
      grantReadSecret(props.scep.function, this.webhookAuthSecret);
      this.scepChallengeUrl = props.api.addLambdaRoute(instanceScepChallengePath(props.name), props.scep.target, JAMF_CREDENTIALS_CHECKED);
    }

    if (props.jamfWebhooks !== undefined) {
      this.jamfWebhooks = new JamfWebhooks(this, 'JamfWebhooks', {
        ...props.jamfWebhooks,
        webhookUrl: this.webhookUrl,
        scepChallengeUrl: this.scepChallengeUrl,
        webhookAuthSecret: this.webhookAuthSecret,
        logGroups: props.logGroups,
        tracing: props.tracing,
      });
      // Jamf Pro may send a webhook as soon as it is registered: the routes and functions come first.
      this.jamfWebhooks.node.addDependency(props.api, props.ingestFunction, ...(props.scep ? [props.scep.function] : []));
    }
  }
}

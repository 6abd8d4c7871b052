/**
 * `npm start`: the local runtime. Runs the ingest and SCEP handlers behind a
 * local API Gateway on 127.0.0.1:$PORT (default 3000), with local EventBridge,
 * SQS, Secrets Manager and DynamoDB endpoints, and prints one line per
 * published event.
 *
 * SCEP settings come from the environment as the Lambda's do: SCEP_CHALLENGE_KEY
 * (the signing key) and SCEP_VERIFY_SECRET (step-ca's webhook secret, base64);
 * SCEP_UPSTREAM_URL, SCEP_UPSTREAM_USERNAME, SCEP_UPSTREAM_PASSWORD for the upstream mode.
 */
// Before any SDK client exists: the locked AWS SDK versions support Node 20, and their
// 8-line NodeVersionSupportWarning is about versions published after January 2027.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseCredentialsDocument } from '../lambda/auth/credentials';
import { MIN_SIGNING_KEY_CHARS } from '../lambda/scep/keys';
import { parseVerifySecrets } from '../lambda/scep/step-ca';
import { startLocalStack } from '../lambda/local/runtime';
import type { PublishedEvent } from '../lambda/local/event-bus';

function summary(event: PublishedEvent): string {
  const detail = event.Detail as { webhook?: { name?: unknown }; event?: Record<string, unknown> };
  const body = detail.event ?? {};
  const device = (body.computer ?? body.targetDevice ?? body) as Record<string, unknown>;
  const facts = [
    detail.webhook?.name ? `webhook "${String(detail.webhook.name)}"` : undefined,
    ...['serialNumber', 'deviceName', 'name', 'objectName'].map((key) =>
      typeof device[key] === 'string' && device[key] ? `${key}=${String(device[key])}` : undefined,
    ),
  ].filter(Boolean);
  return `${event.Time}  ${event.DetailType.padEnd(42)} ${facts.slice(0, 3).join('  ')}  id=${event.EventId}`;
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const webhookAuth = process.env.JAMF_WEBHOOK_AUTH;
  // Fail at start, not on the first webhook, when the document is wrong.
  if (webhookAuth?.trim()) parseCredentialsDocument(webhookAuth);
  const env = (name: string) => process.env[name]?.trim() || undefined;
  const scepChallengeKey = env('SCEP_CHALLENGE_KEY');
  if (scepChallengeKey !== undefined && scepChallengeKey.length < MIN_SIGNING_KEY_CHARS) {
    throw new Error(`SCEP_CHALLENGE_KEY must be at least ${MIN_SIGNING_KEY_CHARS} characters`);
  }
  const scepVerifySecret = env('SCEP_VERIFY_SECRET');
  if (scepVerifySecret !== undefined && parseVerifySecrets(scepVerifySecret).length === 0) {
    throw new Error('SCEP_VERIFY_SECRET must be base64, as step-ca prints it');
  }
  const upstreamUrl = env('SCEP_UPSTREAM_URL');
  const upstreamUsername = env('SCEP_UPSTREAM_USERNAME');
  const upstreamPassword = env('SCEP_UPSTREAM_PASSWORD');
  const stack = await startLocalStack({
    port,
    ...(webhookAuth !== undefined ? { webhookAuth } : {}),
    ...(scepChallengeKey ? { scepChallengeKey } : {}),
    ...(scepVerifySecret ? { scepVerifySecret } : {}),
    ...(upstreamUrl
      ? {
          scepUpstream: {
            url: upstreamUrl,
            ...(upstreamUsername ? { username: upstreamUsername } : {}),
            ...(upstreamPassword ? { password: upstreamPassword } : {}),
          },
        }
      : {}),
    onPublished: (event) => process.stderr.write(`published ${summary(event)}\n`),
  });
  const lines = [
    `jamf-eventbridge local stack`,
    `  webhooks      POST ${stack.webhookUrl}   (JSON or XML, as Jamf Pro sends them)`,
    `  SCEP          POST ${stack.scepChallengeUrl}   (Jamf Pro's SCEPChallenge webhook: ${
      upstreamUrl ? `forwarded to ${upstreamUrl}` : 'answers a signed challenge'
    })`,
    `  SCEP verify   POST ${stack.scepVerifyUrl}   (step-ca's SCEPCHALLENGE webhook)`,
    `  events        GET  ${stack.url}/_local/events`,
    `  dead letters  GET  ${stack.url}/_local/dead-letters`,
    `  AWS endpoint  ${stack.awsEndpointUrl}   (EventBridge, SQS, Secrets Manager, DynamoDB wire protocols)`,
    `  try it        npm run send -- ComputerAdded   |   npm run send -- ComputerAdded --xml`,
  ];
  if (!webhookAuth?.trim()) {
    lines.push(
      '',
      'WARNING: JAMF_WEBHOOK_AUTH is not set, so no credential is accepted and every webhook gets 401.',
      `  For a local try:  JAMF_WEBHOOK_AUTH='{"basic":[{"username":"jamf","password":"local-only"}]}' npm start`,
      '  (npm run send reads the same variable to authenticate.)',
    );
  }
  if (stack.scep.generated.length > 0) {
    // Printed once, so a local step-ca can be pointed at this stack; they die with the process.
    lines.push('', 'WARNING: SCEP secrets generated for this run, for local use only (set them to keep them):');
    if (stack.scep.generated.includes('challengeKey')) lines.push(`  SCEP_CHALLENGE_KEY=${stack.scep.challengeKey}`);
    if (stack.scep.generated.includes('verifySecret')) lines.push(`  SCEP_VERIFY_SECRET=${stack.scep.verifySecret}`);
  }
  process.stderr.write(`${lines.join('\n')}\n\n`);

  stopOnSignals(() => stack.close());
}

/** How long closing may take before the process exits anyway. */
const CLOSE_DEADLINE_MS = 2000;

/**
 * Stops on SIGINT (Ctrl-C), SIGTERM (`kill`, which npm forwards to the script) and
 * SIGHUP, and when the process that started this one goes away: the port must not
 * outlive the command that opened it. Ctrl-C reaches this process twice (from the
 * terminal and forwarded by npm), so further signals change nothing; exit comes
 * within CLOSE_DEADLINE_MS whatever close() does.
 */
function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), CLOSE_DEADLINE_MS).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`local stack failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

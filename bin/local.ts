/**
 * `npm start`: the local runtime. Runs the ingest handler behind a local API
 * Gateway on 127.0.0.1:$PORT (default 3000), with local EventBridge, SQS and
 * Secrets Manager endpoints, and prints one line per published event.
 */
import { parseCredentialsDocument } from '../lambda/auth/credentials';
import { startLocalStack } from '../lambda/local/stack';
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
  const stack = await startLocalStack({
    port,
    ...(webhookAuth !== undefined ? { webhookAuth } : {}),
    onPublished: (event) => process.stderr.write(`published ${summary(event)}\n`),
  });
  const lines = [
    `jamf-eventbridge local stack`,
    `  webhooks      POST ${stack.webhookUrl}   (JSON or XML, as Jamf Pro sends them)`,
    `  events        GET  ${stack.url}/_local/events`,
    `  dead letters  GET  ${stack.url}/_local/dead-letters`,
    `  AWS endpoint  ${stack.awsEndpointUrl}   (EventBridge, SQS, Secrets Manager wire protocols)`,
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
  process.stderr.write(`${lines.join('\n')}\n\n`);

  const stop = () => {
    void stack.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`local stack failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

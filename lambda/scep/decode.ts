/**
 * Decodes a SCEPChallenge webhook with the same steps and schema as the
 * ingest path, so its audit event is identical to the one `/webhooks`
 * publishes. The XML parser is loaded on the first XML body only: it is most
 * of the decoder's size and most of its load time.
 */
import { decodeEvent, readEnvelope, type DecodedWebhook } from '../decode/canonical';
import { decodeBodyText } from '../decode/charset';
import { chooseFormat } from '../decode/format';
import { parseJson } from '../decode/json';
import { UnprocessableWebhookError } from '../shared/errors';
import { SCEPChallengeSchema } from '../events/scep';
import { lazy } from '../shared/lazy';

export const SCEP_CHALLENGE_EVENT = 'SCEPChallenge';

/** The XML parser, loaded on the first XML body. */
export const loadXmlParser = lazy(() => import('../decode/xml.js'));

export async function decodeScepChallenge(body: Uint8Array, contentType: string | undefined): Promise<DecodedWebhook> {
  const { text, encoding } = decodeBodyText(body, contentType);
  const format = chooseFormat(contentType, text);
  const tree = format === 'json' ? parseJson(text) : (await loadXmlParser()).parseXml(text);
  const envelope = readEnvelope(tree);
  const name = envelope.webhook.webhookEvent;
  if (name.toLowerCase() !== SCEP_CHALLENGE_EVENT.toLowerCase()) {
    throw new UnprocessableWebhookError(
      'NotSCEPChallenge',
      `This endpoint answers SCEPChallenge webhooks; this one is ${name}. Send other events to /webhooks.`,
      { eventName: name },
    );
  }
  return decodeEvent(envelope, { eventName: SCEP_CHALLENGE_EVENT, schema: SCEPChallengeSchema, known: true, format, encoding });
}

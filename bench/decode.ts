/**
 * Our SCEPChallenge decode against the bare parse it is built on, on the same
 * body: JSON.parse for JSON, fast-xml-parser's default XMLParser for XML. The
 * ratio is what envelope checks, coercion and redaction cost on top.
 */
import { XMLParser } from 'fast-xml-parser';
import { decodeScepChallenge } from '../lambda/scep/decode';
import { fixture } from './events';
import { median, since } from './stats';

export interface DecodeRatio {
  readonly format: 'json' | 'xml';
  /** Microseconds per decode. */
  readonly oursUs: number;
  readonly bareUs: number;
  readonly ratio: number;
}

async function perCall(batch: number, call: () => unknown | Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) await call();
  return (since(started) * 1000) / batch;
}

export async function decodeRatio(format: 'json' | 'xml', rounds = 15, batch = 2000): Promise<DecodeRatio> {
  const body = fixture('SCEPChallenge', format);
  const contentType = format === 'json' ? 'application/json' : 'text/xml';
  const parser = new XMLParser();
  const bare = format === 'json' ? () => JSON.parse(body.toString('utf8')) : () => parser.parse(body.toString('utf8'));
  const ours = () => decodeScepChallenge(body, contentType);
  // Warm both, then alternate rounds so that drift in the machine hits both alike.
  await perCall(batch, ours);
  await perCall(batch, bare);
  const oursSamples: number[] = [];
  const bareSamples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    oursSamples.push(await perCall(batch, ours));
    bareSamples.push(await perCall(batch, bare));
  }
  const oursUs = median(oursSamples);
  const bareUs = median(bareSamples);
  return { format, oursUs, bareUs, ratio: oursUs / bareUs };
}

/** What the encoding tests send and read back: a renamed computer, through a local runtime's front door. */
import type { LocalApiType } from '../../lambda/local/http-adapter';
import type { LocalRuntime } from '../../lambda/local/runtime';
import { fixtureJson, fixtureText, type FixtureFormat } from './fixtures';
import { post, useLocalRuntime } from './local-runtime';
import { basicAuth } from './requests';
import { TEST_SECRETS } from './secrets';

/** The ComputerAdded fixture with the computer renamed, as text in `format`. */
export function computerNamed(name: string, format: FixtureFormat): string {
  const original = fixtureJson('ComputerAdded').event.deviceName as string;
  return fixtureText('ComputerAdded', format).split(original).join(name);
}

export interface Published {
  readonly event: { readonly deviceName: string };
  readonly delivery: { readonly id: string; readonly encoding: string };
}

/** A local runtime with `apiType`'s front door, and a function that sends a body through it and gives the published detail. */
export function useEncodingRuntime(apiType: LocalApiType): {
  readonly stack: () => LocalRuntime;
  readonly send: (body: Buffer, contentType: string) => Promise<Published>;
} {
  const stack = useLocalRuntime({ webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }), apiType });
  const send = async (body: Buffer, contentType: string): Promise<Published> => {
    const before = stack().events().length;
    const response = await post(stack().webhookUrl, body, { 'content-type': contentType, authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) });
    expect(response.status).toBe(200);
    return stack().events()[before]!.Detail as Published;
  };
  return { stack, send };
}

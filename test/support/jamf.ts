/** The Jamf Pro Classic API stand-in alone, on a loopback port, for tests of the registrar. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalJamfClassicApi, type LocalJamfOptions } from '../../lambda/local/jamf-classic-api';

export interface StartedJamf {
  readonly url: string;
  readonly api: LocalJamfClassicApi;
  close(): Promise<void>;
}

export async function startJamf(options: LocalJamfOptions = {}): Promise<StartedJamf> {
  const api = new LocalJamfClassicApi(options);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/jamf/')) return void response.writeHead(404).end();
    api.handle(request, response, path.slice('/jamf'.length)).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jamf`,
    api,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

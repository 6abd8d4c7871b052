import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../lambda/local/runtime';

/**
 * Starts the local runtime on a free port for one test file. One stack per file:
 * the handler module reads its configuration once, and jest gives each file its own modules.
 */
export function useLocalRuntime(options: LocalRuntimeOptions): () => LocalRuntime {
  let stack: LocalRuntime | undefined;
  beforeAll(async () => {
    stack = await startLocalRuntime({ port: 0, ...options });
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the local stack has not started');
    return stack;
  };
}

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  return response.json();
}

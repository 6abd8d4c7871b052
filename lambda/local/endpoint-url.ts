/** Checking an AWS endpoint URL given to the local runtime. */

/**
 * An endpoint URL the SDK can take: http(s), no path, query or fragment; returned
 * without a trailing slash.
 */
export function checkEndpointUrl(url: string, what = 'awsEndpointUrl'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} must be an http(s) URL, e.g. http://127.0.0.1:4566`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || (parsed.pathname !== '/' && parsed.pathname !== '')) {
    throw new Error(`${what} must be an http(s) URL without a path, e.g. http://127.0.0.1:4566`);
  }
  return parsed.origin;
}

/**
 * An endpoint URL as it may be recorded (manifests, results, run folders): user name, password
 * and query string are dropped, since some gateways carry credentials there.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hadSecrets = u.username !== '' || u.password !== '' || u.search !== '';
    u.username = '';
    u.password = '';
    u.search = '';
    return hadSecrets ? `${u.toString()} (credentials removed)` : url;
  } catch {
    return url;
  }
}

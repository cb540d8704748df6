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

/** Query parameters that carry credentials at some gateways (Azure `api-key`, Google `key`, SAS `sig`, OAuth tokens). */
const SECRET_PARAM = /^(api[-_]?key|key|token|access[-_]?token|auth|authorization|sig|signature|secret|client[-_]?secret|password|pass|code|x-api-key)$/i;

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/**
 * The endpoint as it enters cache keys and cache records: user info and secret-looking query
 * parameters removed, the rest kept (an Azure `api-version` shapes the answer; a rotated key
 * does not, so rotating it keeps the cache warm). Not a URL: `sim://…` ids pass unchanged.
 */
export function endpointIdentity(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!/^https?:$/.test(u.protocol)) return url;
  u.username = '';
  u.password = '';
  for (const name of [...u.searchParams.keys()]) if (isSecretParam(name)) u.searchParams.delete(name);
  const s = u.toString();
  // new URL adds a trailing slash to a bare host; keep the configured spelling otherwise.
  return url.endsWith('/') || !s.endsWith('/') || u.pathname !== '/' ? s : s.slice(0, -1);
}

/** Every secret a URL carries (password, secret-looking query values), for scrubbing messages. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out = [u.password, u.username && u.password ? u.username : ''].map(decodeURIComponent);
    for (const [name, value] of u.searchParams) if (isSecretParam(name)) out.push(value);
    return out.filter((s) => s.length >= 4);
  } catch {
    return [];
  }
}

/**
 * A configuration as it may be written into a run folder or results.json: `llm.baseUrl` without
 * user info and secret query parameters (still a usable URL; a gateway key carried in the query
 * must come from the user's own config again when such a run is resumed).
 */
export function configForDisk<C extends { llm: { baseUrl: string } }>(config: C): C {
  return { ...config, llm: { ...config.llm, baseUrl: endpointIdentity(config.llm.baseUrl) } };
}

/**
 * The base URL as the openai SDK needs it: query parameters (a gateway's ?api-key=…, Azure's
 * api-version) go as the SDK's default query, because appended to the base URL as it is they
 * would end up before the route's path. A URL that does not parse is passed on for the SDK to
 * report.
 */
export function sdkBaseUrl(baseUrl: string): { baseURL: string; defaultQuery?: Record<string, string> } {
  try {
    const u = new URL(baseUrl);
    if (u.search) {
      const defaultQuery = Object.fromEntries(u.searchParams);
      u.search = '';
      return { baseURL: u.toString(), defaultQuery };
    }
  } catch {
    /* the SDK reports a bad URL itself */
  }
  return { baseURL: baseUrl };
}

/**
 * The endpoint a resumed run uses. Its recorded `baseUrl` had its secrets removed (configForDisk),
 * so a gateway key carried in the query is gone from it; the secret comes back from where it
 * lives: the current config or environment (`candidates`, in order of preference), taken only
 * when its cleaned identity is the recorded endpoint (so a resume never moves to another host or
 * path, and a rotated key is picked up). Nothing is written: the caller keeps the result in memory.
 */
export function resumeEndpoint(recorded: string, candidates: readonly (string | undefined)[]): { baseUrl: string; restored: boolean } {
  for (const c of candidates) {
    if (!c || c === recorded) continue;
    if (endpointIdentity(c) === recorded) return { baseUrl: c, restored: true };
  }
  return { baseUrl: recorded, restored: false };
}

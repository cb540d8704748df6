/**
 * Where the API key goes, decided before any request: the CLI's counterpart of VS Code's
 * Restricted Mode. A `re2llm.config.json` found in the current folder is project content (a
 * cloned repository may carry one); if it points `llm.baseUrl` at a host other than the default
 * while the key comes from the environment, the key would leave for a host the user never chose.
 * That is refused unless the user confirms (`--trust-config-endpoint`).
 */
import { dirname, resolve as resolvePath } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import { redactUrl } from './redactUrl';
import { isLoopbackUrl } from './prices';

export const DEFAULT_ENDPOINT = 'https://api.openai.com/v1';

export interface KeyDestination {
  /** Host the key is sent to, or undefined when no key is sent (none set, or a keyless endpoint). */
  host?: string;
  /** The environment variable the key comes from. */
  keyEnv: string;
  /** Why the run must not start (the user did not confirm the config file's endpoint). */
  refusal?: string;
  /** One line for stderr naming where the key goes. */
  notice?: string;
}

export function keyDestination(
  resolved: { config: Re2llmConfig; sources: Record<string, string>; configFile?: string },
  opts: { env: Record<string, string | undefined>; cwd: string; trustConfigEndpoint: boolean },
): KeyDestination {
  const llm = resolved.config.llm;
  const keyEnv = llm.apiKeyEnv;
  if (!opts.env[keyEnv] || llm.endpointId.startsWith('sim://') || llm.offline) return { keyEnv };
  const url = llm.baseUrl || DEFAULT_ENDPOINT;
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return { keyEnv };
  }
  const source = resolved.sources['llm.baseUrl'];
  const fromLocalFile = !!source && !!resolved.configFile && source === resolved.configFile && resolvePath(dirname(resolved.configFile)) === resolvePath(opts.cwd);
  const defaultHost = new URL(DEFAULT_ENDPOINT).host;
  if (fromLocalFile && host !== defaultHost && !isLoopbackUrl(url) && !opts.trustConfigEndpoint) {
    return {
      host,
      keyEnv,
      refusal:
        `${resolved.configFile} sets llm.baseUrl to ${redactUrl(url)}, so the API key from $${keyEnv} would be sent to ${host}. ` +
        `A config file in the current folder may come with the project; if you trust this endpoint, rerun with --trust-config-endpoint ` +
        `(or pass the endpoint yourself: OPENAI_BASE_URL or --set llm.baseUrl=...).`,
    };
  }
  return { host, keyEnv, notice: `the API key from $${keyEnv} is sent to ${host} only` };
}

/**
 * The API key lives in SecretStorage (Set/Clear commands), with the environment variable named by
 * `llm.apiKeyEnv` as a fallback. It is never written to settings, files or logs: log lines say
 * where a key came from, never what it is.
 */
import type { Vs } from '../vscode/types';

export const SECRET_KEY = 're2llm.llm.apiKey';
export type KeySource = 'secret' | 'env' | 'none';

export interface ResolvedKey {
  key?: string;
  source: KeySource;
}

export class ApiKeyStore {
  constructor(
    private readonly vs: Vs,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async resolve(envVar: string): Promise<ResolvedKey> {
    const stored = await this.vs.secrets.get(SECRET_KEY);
    if (stored) return { key: stored, source: 'secret' };
    const fromEnv = envVar ? this.env[envVar] : undefined;
    if (fromEnv) return { key: fromEnv, source: 'env' };
    return { source: 'none' };
  }

  async source(envVar: string): Promise<KeySource> {
    return (await this.resolve(envVar)).source;
  }

  /** Asks for the key (masked input) and stores it. Returns false if the user cancelled. */
  async set(): Promise<boolean> {
    const value = await this.vs.ui.input({
      title: 'Re2LLM: Set API Key',
      prompt: 'API key for the OpenAI-compatible endpoint. Stored in VS Code SecretStorage, never in settings or logs.',
      password: true,
      validate: validateKey,
    });
    if (value === undefined) return false;
    const problem = validateKey(value);
    if (problem) {
      await this.vs.ui.error(`Re2LLM: ${problem}`);
      return false;
    }
    await this.vs.secrets.store(SECRET_KEY, value.trim());
    this.vs.log.info('API key stored in SecretStorage');
    return true;
  }

  async clear(): Promise<void> {
    await this.vs.secrets.delete(SECRET_KEY);
    this.vs.log.info('API key removed from SecretStorage');
  }
}

export function validateKey(v: string): string | undefined {
  const t = v.trim();
  if (!t) return 'The key is empty.';
  if (/\s/.test(t)) return 'The key contains whitespace.';
  if (t.length > 1000) return 'The key is too long.';
  return undefined;
}

/** Replaces any occurrence of a secret in a text (for messages that echo errors from elsewhere). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

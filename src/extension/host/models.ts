/**
 * The models an OpenAI-compatible endpoint serves (`GET <baseUrl>/models`), for the model step of
 * Select Endpoint/Model. Best effort: any failure (no key yet, no such route, a timeout) returns
 * undefined and the caller falls back to free text. The key goes in the header only.
 */
export type Fetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export const MODELS_TIMEOUT_MS = 4000;

export async function listModels(baseUrl: string, apiKey: string | undefined, fetchImpl: Fetch = fetch as unknown as Fetch, timeoutMs = MODELS_TIMEOUT_MS): Promise<string[] | undefined> {
  const url = `${(baseUrl || 'https://api.openai.com/v1').replace(/\/+$/, '')}/models`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const r = await fetchImpl(url, { headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {}, signal: abort.signal });
    if (!r.ok) return undefined;
    const body = (await r.json()) as { data?: unknown };
    if (!Array.isArray(body?.data)) return undefined;
    const ids = body.data.map((m) => (m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length < 200);
    return ids.length ? [...new Set(ids)].sort() : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

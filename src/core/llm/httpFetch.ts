/**
 * A `fetch` over node:http with a keep-alive agent, handed to the openai SDK for plain-HTTP
 * endpoints (Ollama, vLLM, LM Studio, the simulator). Node's global fetch (undici) spends its CPU
 * on web streams and per-request machinery: at c = 64 against the simulator it and its socket
 * writes took about 40% of the main thread, and that thread also builds prompts, reads the cache
 * and runs the replays. The answers here are small JSON bodies, read whole: this fetch buffers
 * the body and hands the SDK a Response built from the bytes.
 *
 * What it does not do goes to the global fetch unchanged: https (TLS, proxies), bodies other than
 * a string or bytes (the Batch API's multipart upload, streams), a redirect (sent again there,
 * which follows it), and `redirect` modes other than "follow".
 */
import http from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Statuses whose Response must have a null body (the Fetch standard). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** What undici throws for a network failure: the SDK reads it as a connection error. */
function networkError(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw networkError(new Error(`unsupported content-encoding ${encoding}`));
  }
}

export interface HttpFetch {
  fetch: typeof fetch;
  /** Closes the idle sockets (they do not hold the process open meanwhile). */
  close(): void;
}

export function createHttpFetch(): HttpFetch {
  // No socket limit: the client bounds the requests in flight itself (llm.concurrency).
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const fallback = globalThis.fetch;

  const send = (url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | null | undefined, retried: boolean): Promise<Response | 'redirect'> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const req = http.request(url, { method, headers, agent });
      let settled = false;
      /** True the first time only: the outcome is this call's to give. */
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (err: unknown): void => {
        if (settle()) reject(err);
      };
      const onAbort = (): void => {
        fail(abortError());
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle fails at once; Node's documentation
        // asks for the request to be sent again on a new one.
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
          if (settle()) send(url, method, headers, body, signal, true).then(resolve, reject);
          return;
        }
        fail(networkError(err));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          if (settle()) resolve('redirect');
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(networkError(err)));
        res.on('aborted', () => fail(networkError(new Error('the response ended early'))));
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return fail(networkError(new Error('the response ended early')));
          let bytes: Buffer;
          try {
            bytes = decode(Buffer.concat(chunks), res.headers['content-encoding']);
          } catch (err) {
            return fail(err instanceof TypeError ? err : networkError(err));
          }
          const out = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          if (settle()) resolve(new Response(NULL_BODY.has(status) ? null : bytes, { status, statusText: res.statusMessage ?? '', headers: out }));
        });
      });
      req.end(body);
    });

  const fetchOverHttp = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const body = init?.body ?? undefined;
    const plainBody = body === undefined || typeof body === 'string' || body instanceof Uint8Array;
    if (href === undefined || !href.startsWith('http://') || !plainBody || (init?.redirect !== undefined && init.redirect !== 'follow')) return fallback(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const res = await send(new URL(href), (init?.method ?? 'GET').toUpperCase(), headers, body, init?.signal, false);
    return res === 'redirect' ? fallback(input, init) : res;
  };

  return { fetch: fetchOverHttp as typeof fetch, close: () => agent.destroy() };
}

let shared: HttpFetch | undefined;

/**
 * The process's one fetch over node:http, shared by every client: the extension host makes a
 * client per command, and each with an agent of its own kept its idle sockets for as long as the
 * server allowed (none of them was ever closed). One pool holds at most the requests in flight at
 * once; its idle sockets do not hold the process open.
 */
export function sharedHttpFetch(): typeof fetch {
  return (shared ??= createHttpFetch()).fetch;
}


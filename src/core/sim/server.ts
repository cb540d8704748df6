/**
 * The simulated LLM: an OpenAI-compatible HTTP server on loopback (127.0.0.1 only) answering
 * POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models deterministically from a
 * dataset's item attributes.
 *
 * It is a SIMULATOR for demos, tests and benchmarks — NOT a recommender, and its figures say
 * nothing about any real LLM. It exists so the whole pipeline (reflection, PPO, evaluation) runs
 * without an API key and still has a learning signal, and so the client's retries can be tested
 * against injected faults (429 with Retry-After, 500, timeouts, malformed and truncated answers).
 *
 * Chat requests go to the first responder whose `matches` accepts the conversation (see
 * registry.ts); the rank responder is the fallback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionDataset } from '../data/types';
import type { ChatMessage } from '../llm/types';
import type { SimResponder } from './types';
import { defaultResponders, withRankFallback } from './registry';
import { FaultPlan, type FaultKind, type SimFaults } from './faults';
import { simEmbedding, DEFAULT_SIM_EMBEDDING_DIM } from './embeddings';
import { createBatchRoutes, readRaw, type SimBatchOptions } from './batchRoutes';
import { titleIndex } from './rankPrompt';
import { warmRankModel } from './rankModel';

export interface SimServerOptions {
  dataset: SessionDataset;
  seed: number;
  /** 0 or absent: any free port. */
  port?: number;
  faults?: SimFaults;
  /** Tried in order; the rank responder is appended when missing. Default: defaultResponders(). */
  responders?: SimResponder[];
  /** Model names listed by /v1/models (any name is accepted by the other routes). */
  models?: string[];
  /** The Batch API routes' processing delay, line failures and expiry (batchRoutes.ts). */
  batch?: SimBatchOptions;
}

export interface SimServerStats {
  requests: number;
  byRoute: Record<string, number>;
  /** Chat requests answered, per responder name ("unmatched" when none matched). */
  byResponder: Record<string, number>;
  /** Faults injected, per kind. */
  faults: Record<string, number>;
}

export interface SimServer {
  /** Base URL for an OpenAI client, e.g. http://127.0.0.1:43123/v1 */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimServerStats;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * An answer the simulator has computed, sent once the request's latency has passed: `hold` is
 * the timeout fault (never answered), `raw` a body sent as is (the malformed fault).
 */
type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; text: string }
  | { kind: 'hold' };

function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { kind: 'json', status, body, ...(headers ? { headers } : {}) };
}

function errorReply(status: number, message: string, type: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { error: { message, type, param: null, code: null } }, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req, MAX_BODY_BYTES)).toString('utf8');
}

function isMessages(x: unknown): x is ChatMessage[] {
  return Array.isArray(x) && x.every((m) => m && typeof m === 'object' && typeof (m as ChatMessage).role === 'string' && typeof (m as ChatMessage).content === 'string');
}

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  // What every answer reads about the dataset is built before listening: a real endpoint is warm,
  // and built lazily it made the first answers of a benchmark ~90 ms late (hetrec-mini).
  titleIndex(opts.dataset);
  warmRankModel(opts.dataset);
  const responders = withRankFallback(opts.responders ?? defaultResponders());
  const plan = new FaultPlan(opts.faults ?? {}, opts.seed);
  const latency = opts.faults?.latencyMs ?? 0;
  const retryAfterS = opts.faults?.retryAfterS ?? 1;
  const models = opts.models ?? ['re2llm-sim', 're2llm-sim-embedding'];
  const ctx = { dataset: opts.dataset, seed: opts.seed };
  const stats: SimServerStats = { requests: 0, byRoute: {}, byResponder: {}, faults: {} };
  const held = new Set<ServerResponse>();
  let counter = 0;

  const bump = (m: Record<string, number>, k: string): void => {
    m[k] = (m[k] ?? 0) + 1;
  };

  /** The reply a fault on a POST route makes, or undefined when the route answers normally. */
  function faultReply(fault: FaultKind): Reply | undefined {
    if (fault === 'none' || fault === 'truncated') return undefined;
    bump(stats.faults, fault);
    if (fault === '429') return errorReply(429, 'simulated rate limit', 'rate_limit_exceeded', { 'retry-after': String(retryAfterS) });
    if (fault === '500') return errorReply(500, 'simulated server error', 'server_error');
    if (fault === 'timeout') return { kind: 'hold' }; // never answered; released on close
    return { kind: 'raw', status: 200, text: '{"id": "chatcmpl-sim", "choices": [{"message": {"content": "1. ' };
  }

  function chat(body: Record<string, unknown>, fault: FaultKind): Reply {
    if (!isMessages(body.messages) || body.messages.length === 0) {
      return errorReply(400, "'messages' must be a non-empty array of {role, content} strings", 'invalid_request_error');
    }
    const faulted = faultReply(fault);
    if (faulted) return faulted;
    const messages = body.messages;
    const responder = responders.find((r) => r.matches(messages));
    bump(stats.byResponder, responder?.name ?? 'unmatched');
    let text = responder ? responder.respond(messages, ctx) : 'The simulated LLM has no responder for this prompt.';
    let finish = 'stop';
    if (fault === 'truncated') {
      bump(stats.faults, fault);
      text = text.slice(0, Math.floor(text.length / 2));
      finish = 'length';
    }
    const promptTokens = estimateTokens(messages.map((m) => m.content).join('\n'));
    const completionTokens = estimateTokens(text);
    return jsonReply(200, {
      id: `chatcmpl-sim-${++counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === 'string' ? body.model : models[0],
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish, logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  function embeddings(body: Record<string, unknown>, fault: FaultKind): Reply {
    const input = body.input;
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((t) => typeof t === 'string') ? (input as string[]) : undefined;
    if (!texts) return errorReply(400, "'input' must be a string or an array of strings", 'invalid_request_error');
    const dim = body.dimensions === undefined ? DEFAULT_SIM_EMBEDDING_DIM : Number(body.dimensions);
    if (!Number.isInteger(dim) || dim < 1 || dim > 8192) return errorReply(400, "'dimensions' must be an integer in 1..8192", 'invalid_request_error');
    // A truncated embeddings answer is a malformed one.
    const faulted = faultReply(fault === 'truncated' ? 'malformed' : fault);
    if (faulted) return faulted;
    const tokens = texts.reduce((a, t) => a + estimateTokens(t), 0);
    return jsonReply(200, {
      object: 'list',
      data: texts.map((t, index) => ({ object: 'embedding', index, embedding: simEmbedding(t, dim) })),
      model: typeof body.model === 'string' ? body.model : models[1],
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (reply.kind === 'hold') held.add(res);
    else if (reply.kind === 'json') sendJson(res, reply.status, reply.body, reply.headers);
    else {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply.text) });
      res.end(reply.text);
    }
  }

  // Batch lines are answered by the chat route itself (no faults: a batch's failures are its own options).
  const batchRoutes = createBatchRoutes((body) => {
    const reply = chat(body, 'none');
    if (reply.kind !== 'json') throw new Error('a batch line got no JSON answer'); // 'none' injects no fault
    return { status: reply.status, body: reply.body };
  }, opts.batch);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = Date.now();
    stats.requests++;
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const route = `${req.method} ${path}`;
    bump(stats.byRoute, route);
    if (await batchRoutes.handle(req, res, path)) return;
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 're2llm-sim' })) });
      return;
    }
    const isChat = path === '/v1/chat/completions';
    const isEmb = path === '/v1/embeddings';
    if (!isChat && !isEmb) {
      sendError(res, 404, `unknown route ${route}`, 'invalid_request_error');
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 405, `${route}: use POST`, 'invalid_request_error');
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      sendError(res, 400, `invalid JSON body: ${(err as Error).message}`, 'invalid_request_error');
      return;
    }
    const fault = plan.next();
    // The latency is the time from arrival to answer, the answer's computation included: computed
    // first, sent when the latency has passed, so a burst of arrivals is answered `latency` after
    // each arrived instead of one computation after another past it.
    const reply = isChat ? chat(body, fault) : embeddings(body, fault);
    const wait = arrived + latency - Date.now();
    if (latency > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `simulator error: ${(err as Error).message}`, 'server_error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    stats: () => JSON.parse(JSON.stringify(stats)) as SimServerStats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The simulator's Batch API (issue 13 item 3): POST /v1/files (multipart upload), GET
 * /v1/files/:id and /v1/files/:id/content, POST /v1/batches, GET /v1/batches[/:id], POST
 * /v1/batches/:id/cancel, in memory, so the batch executor is tested offline.
 *
 * A batch is processed when it is first looked at `processingDelayMs` after its creation. The
 * options make the unlucky cases happen on purpose: `failLineRate` puts a share of lines (seeded
 * by custom_id) into the error file as 500s; `expireBatches` lets the first N batches expire with
 * only the first half of their lines answered (the rest in the error file as batch_expired);
 * `malformedLineRate` answers a share of lines 200 with a body that has no choices (no data, for
 * embeddings). Lines of a `/v1/embeddings` batch are answered by the simulator's embeddings
 * (embeddings.ts), those of a chat batch by the chat route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { simEmbeddingsAnswer } from './embeddings';

export interface SimBatchOptions {
  /** Milliseconds from creation until a batch is done (default 0). */
  processingDelayMs?: number;
  /** Share of lines (0-1) that fail with a 500 in the error file, chosen by custom_id hash. */
  failLineRate?: number;
  /** The first this many batches expire half done. */
  expireBatches?: number;
  /** Share of lines (0-1) answered 200 with an unusable body (no choices), once per custom_id. */
  malformedLineRate?: number;
}

/** Answers one chat completion body as the server's route would: status and JSON body. */
export type AnswerChat = (body: Record<string, unknown>) => { status: number; body: unknown };

interface StoredFile {
  id: string;
  bytes: Buffer;
  filename: string;
  purpose: string;
  created_at: number;
}

interface StoredBatch {
  id: string;
  input_file_id: string;
  endpoint: string;
  completion_window: string;
  status: 'validating' | 'in_progress' | 'completed' | 'expired' | 'cancelled' | 'failed';
  created_at: number;
  createdMs: number;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  /** Creation order (1 = first), for expireBatches. */
  ordinal: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, { error: { message, type: 'invalid_request_error', param: null, code: null } });
}

/** A request body, refused past `limit` bytes (the simulator's chat route reads through it too). */
export function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Seeded share of custom ids: the same lines fail every time a line is submitted… once. */
function hashShare(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

export interface SimBatchRoutes {
  /** True when the request was a files/batches route (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Batches created so far. */
  created(): number;
}

export function createBatchRoutes(answer: AnswerChat, opts: SimBatchOptions = {}): SimBatchRoutes {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, StoredBatch>();
  // A line fails at most once, so a retry of it succeeds (as a transient 500 would).
  const failedOnce = new Set<string>();
  const malformedOnce = new Set<string>();
  let counter = 0;
  // Ids are this simulator's own: a batches.json written against an earlier simulator on the same
  // endpoint identity (the demo's fixed llm.endpointId) names batches this one never made, and
  // must find none of them, not another job's batch under a reused number.
  const instance = randomBytes(4).toString('hex');
  const now = (): number => Math.floor(Date.now() / 1000);
  const fileObject = (f: StoredFile) => ({ id: f.id, object: 'file', bytes: f.bytes.length, created_at: f.created_at, filename: f.filename, purpose: f.purpose, status: 'processed' });
  const batchObject = (b: StoredBatch) => {
    const { createdMs, ordinal, ...rest } = b;
    void createdMs;
    void ordinal;
    return { object: 'batch', errors: null, ...rest };
  };

  function storeFile(lines: string[], purpose: string, name: string): string {
    const id = `file-sim-${instance}-${++counter}`;
    files.set(id, { id, bytes: Buffer.from(lines.map((l) => l + '\n').join('')), filename: name, purpose, created_at: now() });
    return id;
  }

  /** Runs a due batch: answers its lines, writes the output and error files. */
  function advance(b: StoredBatch): void {
    if (b.status !== 'validating' && b.status !== 'in_progress') return;
    if (Date.now() - b.createdMs < (opts.processingDelayMs ?? 0)) {
      b.status = 'in_progress';
      return;
    }
    const input = files.get(b.input_file_id)!.bytes.toString('utf8').split('\n').filter((l) => l.trim());
    const expire = b.ordinal <= (opts.expireBatches ?? 0);
    const embeddings = b.endpoint === '/v1/embeddings';
    const answered = expire ? Math.floor(input.length / 2) : input.length;
    const out: string[] = [];
    const errors: string[] = [];
    input.forEach((line, i) => {
      let parsed: { custom_id?: string; body?: Record<string, unknown> };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        errors.push(JSON.stringify({ id: `batch_req_${++counter}`, custom_id: null, response: null, error: { code: 'invalid_json', message: `line ${i + 1} is not JSON` } }));
        return;
      }
      const customId = String(parsed.custom_id);
      if (i >= answered) {
        errors.push(JSON.stringify({ id: `batch_req_${++counter}`, custom_id: customId, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
        return;
      }
      if (!failedOnce.has(customId) && hashShare(customId) < (opts.failLineRate ?? 0)) {
        failedOnce.add(customId);
        const body = { error: { message: 'simulated server error', type: 'server_error', param: null, code: null } };
        errors.push(JSON.stringify({ id: `batch_req_${++counter}`, custom_id: customId, response: { status_code: 500, request_id: `req_${counter}`, body }, error: null }));
        return;
      }
      if (!malformedOnce.has(customId) && hashShare(`malformed/${customId}`) < (opts.malformedLineRate ?? 0)) {
        malformedOnce.add(customId);
        const body = embeddings ? { object: 'list', data: [] } : { id: 'x', object: 'chat.completion', choices: [] };
        out.push(JSON.stringify({ id: `batch_req_${++counter}`, custom_id: customId, response: { status_code: 200, request_id: `req_${counter}`, body }, error: null }));
        return;
      }
      const r = embeddings ? simEmbeddingsAnswer(parsed.body ?? {}) : answer(parsed.body ?? {});
      const row = JSON.stringify({ id: `batch_req_${++counter}`, custom_id: customId, response: { status_code: r.status, request_id: `req_${counter}`, body: r.body }, error: null });
      (r.status === 200 ? out : errors).push(row);
    });
    b.request_counts = { total: input.length, completed: out.length, failed: errors.length };
    b.output_file_id = out.length ? storeFile(out, 'batch_output', `${b.id}_output.jsonl`) : null;
    b.error_file_id = errors.length ? storeFile(errors, 'batch_output', `${b.id}_error.jsonl`) : null;
    b.status = expire ? 'expired' : 'completed';
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRaw(req, 256 * 1024 * 1024);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    let form: FormData;
    try {
      form = await new Request('http://sim/v1/files', { method: 'POST', headers, body: raw }).formData();
    } catch (err) {
      sendError(res, 400, `expected a multipart/form-data upload: ${(err as Error).message}`);
      return;
    }
    const file = form.get('file');
    const purpose = String(form.get('purpose') ?? '');
    if (!file || typeof file === 'string') return sendError(res, 400, "missing 'file'");
    if (purpose !== 'batch') return sendError(res, 400, `purpose must be "batch", got "${purpose}"`);
    const id = `file-sim-${instance}-${++counter}`;
    const f: StoredFile = { id, bytes: Buffer.from(await file.arrayBuffer()), filename: (file as File).name || 'upload.jsonl', purpose, created_at: now() };
    files.set(id, f);
    send(res, 200, fileObject(f));
  }

  async function createBatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readRaw(req, 1024 * 1024)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'invalid JSON body');
    }
    const inputId = String(body.input_file_id ?? '');
    if (!files.has(inputId)) return sendError(res, 404, `no file ${inputId}`);
    const endpoint = String(body.endpoint ?? '');
    if (endpoint !== '/v1/chat/completions' && endpoint !== '/v1/embeddings') return sendError(res, 400, `unsupported endpoint "${endpoint}"`);
    const b: StoredBatch = {
      id: `batch_sim_${instance}_${++counter}`, input_file_id: inputId, endpoint, completion_window: String(body.completion_window ?? '24h'),
      status: 'validating', created_at: now(), createdMs: Date.now(), output_file_id: null, error_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 }, metadata: (body.metadata as Record<string, string>) ?? null, ordinal: batches.size + 1,
    };
    batches.set(b.id, b);
    send(res, 200, batchObject(b));
  }

  return {
    created: () => batches.size,
    async handle(req, res, path) {
      const m = req.method;
      if (m === 'POST' && path === '/v1/files') return upload(req, res).then(() => true);
      let g = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
      if (m === 'GET' && g) {
        const f = files.get(g[1]!);
        if (!f) sendError(res, 404, `no file ${g[1]}`);
        else if (g[2]) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.bytes.length });
          res.end(f.bytes);
        } else send(res, 200, fileObject(f));
        return true;
      }
      if (m === 'POST' && path === '/v1/batches') return createBatch(req, res).then(() => true);
      if (m === 'GET' && path === '/v1/batches') {
        const data = [...batches.values()].reverse().map((b) => (advance(b), batchObject(b)));
        send(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
        return true;
      }
      g = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
      if (g && ((m === 'GET' && !g[2]) || (m === 'POST' && g[2]))) {
        const b = batches.get(g[1]!);
        if (!b) {
          sendError(res, 404, `no batch ${g[1]}`);
          return true;
        }
        if (g[2] && (b.status === 'validating' || b.status === 'in_progress')) b.status = 'cancelled';
        else advance(b);
        send(res, 200, batchObject(b));
        return true;
      }
      return false;
    },
  };
}

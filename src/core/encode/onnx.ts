/**
 * State encoder from a local sentence-embedding model in ONNX form (an exported BERT, MiniLM,
 * ...): `<modelPath>/model.onnx` with inputs `input_ids`, `attention_mask` (and optionally
 * `token_type_ids`) and output `last_hidden_state` [batch, tokens, hidden]. An item's vector is
 * the attention-masked mean of its token vectors (mean pooling, as sentence-transformers and the
 * paper do). Runs only in the worker process: onnxruntime-node is loaded lazily.
 */
import { readFile } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { existsSync } from 'node:fs';
import type { Item } from '../data/types';
import { sha256Hex } from '../util/hash';
import { itemText, type SessionEncoder } from './types';
import { loadOnnxRuntime, type OnnxRuntime } from './onnxRuntime';
import { loadHfTokenizer, type TextTokenizer } from './tokenizer';

type OrtSession = Awaited<ReturnType<OnnxRuntime['InferenceSession']['create']>>;

export interface OnnxEncoderOptions {
  /** Replaces the default tokenizer (tokenizer.json through @huggingface/tokenizers). */
  tokenizer?: TextTokenizer;
  /** Longest token sequence fed to the model (BERT-style models take 512). */
  maxLength?: number;
  /** Texts per model run. */
  batchSize?: number;
  /** Name of the output to pool (default last_hidden_state, else the first output). */
  outputName?: string;
}

const WHO = 'encoder onnx';

export class OnnxEncoder implements SessionEncoder {
  private constructor(
    readonly id: string,
    readonly dim: number,
    private readonly ort: OnnxRuntime,
    private readonly session: OrtSession,
    private readonly tokenizer: TextTokenizer,
    private readonly output: string,
    private readonly maxLength: number,
    private readonly batchSize: number,
  ) {}

  static async create(modelPath: string, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    if (!modelPath) throw new Error(`${WHO}: encoder.modelPath is empty; set it to a folder with model.onnx and tokenizer.json`);
    const file = join(modelPath, 'model.onnx');
    if (!existsSync(file)) throw new Error(`${WHO}: ${file} not found`);
    const ort = loadOnnxRuntime(WHO);
    const bytes = await readFile(file);
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes);
    } catch (err) {
      throw new Error(`${WHO}: onnxruntime could not load ${file}: ${(err as Error).message}`);
    }
    for (const need of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(need)) throw new Error(`${WHO}: ${file} has inputs [${session.inputNames.join(', ')}]; expected input_ids and attention_mask`);
    }
    const output = opts.outputName ?? (session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]!);
    const tokenizer = opts.tokenizer ?? (await loadHfTokenizer(modelPath, WHO));
    const id = `onnx:${basename(modelPath)}:${sha256Hex(bytes).slice(0, 12)}`;
    const probe = new OnnxEncoder(id, 0, ort, session, tokenizer, output, opts.maxLength ?? 256, opts.batchSize ?? 16);
    const [v] = await probe.run(['dimension probe']);
    return new OnnxEncoder(id, v!.length, ort, session, tokenizer, output, opts.maxLength ?? 256, opts.batchSize ?? 16);
  }

  async encodeItems(items: Item[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < items.length; s += this.batchSize) out.push(...(await this.run(items.slice(s, s + this.batchSize).map(itemText))));
    return out;
  }

  /** One padded batch through the model, mean-pooled over each text's real tokens. */
  private async run(texts: string[]): Promise<Float32Array[]> {
    const toks = texts.map((t) => this.tokenizer.encode(t, this.maxLength));
    const B = texts.length;
    const L = Math.max(1, ...toks.map((t) => t.ids.length));
    const ids = new BigInt64Array(B * L);
    const mask = new BigInt64Array(B * L);
    toks.forEach((t, b) => t.ids.forEach((id, j) => {
      ids[b * L + j] = BigInt(id);
      mask[b * L + j] = BigInt(t.attentionMask[j] ?? 1);
    }));
    const feeds: Record<string, InstanceType<OnnxRuntime['Tensor']>> = {
      input_ids: new this.ort.Tensor('int64', ids, [B, L]),
      attention_mask: new this.ort.Tensor('int64', mask, [B, L]),
    };
    if (this.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new this.ort.Tensor('int64', new BigInt64Array(B * L), [B, L]);
    let res;
    try {
      res = await this.session.run(feeds);
    } catch (err) {
      throw new Error(`${WHO}: model run failed: ${(err as Error).message}`);
    }
    const t = res[this.output];
    if (!t || t.dims.length !== 3 || t.dims[0] !== B || t.dims[1] !== L) throw new Error(`${WHO}: output ${this.output} has shape [${t?.dims.join(', ')}], expected [${B}, ${L}, hidden]`);
    const H = t.dims[2]!;
    const data = t.data as Float32Array;
    return toks.map((_, b) => {
      const v = new Float32Array(H);
      let count = 0;
      for (let j = 0; j < L; j++) {
        if (mask[b * L + j] === 0n) continue;
        count++;
        const o = (b * L + j) * H;
        for (let h = 0; h < H; h++) v[h]! += data[o + h]!;
      }
      if (count > 0) for (let h = 0; h < H; h++) v[h]! /= count;
      return v;
    });
  }
}

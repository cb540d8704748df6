/**
 * The tokenizer behind the onnx encoder, kept behind a two-method interface so the
 * implementation can be swapped. The default reads the model folder's `tokenizer.json` (and
 * `tokenizer_config.json` if present) with Hugging Face's maintained JavaScript port,
 * `@huggingface/tokenizers` (pure JavaScript, no native code).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

interface TokenizedText {
  ids: number[];
  attentionMask: number[];
}

export interface TextTokenizer {
  /** Token ids with the model's special tokens, truncated to `maxLength`. */
  encode(text: string, maxLength: number): TokenizedText;
}

const TOKENIZER_PACKAGE = '@huggingface/tokenizers';

/** Loads `<folder>/tokenizer.json` with @huggingface/tokenizers. */
export async function loadHfTokenizer(folder: string, who = 'encoder onnx'): Promise<TextTokenizer> {
  const file = join(folder, 'tokenizer.json');
  if (!existsSync(file)) throw new Error(`${who}: ${file} not found (export the tokenizer with the model; see the README, "onnx encoder")`);
  const json = JSON.parse(await readFile(file, 'utf8')) as object;
  const cfgFile = join(folder, 'tokenizer_config.json');
  const cfg = existsSync(cfgFile) ? (JSON.parse(await readFile(cfgFile, 'utf8')) as object) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, cfg);
  } catch (err) {
    throw new Error(`${who}: ${file} is not a tokenizer ${TOKENIZER_PACKAGE} can read: ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    encode(text, maxLength) {
      const e = tok.encode(text);
      const n = Math.min(maxLength, e.ids.length);
      return { ids: e.ids.slice(0, n), attentionMask: (e.attention_mask ?? e.ids.map(() => 1)).slice(0, n) };
    },
  };
}

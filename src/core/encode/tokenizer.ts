/**
 * The tokenizer behind the onnx encoder, kept behind a two-method interface so the
 * implementation can be swapped. The default reads the model folder's `tokenizer.json` (and
 * `tokenizer_config.json` if present) with Hugging Face's maintained JavaScript port,
 * `@huggingface/tokenizers`, loaded lazily so the rest of the project does not need it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

export interface TokenizedText {
  ids: number[];
  attentionMask: number[];
}

export interface TextTokenizer {
  /** Token ids with the model's special tokens, truncated to `maxLength`. */
  encode(text: string, maxLength: number): TokenizedText;
}

interface HfEncoding {
  ids: number[];
  attention_mask: number[];
}
interface HfTokenizerCtor {
  new (tokenizerJson: object, tokenizerConfig: object): { encode(text: string): HfEncoding };
}

export const TOKENIZER_PACKAGE = '@huggingface/tokenizers';

/** Loads `<folder>/tokenizer.json` with @huggingface/tokenizers. */
export async function loadHfTokenizer(folder: string, who = 'encoder onnx'): Promise<TextTokenizer> {
  const file = join(folder, 'tokenizer.json');
  if (!existsSync(file)) throw new Error(`${who}: ${file} not found (export the tokenizer with the model; see the README, "onnx encoder")`);
  let Ctor: HfTokenizerCtor;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(TOKENIZER_PACKAGE) as { Tokenizer?: HfTokenizerCtor; default?: HfTokenizerCtor };
    const c = mod.Tokenizer ?? mod.default;
    if (!c) throw new Error('no Tokenizer export');
    Ctor = c;
  } catch (err) {
    throw new Error(`${who}: the tokenizer package ${TOKENIZER_PACKAGE} is not available (${(err as Error).message.split('\n')[0]}); install it to use the onnx encoder`);
  }
  const json = JSON.parse(await readFile(file, 'utf8')) as object;
  const cfgFile = join(folder, 'tokenizer_config.json');
  const cfg = existsSync(cfgFile) ? (JSON.parse(await readFile(cfgFile, 'utf8')) as object) : {};
  const tok = new Ctor(json, cfg);
  return {
    encode(text, maxLength) {
      const e = tok.encode(text);
      const n = Math.min(maxLength, e.ids.length);
      return { ids: e.ids.slice(0, n), attentionMask: (e.attention_mask ?? e.ids.map(() => 1)).slice(0, n) };
    },
  };
}

/**
 * The encoder chosen by `encoder.kind`. hashing needs nothing; onnx needs `encoder.modelPath`
 * (and runs only in the worker); openai needs an LlmClient.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Item } from '../data/types';
import type { LlmClient } from '../llm/types';
import { HashingEncoder } from './hashing';
import { OnnxEncoder, type OnnxEncoderOptions } from './onnx';
import { OpenAiEncoder } from './openai';
import { ProfileEncoder } from './profile';
import type { SessionEncoder } from './types';

export type { SessionEncoder } from './types';
export { itemText } from './types';
export { encodeSession, encodeSessions, ItemVectorCache } from './session';
export { HashingEncoder, itemTokens } from './hashing';
export { OnnxEncoder } from './onnx';
export { OpenAiEncoder } from './openai';
export { datasetFamilies } from './profile';
export type { TextTokenizer } from './tokenizer';

export interface EncoderDeps {
  client?: LlmClient;
  /** openai: an item to probe the vector length with (any item of the dataset). */
  probeItem?: Item;
  onnx?: OnnxEncoderOptions;
  /** profile: the dataset's attribute families (datasetFamilies(dataset)). */
  families?: string[];
}

export async function createEncoder(config: Re2llmConfig, deps: EncoderDeps = {}): Promise<SessionEncoder> {
  const encoder = await encoderOfKind(config, deps);
  // The state reads what the prompt shows (prompts/history.ts), whatever the encoder.
  encoder.historyLimit = config.prompt.historyLimit;
  return encoder;
}

async function encoderOfKind(config: Re2llmConfig, deps: EncoderDeps): Promise<SessionEncoder> {
  const kind = config.encoder.kind;
  switch (kind) {
    case 'hashing':
      return new HashingEncoder(config.encoder.dim);
    case 'onnx':
      return OnnxEncoder.create(config.encoder.modelPath, deps.onnx);
    case 'profile':
      if (!deps.families) throw new Error('encoder profile: the dataset\'s attribute families were not given');
      return new ProfileEncoder(deps.families);
    case 'openai': {
      if (!deps.client) throw new Error('encoder openai: no LLM client was given');
      return OpenAiEncoder.create(deps.client, deps.probeItem ?? { id: 'probe', title: 'dimension probe', attributes: {} });
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown encoder kind "${String(never)}" (hashing, onnx, openai, profile)`);
    }
  }
}

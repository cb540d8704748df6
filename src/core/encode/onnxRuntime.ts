/**
 * Lazy, guarded access to onnxruntime-node. It ships native code that can fault, so it is
 * loaded only when an ONNX model is actually used, which happens only in the training worker
 * process (never in the extension host), and a load failure becomes an Error naming what needed
 * it instead of a crash at import time.
 */
import type * as Ort from 'onnxruntime-node';

export type OnnxRuntime = typeof Ort;

let cached: OnnxRuntime | undefined;

/** onnxruntime-node, or an Error that names `who` (e.g. "encoder onnx"). */
export function loadOnnxRuntime(who: string): OnnxRuntime {
  if (cached) return cached;
  try {
    // A runtime require keeps the native module out of every bundle and every process that
    // never calls this (esbuild marks onnxruntime-node external).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('onnxruntime-node') as OnnxRuntime;
    return cached;
  } catch (err) {
    throw new Error(`${who}: cannot load onnxruntime-node (${(err as Error).message.split('\n')[0]}). Install it with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node, or choose another encoder (encoder.kind = hashing).`);
  }
}

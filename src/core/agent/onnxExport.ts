/**
 * Exports the trained actor as a standard ONNX graph, loadable by onnxruntime in Node or Python:
 *
 *   state [batch, dim] -> (Sub mean -> Div std -> Clip ±10, when states were normalised)
 *     -> Gemm -> Tanh -> Gemm -> Tanh -> Gemm -> Softmax -> probs [batch, arms]
 *
 * Metadata (`metadata_props`): `hint_ids` (JSON array, action order, "none" first),
 * `state_dim`, `encoder`, `kb_fingerprint`, `producer` notes. The greedy action is
 * argmax(probs). IR 8, opset 13; weights are FLOAT initializers stored as raw little-endian bytes.
 */
import { onnx } from 'onnx-proto';
import type { PpoAgent } from './ppo';

export interface OnnxExportMeta {
  hintIds: string[];
  encoder?: string;
  kbFingerprint?: string;
  [key: string]: unknown;
}

function f32Bytes(x: ArrayLike<number>): Uint8Array {
  const b = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) b.writeFloatLE(x[i]!, i * 4);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function tensor(name: string, dims: number[], data: ArrayLike<number>): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: f32Bytes(data) };
}

function valueInfo(name: string, cols: number): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: cols }] } } },
  };
}

/** The actor of `agent` (with its state normaliser) as ONNX model bytes. */
export function exportActorOnnx(agent: PpoAgent, meta: OnnxExportMeta): Uint8Array {
  if (meta.hintIds.length !== agent.arms) throw new Error(`ONNX export: ${meta.hintIds.length} hint ids for ${agent.arms} actions`);
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  let cur = 'state';
  const rms = agent.obsRms;
  if (rms) {
    const std = Array.from(rms.var, (v) => Math.sqrt(v + rms.eps));
    inits.push(tensor('obs_mean', [agent.dim], Array.from(rms.mean)), tensor('obs_std', [agent.dim], std));
    inits.push(tensor('obs_clip_min', [], [-rms.clip]), tensor('obs_clip_max', [], [rms.clip]));
    nodes.push({ opType: 'Sub', input: [cur, 'obs_mean'], output: ['obs_centred'], name: 'normalise_sub' });
    nodes.push({ opType: 'Div', input: ['obs_centred', 'obs_std'], output: ['obs_scaled'], name: 'normalise_div' });
    nodes.push({ opType: 'Clip', input: ['obs_scaled', 'obs_clip_min', 'obs_clip_max'], output: ['obs_norm'], name: 'normalise_clip' });
    cur = 'obs_norm';
  }
  const layers = agent.actor.layers;
  layers.forEach((L, i) => {
    const w = `actor_${i}_weight`;
    const b = `actor_${i}_bias`;
    inits.push(tensor(w, [L.outDim, L.inDim], L.W), tensor(b, [L.outDim], L.b));
    const out = i === layers.length - 1 ? 'logits' : `actor_${i}_pre`;
    nodes.push({
      opType: 'Gemm', input: [cur, w, b], output: [out], name: `actor_${i}_gemm`,
      attribute: [{ name: 'transB', i: 1, type: onnx.AttributeProto.AttributeType.INT }],
    });
    cur = out;
    if (i < layers.length - 1) {
      nodes.push({ opType: 'Tanh', input: [cur], output: [`actor_${i}_act`], name: `actor_${i}_tanh` });
      cur = `actor_${i}_act`;
    }
  });
  nodes.push({
    opType: 'Softmax', input: ['logits'], output: ['probs'], name: 'policy_softmax',
    attribute: [{ name: 'axis', i: 1, type: onnx.AttributeProto.AttributeType.INT }],
  });
  const props: onnx.IStringStringEntryProto[] = [
    { key: 'hint_ids', value: JSON.stringify(meta.hintIds) },
    { key: 'state_dim', value: String(agent.dim) },
    { key: 'normalised_states', value: rms ? 'true' : 'false' },
  ];
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'hintIds' || v === undefined) continue;
    props.push({ key: k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value: typeof v === 'string' ? v : JSON.stringify(v) });
  }
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 're2llm-studio',
    docString: 'Re2LLM retrieval agent actor: probs = softmax(MLP(normalised state)); greedy hint = argmax(probs); hint ids in metadata "hint_ids".',
    graph: {
      name: 're2llm_actor',
      node: nodes,
      initializer: inits,
      input: [valueInfo('state', agent.dim)],
      output: [valueInfo('probs', agent.arms)],
    },
    metadataProps: props,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

// Test helper: a small GPT-2 with seeded random weights, in any Hugging Face checkpoint naming variant.
import type { TensorEntry } from '../formats/safetensors.ts'
import { createRng, type Rng } from '../generate/rng.ts'
import { gpt2ConfigToJson, type Gpt2Activation, type Gpt2Config } from '../model/config.ts'
import { gpt2ParameterShapes } from '../model/weights.ts'

export interface TinyGpt2Options {
  seed?: number
  nLayers?: number
  dModel?: number
  nHeads?: number
  vocab?: number
  nCtx?: number
  dMlp?: number
  activation?: Gpt2Activation
  /** 'transformer-prefix': GPT2LMHeadModel's names (`transformer.h.0…`); 'bare': GPT2Model's (`h.0…`). */
  naming?: 'transformer-prefix' | 'bare'
  /** Add the `attn.bias` / `attn.masked_bias` mask buffers older checkpoints carry. */
  withAttnBias?: boolean
  /** Write `lm_head.weight` as a copy of `wte.weight` (a tied head saved twice). */
  withLmHead?: boolean
  /** Write an `lm_head.weight` with its own random values (an untied head). */
  untiedLmHead?: boolean
}

export interface TinyGpt2 {
  config: Gpt2Config
  /** The matching Hugging Face config.json object. */
  configJson: Record<string, unknown>
  tensors: Map<string, TensorEntry>
}

function normal(rng: Rng, size: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = mean + rng.nextNormal() * std
  return out
}

/**
 * Weights are scaled so that activations stay O(1) through every layer, attention patterns are far from
 * uniform, and logits spread over a few units — GPT-2's own 0.02 init would make every test near-trivial.
 */
export function makeTinyGpt2(opts: TinyGpt2Options = {}): TinyGpt2 {
  const dModel = opts.dModel ?? 16
  const config: Gpt2Config = {
    vocabSize: opts.vocab ?? 50,
    nCtx: opts.nCtx ?? 32,
    dModel,
    nLayers: opts.nLayers ?? 2,
    nHeads: opts.nHeads ?? 4,
    dMlp: opts.dMlp ?? 4 * dModel,
    layerNormEps: 1e-5,
    activation: opts.activation ?? 'gelu_new',
    bosTokenId: null,
    eosTokenId: null,
  }
  const rng = createRng(opts.seed ?? 0)
  const prefix = opts.naming === 'transformer-prefix' ? 'transformer.' : ''
  const tensors = new Map<string, TensorEntry>()
  const put = (name: string, shape: number[], data: Float32Array): void => {
    tensors.set(name, { dtype: 'F32', shape, data })
  }

  let wte: Float32Array | null = null
  for (const [name, shape] of gpt2ParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1)
    let data: Float32Array
    if (name === 'wte.weight') data = wte = normal(rng, size, 2.5 / Math.sqrt(dModel)) // logits std ≈ 2.5
    else if (name === 'wpe.weight') data = normal(rng, size, 1 / Math.sqrt(dModel))
    else if (/ln_(1|2|f)\.weight$/.test(name)) data = normal(rng, size, 0.1, 1)
    else if (name.endsWith('.bias')) data = normal(rng, size, 0.1)
    else data = normal(rng, size, 1 / Math.sqrt(shape[0] as number)) // Conv1D [in, out]: unit-variance outputs
    put(prefix + name, [...shape], data)
  }
  if (opts.withAttnBias) {
    const n = config.nCtx
    for (let l = 0; l < config.nLayers; l++) {
      const mask = new Float32Array(n * n)
      for (let i = 0; i < n; i++) mask.fill(1, i * n, i * n + i + 1)
      put(`${prefix}h.${l}.attn.bias`, [1, 1, n, n], mask)
      put(`${prefix}h.${l}.attn.masked_bias`, [], Float32Array.of(-1e4))
    }
  }
  if (opts.untiedLmHead) put('lm_head.weight', [config.vocabSize, dModel], normal(rng, config.vocabSize * dModel, 2.5 / Math.sqrt(dModel)))
  else if (opts.withLmHead && wte) put('lm_head.weight', [config.vocabSize, dModel], Float32Array.from(wte))

  return { config, configJson: gpt2ConfigToJson(config, { tiedLmHead: !opts.untiedLmHead }), tensors }
}

// Maps a GPT-2 checkpoint's tensors (any Hugging Face naming variant) onto the engine's parameter names,
// checking every shape against the config. Canonical names are Hugging Face's, without `transformer.`.
import { ModelWeightsError } from '../errors.ts'
import { firstImplausibleWeight, implausibleWeightMessage } from './limits.ts'
import type { TensorEntry } from '../formats/safetensors.ts'
import type { Gpt2Config } from './config.ts'

export const LM_HEAD = 'lm_head.weight'
const PREFIX = 'transformer.'
/** Attention-mask buffers some checkpoints carry (`attn.bias` [1,1,n,n], `attn.masked_bias` scalar): not parameters. */
const BUFFER_PATTERN = /^h\.\d+\.attn\.(bias|masked_bias)$/
const LAYER_PATTERN = /^h\.(\d+)\./

/** Canonical parameter names of one block, with Conv1D weights stored [in, out] as GPT-2 does. */
export function blockParameterShapes(config: Gpt2Config, layer: number): [string, number[]][] {
  const d = config.dModel
  const h = `h.${layer}`
  return [
    [`${h}.ln_1.weight`, [d]],
    [`${h}.ln_1.bias`, [d]],
    [`${h}.attn.c_attn.weight`, [d, 3 * d]],
    [`${h}.attn.c_attn.bias`, [3 * d]],
    [`${h}.attn.c_proj.weight`, [d, d]],
    [`${h}.attn.c_proj.bias`, [d]],
    [`${h}.ln_2.weight`, [d]],
    [`${h}.ln_2.bias`, [d]],
    [`${h}.mlp.c_fc.weight`, [d, config.dMlp]],
    [`${h}.mlp.c_fc.bias`, [config.dMlp]],
    [`${h}.mlp.c_proj.weight`, [config.dMlp, d]],
    [`${h}.mlp.c_proj.bias`, [d]],
  ]
}

/** Every parameter of a tied-embedding GPT-2 (the usual case), in checkpoint order. */
export function gpt2ParameterShapes(config: Gpt2Config): Map<string, number[]> {
  const shapes = new Map<string, number[]>([
    ['wte.weight', [config.vocabSize, config.dModel]],
    ['wpe.weight', [config.nCtx, config.dModel]],
  ])
  for (let l = 0; l < config.nLayers; l++) for (const [name, shape] of blockParameterShapes(config, l)) shapes.set(name, shape)
  shapes.set('ln_f.weight', [config.dModel])
  shapes.set('ln_f.bias', [config.dModel])
  return shapes
}

export interface Gpt2Weights {
  /** Canonical name → tensor; holds `lm_head.weight` only when it differs from `wte.weight`. */
  tensors: Map<string, TensorEntry>
  tiedLmHead: boolean
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i])

function checkEntry(name: string, entry: TensorEntry, expected: number[]): void {
  if (!sameShape(entry.shape, expected)) {
    throw new ModelWeightsError(`Tensor "${name}" has shape ${fmt(entry.shape)}, but the config needs ${fmt(expected)}`)
  }
  const size = expected.reduce((a, b) => a * b, 1)
  if (entry.data.length !== size) {
    throw new ModelWeightsError(`Tensor "${name}" holds ${entry.data.length} values, but its shape ${fmt(expected)} needs ${size}`)
  }
  // One NaN in a weight turns every logit downstream into NaN: refuse it here, as SAE weights are refused.
  const bad = firstImplausibleWeight(entry.data)
  if (bad) throw new ModelWeightsError(`Tensor "${name}" ${implausibleWeightMessage(bad)}`)
}

function sameData(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Accepts names with or without the `transformer.` prefix, with or without the attention-mask buffers, and
 * `lm_head.weight` present or tied to `wte.weight`. Throws ModelWeightsError naming missing tensors and
 * wrong shapes. The returned entries share data with the input (no copy).
 */
export function mapGpt2Weights(config: Gpt2Config, tensors: Map<string, TensorEntry>): Gpt2Weights {
  const byName = new Map<string, TensorEntry>()
  for (const [rawName, entry] of tensors) {
    const name = rawName.startsWith(PREFIX) ? rawName.slice(PREFIX.length) : rawName
    if (BUFFER_PATTERN.test(name)) continue
    if (byName.has(name)) throw new ModelWeightsError(`Tensor "${name}" appears twice (with and without the "${PREFIX}" prefix)`)
    const layer = LAYER_PATTERN.exec(name)
    if (layer && Number(layer[1]) >= config.nLayers) {
      throw new ModelWeightsError(`Tensor "${rawName}" belongs to layer ${layer[1]}, but config.json says n_layer=${config.nLayers}`)
    }
    byName.set(name, entry)
  }

  const expected = gpt2ParameterShapes(config)
  const missing = [...expected.keys()].filter((name) => !byName.has(name))
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).join(', ') + (missing.length > 8 ? `, … (${missing.length - 8} more)` : '')
    const hint = missing.length === expected.size ? ' — is this a GPT-2 checkpoint?' : ''
    throw new ModelWeightsError(`The weights lack ${missing.length} of ${expected.size} GPT-2 tensors: ${shown}${hint}`)
  }

  const out = new Map<string, TensorEntry>()
  for (const [name, shape] of expected) {
    const entry = byName.get(name) as TensorEntry
    checkEntry(name, entry, shape)
    out.set(name, entry)
  }

  const lmHead = byName.get(LM_HEAD)
  if (config.tieWordEmbeddings === false && !lmHead) {
    throw new ModelWeightsError(`config.json sets tie_word_embeddings to false, but the weights have no "${LM_HEAD}" to unembed with`)
  }
  let tiedLmHead = true
  // Tied by config.json: Hugging Face unembeds with wte.weight and ignores a stored lm_head.weight; so do we.
  if (lmHead && config.tieWordEmbeddings !== true) {
    checkEntry(LM_HEAD, lmHead, [config.vocabSize, config.dModel])
    // Many exports write the tied matrix twice; keep one copy unless the two really differ.
    if (config.tieWordEmbeddings === false || !sameData(lmHead.data, (out.get('wte.weight') as TensorEntry).data)) {
      tiedLmHead = false
      out.set(LM_HEAD, lmHead)
    }
  }
  return { tensors: out, tiedLmHead }
}

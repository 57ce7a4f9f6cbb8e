// config.json of any decoder family the ONNX engine runs (gpt2, llama, qwen2, gpt_neox, gemma2, …): the few shape
// numbers it needs, read under each family's own key names and checked, so a hostile file fails fast and clearly.
import { ModelConfigError } from '../../errors.ts'
import { MODEL_LIMITS } from '../limits.ts'
import { describeValue } from '../../formats/safeJson.ts'

export interface DecoderConfig {
  family: string
  vocabSize: number
  dModel: number
  nLayers: number
  nHeads: number
  nKvHeads: number
  headDim: number
  nCtx: number
  bosTokenId: number | null
  eosTokenId: number | null
}


const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function first(c: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) if (c[k] !== undefined && c[k] !== null) return c[k]
  return undefined
}

function count(c: Record<string, unknown>, keys: readonly string[], max: number, fallback?: number): number {
  const v = first(c, keys) ?? fallback
  if (v === undefined) throw new ModelConfigError(`config.json has no ${keys.join(' / ')}`)
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new ModelConfigError(`config.json's ${keys[0]} must be an integer in [1, ${max}], got ${describeValue(v)}`)
  return v
}

function tokenId(c: Record<string, unknown>, key: string, vocab: number): number | null {
  let v = c[key]
  if (Array.isArray(v)) v = v[0] // generation configs may list several EOS ids
  if (v === undefined || v === null) return null
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= vocab) throw new ModelConfigError(`config.json's ${key} ${describeValue(v)} is not a token id of the ${vocab}-token vocabulary`)
  return v
}

export function parseDecoderConfig(json: unknown): DecoderConfig {
  if (!isRecord(json)) throw new ModelConfigError('config.json must be a JSON object')
  const family = typeof json.model_type === 'string' ? json.model_type : null
  if (!family) throw new ModelConfigError('config.json has no "model_type"')
  const vocabSize = count(json, ['vocab_size'], MODEL_LIMITS.vocabSize)
  const dModel = count(json, ['hidden_size', 'n_embd', 'd_model'], MODEL_LIMITS.dModel)
  const nLayers = count(json, ['num_hidden_layers', 'n_layer', 'num_layers'], MODEL_LIMITS.nLayers)
  const nHeads = count(json, ['num_attention_heads', 'n_head'], MODEL_LIMITS.nHeads)
  const nKvHeads = count(json, ['num_key_value_heads'], MODEL_LIMITS.nHeads, nHeads)
  const headDim = count(json, ['head_dim'], MODEL_LIMITS.headDim, Math.floor(dModel / nHeads))
  const nCtx = count(json, ['max_position_embeddings', 'n_positions', 'n_ctx'], MODEL_LIMITS.nCtx)
  return { family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, nCtx, bosTokenId: tokenId(json, 'bos_token_id', vocabSize), eosTokenId: tokenId(json, 'eos_token_id', vocabSize) }
}

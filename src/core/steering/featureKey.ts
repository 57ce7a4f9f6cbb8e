// Feature identity: `{ saeId, index }` and its printed key `saeId:index`, e.g. `tinyworld/blocks.2.hook_resid_post/1024:37`.
// The only module that builds or reads keys; everything else passes FeatureId objects around.
import { InvalidArgumentError } from '../errors.ts'

export type SaeId = string & { readonly __brand: 'SaeId' }
export type FeatureIndex = number & { readonly __brand: 'FeatureIndex' }

export interface FeatureId {
  readonly saeId: SaeId
  readonly index: FeatureIndex
}

/** Long enough for `hf:owner/name@revision/subfolder/…`; short enough to sit in a URL and a table cell. */
export const MAX_SAE_ID_LENGTH = 256

// Whitespace and control characters would make keys ambiguous in logs, CLI flags and URLs.
const BAD_SAE_ID_CHARS = /[\s\x00-\x1f\x7f]/

export function asSaeId(text: string): SaeId {
  if (text.length === 0 || text.length > MAX_SAE_ID_LENGTH || BAD_SAE_ID_CHARS.test(text)) {
    throw new InvalidArgumentError(`Invalid SAE id ${JSON.stringify(text.slice(0, 80))}: 1–${MAX_SAE_ID_LENGTH} characters, no spaces or control characters`)
  }
  return text as SaeId
}

/** Checks a latent index; pass dSae to also check it against the SAE's width. */
export function asFeatureIndex(index: number, dSae?: number): FeatureIndex {
  if (!Number.isSafeInteger(index) || index < 0) throw new InvalidArgumentError(`A feature index must be an integer ≥ 0, got ${String(index)}`)
  if (dSae !== undefined && index >= dSae) throw new InvalidArgumentError(`Feature ${index} does not exist: this SAE has ${dSae} features (0–${dSae - 1})`)
  return index as FeatureIndex
}

export function featureId(saeId: string, index: number): FeatureId {
  return { saeId: asSaeId(saeId), index: asFeatureIndex(index) }
}

export function featureKey(id: FeatureId): string {
  return `${id.saeId}:${id.index}`
}

/** `saeId:index` → FeatureId. The index follows the last ':' so that SAE ids may hold colons (`hf:owner/name`). */
export function parseFeatureKey(key: string): FeatureId {
  const colon = key.lastIndexOf(':')
  const indexText = colon < 0 ? '' : key.slice(colon + 1)
  if (!/^(0|[1-9]\d{0,14})$/.test(indexText)) {
    throw new InvalidArgumentError(`Invalid feature key ${JSON.stringify(key.slice(0, 80))}: expected saeId:index, e.g. tinyworld/blocks.2.hook_resid_post/1024:37`)
  }
  return featureId(key.slice(0, colon), Number(indexText))
}

// Explanations already paid for: an LLM explanation is keyed on everything that decides it (the SAE's weights, the
// feature, the explainer model and the prompt version), so a rerun asks only about what changed.
import { InvalidArgumentError } from '../../errors.ts'
import type { ExplanationRecord } from '../../analysis/format.ts'

/** Built and read only here, so no caller splices or re-parses a key by hand. */
export type ExplanationCacheKey = string & { readonly __brand: 'ExplanationCacheKey' }

export interface ExplanationKeyParts {
  /** A digest of the SAE's weights file (see sha256Hex), so a retrained SAE with the same name is not mistaken for the old. */
  saeHash: string
  feature: number
  /** The explainer model's name. */
  explainer: string
  promptVersion: string
}

/** A JSON array, so a model name holding any separator still gives one unambiguous key. */
export function explanationCacheKey(parts: ExplanationKeyParts): ExplanationCacheKey {
  if (!parts.saeHash) throw new InvalidArgumentError('An explanation cache key needs the SAE weights hash')
  if (!Number.isInteger(parts.feature) || parts.feature < 0) throw new InvalidArgumentError(`Feature index must be an integer ≥ 0, got ${parts.feature}`)
  return JSON.stringify(['llm-explanation', parts.saeHash, parts.feature, parts.explainer, parts.promptVersion]) as ExplanationCacheKey
}

/** The parts of a key, or null for a string that is not one (a foreign or damaged cache entry). */
export function parseExplanationCacheKey(key: string): ExplanationKeyParts | null {
  let value: unknown
  try {
    value = JSON.parse(key)
  } catch {
    return null
  }
  if (!Array.isArray(value) || value.length !== 5 || value[0] !== 'llm-explanation') return null
  const [, saeHash, feature, explainer, promptVersion] = value as unknown[]
  if (typeof saeHash !== 'string' || typeof explainer !== 'string' || typeof promptVersion !== 'string') return null
  if (typeof feature !== 'number' || !Number.isInteger(feature) || feature < 0) return null
  return { saeHash, feature, explainer, promptVersion }
}

/** Where explanations are kept: memory in the app and tests, a JSON file for the CLI (src/cli/explanationFileCache.ts). */
export interface ExplanationCache {
  get(key: ExplanationCacheKey): Promise<ExplanationRecord | null>
  set(key: ExplanationCacheKey, value: ExplanationRecord): Promise<void>
}

export function createMemoryExplanationCache(): ExplanationCache & { readonly size: number } {
  const entries = new Map<ExplanationCacheKey, ExplanationRecord>()
  return {
    get size() {
      return entries.size
    },
    get: async (key) => {
      const hit = entries.get(key)
      return hit ? structuredClone(hit) : null // a copy, so a caller editing its record cannot change the cache
    },
    set: async (key, value) => {
      entries.set(key, structuredClone(value))
    },
  }
}

/** Lowercase hex SHA-256 of `bytes` (WebCrypto: Node 20 and browsers alike), for ExplanationKeyParts.saeHash. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

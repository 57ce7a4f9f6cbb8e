// Explains features with a chat LLM and scores each explanation on held-out records: simulation (Bills et al. 2023)
// and detection (Paulo et al. 2024). One failed feature is reported and the rest go on; cancelling stops them all.
import type { ExplanationRecord } from '../../analysis/format.ts'
import { CancelledError, InvalidArgumentError, serializeError, type SerializedError } from '../../errors.ts'
import type { ActivationRecord, FeatureRecords } from '../records.ts'
import { detectionScore, simulationScore } from '../score.ts'
import { explanationCacheKey, type ExplanationCache } from './cache.ts'
import type { ChatClient } from './chatClient.ts'
import { detectMessages, explainMessages, LLM_PROMPT_VERSION, simulateMessages } from './prompts.ts'
import { parseDetection, parseExplanation, parseSimulation } from './replies.ts'

export interface LlmFeatureInput {
  index: number
  records: FeatureRecords
}

export interface ExplainProgress {
  done: number
  total: number
  /** Mean wall time per finished feature (so concurrency counts) times the features left. */
  etaSeconds: number
  /** The feature that just finished, explained, cached or failed. */
  feature: number
}

export type FeatureExplanationResult =
  | { index: number; ok: true; explanation: ExplanationRecord; cached: boolean }
  | { index: number; ok: false; error: SerializedError }

export interface ExplainFeaturesOptions {
  features: readonly LlmFeatureInput[]
  client: ChatClient
  signal?: AbortSignal
  onProgress?: (progress: ExplainProgress) => void
  /** With the SAE's weights hash, which is part of every key; without a cache every feature is asked about. */
  cache?: { store: ExplanationCache; saeHash: string }
}

/** The records a score is computed on: never the ones the explainer saw. */
const scoringRecords = (records: FeatureRecords): ActivationRecord[] => [...records.heldOutTop, ...records.random]

/** Simulation and detection scores of `explanation` on the feature's held-out top and random records. */
export async function scoreExplanation(
  explanation: string,
  feature: LlmFeatureInput,
  client: ChatClient,
  signal?: AbortSignal,
): Promise<{ score: number | null; detection: number | null }> {
  const records = scoringRecords(feature.records)
  if (records.length === 0) return { score: null, detection: null }
  const detect = detectMessages(explanation, records, feature.index)
  const [simulated, detected] = await Promise.all([
    client.complete(simulateMessages(explanation, records), signal),
    client.complete(detect.messages, signal),
  ])
  return {
    score: simulationScore(parseSimulation(simulated, records), records),
    detection: detectionScore(parseDetection(detected, detect.order), records),
  }
}

/** One feature: explain from its `explain` records, then score. */
export async function explainFeature(feature: LlmFeatureInput, client: ChatClient, signal?: AbortSignal): Promise<ExplanationRecord> {
  const { explain, maxAct } = feature.records
  if (explain.length === 0 || !(maxAct > 0)) throw new InvalidArgumentError(`Feature ${feature.index} never fired in the analysis: there is nothing to explain`)
  const text = parseExplanation(await client.complete(explainMessages(explain, maxAct), signal))
  const { score, detection } = await scoreExplanation(text, feature, client, signal)
  return { text, method: 'llm', score, detection, explainer: client.model, prompt_version: LLM_PROMPT_VERSION }
}

/**
 * Every feature's explanation, in input order. Features run `client.concurrency` at a time (the client's own limiter
 * bounds the requests); a cached feature costs no request, and a new explanation is cached as soon as it is scored.
 */
export async function explainFeatures(options: ExplainFeaturesOptions): Promise<FeatureExplanationResult[]> {
  const { features, client, signal, onProgress, cache } = options
  if (signal?.aborted) throw new CancelledError()
  const results: FeatureExplanationResult[] = new Array(features.length)
  const started = Date.now()
  let next = 0
  let done = 0

  const one = async (feature: LlmFeatureInput): Promise<FeatureExplanationResult> => {
    const key = cache ? explanationCacheKey({ saeHash: cache.saeHash, feature: feature.index, explainer: client.model, promptVersion: LLM_PROMPT_VERSION }) : null
    const hit = key && cache ? await cache.store.get(key) : null
    if (hit) return { index: feature.index, ok: true, explanation: hit, cached: true }
    try {
      const explanation = await explainFeature(feature, client, signal)
      if (key && cache) await cache.store.set(key, explanation)
      return { index: feature.index, ok: true, explanation, cached: false }
    } catch (err) {
      if (err instanceof CancelledError || signal?.aborted) throw err instanceof CancelledError ? err : new CancelledError()
      return { index: feature.index, ok: false, error: serializeError(err) }
    }
  }

  const worker = async () => {
    while (next < features.length) {
      const at = next++
      const feature = features[at]!
      results[at] = await one(feature)
      done++
      const elapsed = (Date.now() - started) / 1000
      onProgress?.({ done, total: features.length, etaSeconds: (elapsed / done) * (features.length - done), feature: feature.index })
    }
  }
  await Promise.all(Array.from({ length: Math.min(client.concurrency, features.length) }, worker))
  return results
}

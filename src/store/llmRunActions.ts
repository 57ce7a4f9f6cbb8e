// "Explain with an LLM" in the app: the features' records come from the analysis shards, explanations and scores
// from core's explainFeatures, and each result goes to IndexedDB under its cache key (SAE weights hash, feature,
// explainer, prompt version) and into the store at once. The API key lives only in the chat client's closure: it
// is never put in the store, an error, a message or a log.
import { CancelledError, serializeError } from '../core/errors.ts'
import type { ExplanationRecord } from '../core/analysis/format.ts'
import { createMemoryExplanationCache, parseExplanationCacheKey, type ExplanationCache, type ExplanationCacheKey } from '../core/autointerp/llm/cache.ts'
import { createChatClient, redact } from '../core/autointerp/llm/chatClient.ts'
import { explainFeatures, type LlmFeatureInput } from '../core/autointerp/llm/llmExplainer.ts'
import type { AppStore } from './appStore.ts'
import type { ExplanationActions } from './explanationActions.ts'
import type { ExplanationDb } from './explanationDb.ts'
import type { LlmFailure } from './explanationSlice.ts'

export interface LlmRunRequest {
  saeId: string
  /** Feature indices to explain, in order (the panel's scope, capped). */
  features: readonly number[]
  baseUrl: string
  model: string
  /** Only for the Authorization header; null for servers that need none. */
  apiKey: string | null
  /** Requests in flight at once (default: the chat client's). */
  concurrency?: number
}

export interface LlmRunActions {
  explainWithLlm(request: LlmRunRequest): Promise<void>
  cancelLlm(): void
}

/** An ExplanationCache over the explanation database, showing each new explanation in the store as it is cached. */
function dbCache(db: ExplanationDb, onSet: (feature: number, e: ExplanationRecord) => void): ExplanationCache {
  return {
    async get(key) {
      return (await db.getLlm(key))?.explanation ?? null
    },
    async set(key: ExplanationCacheKey, explanation) {
      const parts = parseExplanationCacheKey(key)
      if (!parts) return
      await db.putLlm({ key, saeHash: parts.saeHash, feature: parts.feature, explanation, savedAt: Date.now() })
      onSet(parts.feature, explanation)
    },
  }
}

export function createLlmRunActions(store: AppStore, opts: { explanations: ExplanationActions; loadFeature: (saeId: string, index: number) => Promise<void> }): LlmRunActions {
  const get = store.getState
  let running: AbortController | null = null
  /** Explanations cached in memory when IndexedDB is missing, so a rerun in this session asks nothing twice. */
  const memory = createMemoryExplanationCache()

  return {
    cancelLlm() {
      const run = get().explanations.llmRun
      if (!running || run.status !== 'running') return
      get().setLlmRun({ ...run, status: 'cancelling' })
      running.abort()
    },
    async explainWithLlm(request) {
      if (running) return
      const { saeId, apiKey } = request
      const saeHash = opts.explanations.llmHashOf(saeId)
      const failures: LlmFailure[] = []
      const abort = new AbortController()
      running = abort
      const started = Date.now()
      const total = request.features.length
      get().setLlmRun({ status: 'running', saeId, done: 0, total, etaSeconds: null, failures })
      try {
        if (saeHash === null) throw new Error(`${saeId} is not loaded yet: its weights' hash keys the explanations (wait for the SAE to load)`)
        const client = createChatClient({ baseUrl: request.baseUrl, model: request.model, apiKey, ...(request.concurrency ? { concurrency: request.concurrency } : {}) })
        // Every shard the features live in, once each.
        const summary = get().explorer.summaries[saeId]
        const shardSize = summary?.status === 'ready' ? summary.data.shard_size : 1
        const firstOfShard = [...new Set(request.features.map((f) => Math.floor(f / shardSize) * shardSize))]
        for (const f of firstOfShard) await opts.loadFeature(saeId, f)
        if (abort.signal.aborted) throw new CancelledError()
        const inputs: LlmFeatureInput[] = []
        for (const index of request.features) {
          const records = opts.explanations.recordsOf(saeId, index)
          if (records) inputs.push({ index, records })
          else failures.push({ feature: index, code: 'ANALYSIS_FORMAT', message: `Feature ${index}'s page could not be loaded from the analysis` })
        }
        const db = await opts.explanations.db()
        const show = (feature: number, e: ExplanationRecord) => get().setFeatureExplanation(saeId, 'llm', feature, e)
        const results = await explainFeatures({
          features: inputs,
          client,
          signal: abort.signal,
          cache: { store: db ? dbCache(db, show) : memory, saeHash },
          onProgress: (p) => {
            const run = get().explanations.llmRun
            if (run.status === 'running') get().setLlmRun({ ...run, done: p.done + failures.length, etaSeconds: p.etaSeconds })
          },
        })
        let cached = 0
        for (const r of results) {
          if (r.ok) {
            show(r.index, r.explanation)
            if (r.cached) cached++
          } else failures.push({ feature: r.index, code: r.error.code, message: redact(r.error.message, apiKey) })
        }
        get().setLlmRun({ status: 'done', saeId, done: total, total, explained: results.filter((r) => r.ok).length, cached, failures: [...failures], elapsedMs: Date.now() - started })
      } catch (err) {
        const run = get().explanations.llmRun
        const done = run.status === 'running' || run.status === 'cancelling' ? run.done : 0
        if (err instanceof CancelledError || abort.signal.aborted) get().setLlmRun({ status: 'cancelled', saeId, done, total, failures: [...failures] })
        else {
          const e = serializeError(err)
          get().setLlmRun({ status: 'error', saeId, code: e.code, message: redact(e.message, apiKey) })
        }
      } finally {
        running = null
      }
    },
  }
}

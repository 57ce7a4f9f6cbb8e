import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { explanationSchema } from '../../analysis/format.ts'
import { CancelledError } from '../../errors.ts'
import { createMemoryExplanationCache, explanationCacheKey, parseExplanationCacheKey, sha256Hex } from './cache.ts'
import { createChatClient, type ChatClientConfig } from './chatClient.ts'
import { explainFeatures, scoreExplanation, type ExplainProgress } from './llmExplainer.ts'
import { LLM_PROMPT_VERSION } from './prompts.ts'
import { startStandInLlmServer, type StandInLlmServer } from './testing/standInLlmServer.ts'
import { syntheticFeature, WORDS } from './testing/syntheticFeatures.ts'

const KEY = 'sk-test-EXPLAINER-9f8e7d6c5b4a39281706'
const features = WORDS.map((_, i) => syntheticFeature(i))

let server: StandInLlmServer
beforeEach(async () => {
  server = await startStandInLlmServer({ apiKey: KEY })
})
afterEach(() => server.close())

const client = (extra: Partial<ChatClientConfig> = {}) => createChatClient({ baseUrl: server.url, model: 'stand-in-1', apiKey: KEY, retryBaseMs: 1, concurrency: 3, ...extra })
const chatRequests = () => server.requests.filter((r) => r.method === 'POST')

describe('explainFeatures', () => {
  it('explains and scores 10 features end to end, in input order, with scores in range', async () => {
    const progress: ExplainProgress[] = []
    const results = await explainFeatures({ features, client: client(), onProgress: (p) => progress.push(p) })
    expect(results.map((r) => r.index)).toEqual(features.map((f) => f.index))
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`feature ${r.index} failed: ${r.error.message}`)
      expect(explanationSchema.parse(r.explanation)).toEqual(r.explanation) // storable as-is in an analysis file
      expect(r.explanation).toMatchObject({ text: `the token "${WORDS[i]}"`, method: 'llm', explainer: 'stand-in-1', prompt_version: LLM_PROMPT_VERSION })
      // The stand-in predicts 10 exactly on the word, which alone activates (with varying strength, so not quite 1).
      expect(r.explanation.score).toBeGreaterThan(0.9)
      expect(r.explanation.score).toBeLessThanOrEqual(1)
      expect(r.explanation.detection).toBe(1)
    })
    expect(chatRequests()).toHaveLength(30) // explain, simulate and detect per feature
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(progress.every((p) => p.total === 10 && p.etaSeconds >= 0)).toBe(true)
    expect(progress.at(-1)!.etaSeconds).toBe(0)
  })

  it('scores a known-good explanation above a wrong one (and the wrong one at chance)', async () => {
    const feature = features[0]!
    const good = await scoreExplanation('the token "bridge"', feature, client())
    const wrong = await scoreExplanation('the token "banana"', feature, client())
    expect(good.score!).toBeGreaterThan(wrong.score!)
    expect(good.detection!).toBeGreaterThan(wrong.detection!)
    expect(wrong).toEqual({ score: 0, detection: 0.5 })
  })

  it('scores on the held-out records only, never the ones the explainer saw', async () => {
    await scoreExplanation('the token "bridge"', features[0]!, client())
    const explained = features[0]!.records.explain.map((r) => r.tokens.join(''))
    for (const req of chatRequests()) for (const text of explained) expect(req.body).not.toContain(JSON.stringify(text).slice(1, -1))
  })

  it('reports a feature that keeps failing with its typed error, and explains the others', async () => {
    server.failWhen(' castle', 500) // only feature 1's records hold this word
    server.failNext([429, 500]) // and two transient failures on the way, retried
    const results = await explainFeatures({ features, client: client({ maxAttempts: 3 }) })
    const failed = results.filter((r) => !r.ok)
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ index: 1, ok: false, error: { code: 'LLM_ENDPOINT' } })
    expect(!failed[0]!.ok && failed[0]!.error.message).toMatch(/HTTP 500.*gave up after 3 attempts/)
    expect(results.filter((r) => r.ok)).toHaveLength(9)
  })

  it('reports an unusable reply as LLM_REPLY for that feature only', async () => {
    server.override = (kind, messages) => (kind === 'explain' && messages.some((m) => m.content.includes(' river')) ? '   ' : undefined)
    const results = await explainFeatures({ features, client: client() })
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'LLM_REPLY' } })
    expect(results.filter((r) => r.ok)).toHaveLength(9)
  })

  it('stops promptly with CancelledError, sending nothing more', async () => {
    server.delayMs = 10_000 // far beyond the test timeout: only a prompt stop passes
    const controller = new AbortController()
    const pending = explainFeatures({ features, client: client(), signal: controller.signal })
    while (chatRequests().length < 3) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(CancelledError)
    const sent = chatRequests().length
    await new Promise((r) => setTimeout(r, 50))
    expect(chatRequests().length).toBe(sent)
    expect(sent).toBe(3) // one explain request per in-flight feature (concurrency 3), no more
  })

  it('keeps the key out of every URL, body, result, error and object, and sends it in Authorization', async () => {
    server.failWhen(' falcon', { status: 400, body: `{"error": {"message": "key ${KEY} is not allowed"}}` })
    const c = client()
    const results = await explainFeatures({ features, client: c })
    expect(results[3]).toMatchObject({ ok: false })
    const everything = JSON.stringify({ results, c }) + inspect({ results, c }, { depth: null, showHidden: true })
    expect(everything).not.toContain(KEY)
    for (const req of chatRequests()) {
      expect(`${req.url} ${req.body}`).not.toContain(KEY)
      expect(req.headers.authorization).toBe(`Bearer ${KEY}`)
    }
  })
})

describe('explanation cache', () => {
  it('builds keys from SAE hash, feature, explainer and prompt version, and reads them back', async () => {
    const saeHash = await sha256Hex(new TextEncoder().encode('weights'))
    expect(saeHash).toMatch(/^[0-9a-f]{64}$/)
    const parts = { saeHash, feature: 3, explainer: 'org/model:"v2"|x', promptVersion: LLM_PROMPT_VERSION }
    expect(parseExplanationCacheKey(explanationCacheKey(parts))).toEqual(parts)
    expect(explanationCacheKey(parts)).not.toBe(explanationCacheKey({ ...parts, promptVersion: 'bills-2023/v2' }))
    expect(explanationCacheKey(parts)).not.toBe(explanationCacheKey({ ...parts, saeHash: '00' }))
    expect(parseExplanationCacheKey('["something", "else"]')).toBeNull()
  })

  it('prevents a second request for a feature already explained', async () => {
    const store = createMemoryExplanationCache()
    const cache = { store, saeHash: 'abc123' }
    const first = await explainFeatures({ features, client: client(), cache })
    expect(store.size).toBe(10)
    const sent = chatRequests().length
    const second = await explainFeatures({ features, client: client(), cache })
    expect(chatRequests().length).toBe(sent)
    expect(second.every((r) => r.ok && r.cached)).toBe(true)
    expect(second.map((r) => r.ok && r.explanation)).toEqual(first.map((r) => r.ok && r.explanation))
    // Negative control: another SAE's hash misses the cache and asks again.
    await explainFeatures({ features: features.slice(0, 1), client: client(), cache: { store, saeHash: 'other' } })
    expect(chatRequests().length).toBe(sent + 3)
  })

  it('does not cache failures', async () => {
    const store = createMemoryExplanationCache()
    server.failWhen(' castle', 400)
    await explainFeatures({ features: features.slice(0, 2), client: client(), cache: { store, saeHash: 'h' } })
    expect(store.size).toBe(1)
  })
})

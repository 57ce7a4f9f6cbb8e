// The app's LLM run against the stand-in server over the committed analysis and fake-indexeddb: ten features are
// explained and scored with a 429 and a 500 retried on the way, results land in the store and in IndexedDB under the
// weights hash, a rerun asks nothing twice, a persistent failure is reported per feature, and the key is in no
// store state or message.
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { startStandInLlmServer, type StandInLlmServer } from '../core/autointerp/llm/testing/standInLlmServer.ts'
import type { SaeSummary } from '../workers/saeProtocol.ts'
import { createAppStore } from './appStore.ts'
import { createExplanationActions } from './explanationActions.ts'
import { createExplorerActions } from './explorerActions.ts'
import { createLlmRunActions } from './llmRunActions.ts'
import type { SaeActions } from './saeActions.ts'
import { publicFetch, TEST_PAGE_URL } from './testing/publicFetch.ts'

const PAGE = TEST_PAGE_URL
const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'
const KEY = 'sk-test-5ecret-key'
const HASH = 'a'.repeat(64)


async function openPage(idb: IDBFactory) {
  const store = createAppStore()
  const explorer = createExplorerActions(store, { saes: {} as SaeActions, pageUrl: PAGE, fetch: publicFetch })
  await explorer.loadIndex()
  await explorer.loadSummary(SAE)
  const summary: SaeSummary = { id: SAE, architecture: 'standard', dIn: 64, dSae: 1024, hookName: 'blocks.2.hook_resid_post', k: null, source: 's', hasSparsity: true, weightsSha256: HASH }
  store.getState().saeLoadSucceeded(summary)
  const explanations = createExplanationActions(store, { indexedDb: idb, dbName: 'llm-test' })
  const llm = createLlmRunActions(store, { explanations, loadFeature: (id, i) => explorer.loadFeature(id, i) })
  await explanations.load(SAE)
  const s = store.getState().explorer.summaries[SAE]!
  const live = s.status === 'ready' ? s.data.features.filter((f) => f.density > 0).map((f) => f.index) : []
  return { store, explanations, llm, live }
}

describe('explainWithLlm', () => {
  let server: StandInLlmServer
  beforeAll(async () => {
    server = await startStandInLlmServer({ apiKey: KEY })
  })
  afterAll(() => server.close())

  it('explains and scores ten features, retrying a 429 and a 500, stores them, and reports a persistent failure', { timeout: 60_000 }, async () => {
    const idb = new IDBFactory()
    const page = await openPage(idb)
    const ten = page.live.slice(0, 10)
    server.failNext([429, 500])
    await page.llm.explainWithLlm({ saeId: SAE, features: ten, baseUrl: server.url, model: 'stand-in-model', apiKey: KEY, concurrency: 2 })
    const run = page.store.getState().explanations.llmRun
    expect(run).toMatchObject({ status: 'done', done: 10, total: 10, explained: 10, cached: 0, failures: [] })
    const chats = server.requests.filter((r) => r.method === 'POST')
    expect(chats).toHaveLength(10 * 3 + 2) // explain, simulate, detect per feature, and the two retried
    const llm = page.store.getState().explanations.bySae[SAE]!.llm
    for (const f of ten) expect(llm[f]).toMatchObject({ method: 'llm', explainer: 'stand-in-model', prompt_version: expect.any(String) as string, score: expect.any(Number) as number })
    // The stand-in names the top tokens, and its simulator fires on them: most explanations predict something.
    expect(ten.filter((f) => (llm[f]!.score ?? 0) > 0.2).length).toBeGreaterThanOrEqual(5)

    // A reload reads them back; a rerun over two more features asks only about those two, which fail every attempt.
    const again = await openPage(idb)
    expect(Object.keys(again.store.getState().explanations.bySae[SAE]!.llm).map(Number).sort((a, b) => a - b)).toEqual(ten)
    const before = server.requests.length
    server.failWhen('', 503)
    await again.llm.explainWithLlm({ saeId: SAE, features: again.live.slice(0, 12), baseUrl: server.url, model: 'stand-in-model', apiKey: KEY })
    const second = again.store.getState().explanations.llmRun
    expect(second).toMatchObject({ status: 'done', done: 12, total: 12, explained: 10, cached: 10 })
    if (second.status !== 'done') return
    expect(second.failures.map((f) => f.feature)).toEqual(again.live.slice(10, 12))
    expect(second.failures[0]!.message).toMatch(/503.*gave up after 4 attempts/)
    expect(server.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(2 * 4) // two explain prompts, four tries each

    // The key went only into Authorization headers: not the store, not a message, not a URL or body.
    expect(JSON.stringify(again.store.getState().explanations)).not.toContain(KEY)
    expect(JSON.stringify(page.store.getState().explanations)).not.toContain(KEY)
    for (const r of server.requests) {
      expect(r.url + r.body).not.toContain(KEY)
      if (r.method === 'POST') expect(r.headers.authorization).toBe(`Bearer ${KEY}`)
    }
  })

  it('cancels: the run stops, says how far it got, and a new run can start', { timeout: 30_000 }, async () => {
    const page = await openPage(new IDBFactory())
    const server = await startStandInLlmServer({ apiKey: KEY, delayMs: 200 }) // its own: the one above fails everything by now
    const done = page.llm.explainWithLlm({ saeId: SAE, features: page.live.slice(20, 40), baseUrl: server.url, model: 'slow-model', apiKey: KEY, concurrency: 1 })
    await expect.poll(() => { const r = page.store.getState().explanations.llmRun; return r.status === 'running' ? r.done : -1 }, { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
    page.llm.cancelLlm()
    await done
    server.delayMs = 0
    onTestFinished(() => server.close())
    const run = page.store.getState().explanations.llmRun
    expect(run.status).toBe('cancelled')
    if (run.status === 'cancelled') expect(run.done).toBeLessThan(20)
    await page.llm.explainWithLlm({ saeId: SAE, features: page.live.slice(20, 21), baseUrl: server.url, model: 'slow-model', apiKey: KEY })
    expect(page.store.getState().explanations.llmRun).toMatchObject({ status: 'done', explained: 1 })
  })

  it('says why it cannot run: an SAE not loaded, a bad URL (without echoing the key)', async () => {
    const page = await openPage(new IDBFactory())
    page.store.getState().saeUnloaded(SAE)
    await page.llm.explainWithLlm({ saeId: SAE, features: [1], baseUrl: server.url, model: 'm', apiKey: KEY })
    expect(page.store.getState().explanations.llmRun).toMatchObject({ status: 'error', message: expect.stringMatching(/not loaded/) as string })
    const other = await openPage(new IDBFactory())
    await other.llm.explainWithLlm({ saeId: SAE, features: [1], baseUrl: `http://127.0.0.1:1/v1?key=${KEY}`, model: 'm', apiKey: KEY })
    const run = other.store.getState().explanations.llmRun
    expect(run.status).toBe('error')
    expect(JSON.stringify(run)).not.toContain(KEY)
  })
})

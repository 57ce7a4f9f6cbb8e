// Explorer actions over the committed precomputed data (served by a fake fetch from public/): the index, a
// summary and the shard of one feature load and validate; a missing or damaged file becomes an error entry.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppStore } from './appStore.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'
import { NOT_ANALYSED, shardKey } from './explorerSlice.ts'
import { WorkerRequestError } from '../workers/client.ts'

const PUBLIC = path.resolve(import.meta.dirname, '../../public')
const PAGE = 'http://app.test/monoscope/'

function publicFetch(overrides: Record<string, Uint8Array | null> = {}): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input)
    const rel = url.slice(PAGE.length)
    if (rel in overrides) return overrides[rel] === null ? new Response('missing', { status: 404 }) : new Response(overrides[rel] as Uint8Array<ArrayBuffer>)
    try {
      return new Response(readFileSync(path.join(PUBLIC, rel)))
    } catch {
      return new Response('missing', { status: 404 })
    }
  }) as typeof fetch
}

const noSaes = {} as SaeActions

describe('explorer actions', () => {
  it('loads the committed index, a summary and a feature page', async () => {
    const store = createAppStore()
    const actions = createExplorerActions(store, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch() })
    const index = await actions.loadIndex()
    expect(index!.saes.length).toBeGreaterThan(0)
    const saeId = index!.saes[0]!.id
    await actions.loadSummary(saeId)
    const summary = store.getState().explorer.summaries[saeId]!
    expect(summary.status).toBe('ready')
    if (summary.status !== 'ready') return
    const last = summary.data.sae.d_sae - 1
    await actions.loadFeature(saeId, last)
    const shard = store.getState().explorer.shards[shardKey(saeId, Math.floor(last / summary.data.shard_size))]!
    expect(shard.status).toBe('ready')
    if (shard.status === 'ready') expect(shard.data.at(-1)!.index).toBe(last)
    await actions.loadMap()
    const map = store.getState().explorer.map!
    expect(map.status).toBe('ready')
    if (map.status === 'ready') expect(map.data.saes.map((s) => s.id)).toContain(saeId)
  })

  it('refuses an analysis file that declares or sends more than the JSON ceiling, before holding it', async () => {
    const store = createAppStore()
    const base = publicFetch()
    // A server that claims 1 TB for the summary, and one that streams 300 MiB of zeros without declaring a length.
    const huge = (declared: boolean): typeof fetch =>
      (async (input: RequestInfo | URL) => {
        if (!String(input).endsWith('summary.json')) return base(input)
        const chunk = new Uint8Array(1 << 20)
        let sent = 0
        const body = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent++ < 300) c.enqueue(chunk)
            else c.close()
          },
        })
        return new Response(body, { headers: declared ? { 'content-length': String(1e12) } : {} })
      }) as typeof fetch
    for (const declared of [true, false]) {
      const actions = createExplorerActions(store, { saes: noSaes, pageUrl: PAGE, fetch: huge(declared) })
      const index = (await actions.loadIndex())!
      store.getState().setSummary(index.saes[0]!.id, { status: 'loading' })
      await actions.loadSummary(index.saes[0]!.id)
      const summary = store.getState().explorer.summaries[index.saes[0]!.id]!
      expect(summary.status).toBe('error')
      if (summary.status === 'error') expect(summary.message).toMatch(/summary\.json.*(larger|more) than|over|limit/i)
    }
  })

  it("loads the probe ceilings of an index SAE's hook, and turns a damaged file into an error entry", async () => {
    const store = createAppStore()
    const actions = createExplorerActions(store, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch() })
    const entry = (await actions.loadIndex())!.saes[0]!
    await actions.loadCeilings(entry.id)
    const file = store.getState().explorer.ceilings[entry.id]!
    expect(file.status).toBe('ready')
    if (file.status === 'ready') {
      expect(file.data.concepts.find((c) => c.name === 'animal')!.held_out).toBeGreaterThan(0.9)
      expect(file.data.concepts.filter((c) => c.represented).length).toBeGreaterThan(10)
    }
    const path = `${entry.path.split('/').slice(0, -1).join('/')}/concept_ceilings.json`
    const bad = JSON.stringify({ ...JSON.parse(readFileSync(PUBLIC + '/' + path, 'utf8')), represented_auroc: 2 })
    const store2 = createAppStore()
    const damaged = createExplorerActions(store2, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch({ [path]: new TextEncoder().encode(bad) }) })
    await damaged.loadIndex()
    await damaged.loadCeilings(entry.id)
    expect(store2.getState().explorer.ceilings[entry.id]).toMatchObject({ status: 'error', code: 'ANALYSIS_FORMAT' })
  })

  it("loads an index SAE's features-vs-neurons table, and turns a damaged one into an error entry", async () => {
    const store = createAppStore()
    const actions = createExplorerActions(store, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch() })
    const index = (await actions.loadIndex())!
    const entry = index.saes[0]!
    await actions.loadNeurons(entry.id)
    const table = store.getState().explorer.neurons[entry.id]!
    expect(table.status).toBe('ready')
    if (table.status === 'ready') {
      expect(table.data.r).toHaveLength(entry.d_sae)
      expect(table.data.r.filter((r) => r !== null).length).toBeGreaterThan(entry.d_sae / 2)
    }
    const path = `${entry.path.split('/').slice(0, -1).join('/')}/neurons/${entry.path.split('/').pop()}.json`
    const bad = JSON.stringify({ ...JSON.parse(readFileSync(PUBLIC + '/' + path, 'utf8')), r: [2] })
    const store2 = createAppStore()
    const damaged = createExplorerActions(store2, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch({ [path]: new TextEncoder().encode(bad) }) })
    await damaged.loadIndex()
    await damaged.loadNeurons(entry.id)
    expect(store2.getState().explorer.neurons[entry.id]).toMatchObject({ status: 'error', code: 'ANALYSIS_FORMAT' })
  })

  it('turns a missing summary and a damaged shard into error entries', async () => {
    const index = JSON.parse(readFileSync(path.join(PUBLIC, 'saes/tinyworld/index.json'), 'utf8')) as { saes: { id: string; analysis: string }[] }
    const entry = index.saes[0]!
    const store = createAppStore()
    const damaged = createExplorerActions(store, {
      saes: noSaes,
      pageUrl: PAGE,
      fetch: publicFetch({ [`${entry.analysis}/features-0000.json.gz`]: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) }),
    })
    await damaged.loadIndex()
    await damaged.loadFeature(entry.id, 0)
    expect(store.getState().explorer.shards[shardKey(entry.id, 0)]).toMatchObject({ status: 'error', code: 'ANALYSIS_FORMAT' })

    const store2 = createAppStore()
    const missing = createExplorerActions(store2, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch({ [`${entry.analysis}/summary.json`]: null }) })
    await missing.loadIndex()
    await missing.loadSummary(entry.id)
    expect(store2.getState().explorer.summaries[entry.id]).toMatchObject({ status: 'error', code: 'SOURCE_NOT_FOUND' })

    const store3 = createAppStore()
    const noIndex = createExplorerActions(store3, { saes: noSaes, pageUrl: PAGE, fetch: publicFetch({ 'saes/tinyworld/index.json': null }) })
    expect(await noIndex.loadIndex()).toBeNull()
    expect(store3.getState().errors.at(-1)).toMatchObject({ code: 'SOURCE_NOT_FOUND', during: 'explorer' })
  })

  it('analyses a loaded SAE without precomputed files: progress, then summary, shards and map in the store; cancel', async () => {
    const store = createAppStore()
    const summary = { sae: { id: 'user/sae' } }
    const map = { format: 'monoscope.feature-map', saes: [{ id: 'user/sae', d_sae: 65 }] }
    const requests: unknown[] = []
    let finish: (() => void) | null = null
    let fail: ((err: unknown) => void) | null = null
    const saes = {
      analyse: (body: unknown, onProgress: (e: { stage: string; fraction: number }) => void) => {
        requests.push(body)
        const done = new Promise((resolve, reject) => {
          onProgress({ stage: 'activations', fraction: 0.4 })
          finish = () => resolve({ type: 'saeAnalysed', saeId: 'user/sae', tokens: 1000, elapsedMs: 5, analysis: { summary, shards: [[{ index: 0 }], [{ index: 64 }]], map } })
          fail = reject
        })
        return { done, stop: async () => fail!(new WorkerRequestError('CANCELLED', 'Analysis cancelled', 'analyseSae')) }
      },
    } as unknown as SaeActions
    const actions = createExplorerActions(store, { saes, pageUrl: PAGE, fetch: publicFetch() })
    await actions.loadIndex()
    store.getState().saeLoadSucceeded({ id: 'user/sae', architecture: 'standard', dIn: 128, dSae: 65, hookName: 'blocks.2.hook_resid_post', k: null, source: 'x', hasSparsity: false })
    store.getState().saeLoadSucceeded({ id: 'other', architecture: 'standard', dIn: 128, dSae: 8, hookName: 'blocks.2.hook_resid_post', k: null, source: 'y', hasSparsity: false })

    // Loaded but not analysed: the explorer is told so (and offers the analysis), rather than a missing-file error.
    await actions.loadSummary('user/sae')
    expect(store.getState().explorer.summaries['user/sae']).toMatchObject({ status: 'error', code: NOT_ANALYSED })
    await actions.loadSummary('never-loaded')
    expect(store.getState().explorer.summaries['never-loaded']).toMatchObject({ status: 'error', code: 'SOURCE_NOT_FOUND' })

    const running = actions.analyse('user/sae', { corpus: { kind: 'world', seed: 3 }, tokens: 1000, map: true })
    expect(store.getState().explorer.analyses['user/sae']).toEqual({ status: 'running', stage: 'activations', fraction: 0.4, tokens: 1000 })
    expect(requests).toEqual([{ saeId: 'user/sae', corpus: { kind: 'world', seed: 3 }, tokens: 1000, map: true, neighbourSaeIds: ['other'] }])
    finish!()
    await running
    const e = store.getState().explorer
    expect(e.analyses['user/sae']).toEqual({ status: 'done', tokens: 1000, elapsedMs: 5 })
    expect(e.summaries['user/sae']).toEqual({ status: 'ready', data: summary })
    expect(e.shards[shardKey('user/sae', 1)]).toEqual({ status: 'ready', data: [{ index: 64 }] })
    expect(e.saeMaps['user/sae']).toBe(map)

    // A stopped analysis is 'cancelled', not an error, and keeps the previous dashboards.
    const again = actions.analyse('user/sae', { corpus: { kind: 'world', seed: 4 }, tokens: 1000, map: false })
    await actions.cancelAnalysis('user/sae')
    await again
    expect(store.getState().explorer.analyses['user/sae']).toEqual({ status: 'cancelled' })
    expect(store.getState().explorer.summaries['user/sae']?.status).toBe('ready')

    store.getState().forgetAnalysis('user/sae')
    const after = store.getState().explorer
    expect(after.summaries['user/sae']).toBeUndefined()
    expect(after.saeMaps['user/sae']).toBeUndefined()
    expect(Object.keys(after.shards).filter((k) => k.startsWith('user/sae#'))).toEqual([])
  })
})

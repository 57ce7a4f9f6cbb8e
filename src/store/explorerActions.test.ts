// Explorer actions over the committed precomputed data (served by a fake fetch from public/): the index, a
// summary and the shard of one feature load and validate; a missing or damaged file becomes an error entry.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppStore } from './appStore.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'
import { shardKey } from './explorerSlice.ts'

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
})

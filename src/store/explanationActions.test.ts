// User explanations over fake-indexeddb and the committed analysis: an edit is scored by the token simulator exactly
// as the file's explanation was, survives a "reload" (a new store and actions on the same database), sticks to its
// SAE's weights hash, and a reset brings back the file's; without IndexedDB the edit lasts the session.
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import type { ExplanationRecord } from '../core/analysis/format.ts'
import type { SaeSummary } from '../workers/saeProtocol.ts'
import { createAppStore, type AppStore } from './appStore.ts'
import { createExplanationActions } from './explanationActions.ts'
import { newestLlmExplanations, openExplanationDb, userExplanationsFor, type ExplanationDb, type UserExplanationEntry } from './explanationDb.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'
import { publicFetch, TEST_PAGE_URL } from './testing/publicFetch.ts'

const PAGE = TEST_PAGE_URL
const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'
/** The planted bridge's feature in the committed standard-1024 (explorer.spec.ts finds it by concept search). */
const BRIDGE = 444


/** A fresh "page": store, explorer data for the bridge feature, and explanation actions on `idb`. */
async function openPage(idb: IDBFactory | null, hash?: string, wrapDb?: (db: ExplanationDb) => ExplanationDb) {
  const store = createAppStore()
  const explorer = createExplorerActions(store, { saes: {} as SaeActions, pageUrl: PAGE, fetch: publicFetch })
  await explorer.loadIndex()
  await explorer.loadFeature(SAE, BRIDGE)
  if (hash !== undefined) loadSae(store, hash)
  const explanations = createExplanationActions(store, { indexedDb: idb, dbName: 'test-explanations', wrapDb })
  await explanations.load(SAE)
  return { store, explanations, user: () => store.getState().explanations.bySae[SAE]?.user[BRIDGE] }
}

function loadSae(store: AppStore, hash: string) {
  const summary: SaeSummary = { id: SAE, architecture: 'standard', dIn: 64, dSae: 1024, hookName: 'blocks.2.hook_resid_post', k: null, source: 's', hasSparsity: true, weightsSha256: hash }
  store.getState().saeLoadSucceeded(summary)
}

function fileExplanation(store: AppStore): ExplanationRecord {
  const summary = store.getState().explorer.summaries[SAE]!
  if (summary.status !== 'ready') throw new Error('summary not loaded')
  const shard = store.getState().explorer.shards[`${SAE}#${Math.floor(BRIDGE / summary.data.shard_size)}`]!
  if (shard.status !== 'ready') throw new Error('shard not loaded')
  return shard.data[BRIDGE % summary.data.shard_size]!.explanation!
}

describe('user explanations', () => {
  it('are scored by the token simulator as the file was, survive a reload and reset to the file', async () => {
    const idb = new IDBFactory()
    const first = await openPage(idb)
    const file = fileExplanation(first.store)
    expect(file.score).toBeGreaterThan(0.5)
    // The file's own text, typed by hand, gets the file's score: one scorer for both.
    await first.explanations.saveUser(SAE, BRIDGE, `  ${file.text} `)
    expect(first.user()).toMatchObject({ text: file.text, method: 'user', score: file.score, detection: file.detection })
    // Prose outside the «token» grammar predicts nothing: score 0 (until an LLM scores it).
    await first.explanations.saveUser(SAE, BRIDGE, 'the Golden Arc Bridge in Velari')
    expect(first.user()).toMatchObject({ text: 'the Golden Arc Bridge in Velari', score: 0 })

    const second = await openPage(idb)
    expect(second.user()?.text).toBe('the Golden Arc Bridge in Velari')
    await second.explanations.resetUser(SAE, BRIDGE)
    expect(second.user()).toBeUndefined()
    const third = await openPage(idb)
    expect(third.user()).toBeUndefined()
    expect(third.store.getState().explanations.storageError).toBeNull()
  })

  it("stick to the SAE's weights hash once it is known", async () => {
    const idb = new IDBFactory()
    const a = await openPage(idb, 'hash-a')
    await a.explanations.saveUser(SAE, BRIDGE, '«Bridge»')
    expect((await openPage(idb, 'hash-a')).user()?.text).toBe('«Bridge»')
    expect((await openPage(idb)).user()?.text).toBe('«Bridge»') // hash not known yet: shown
    expect((await openPage(idb, 'hash-b')).user()).toBeUndefined() // retrained weights under the same id: not shown
    // A hash arriving after the first read reads again.
    const late = await openPage(idb, 'hash-b')
    loadSae(late.store, 'hash-a')
    await late.explanations.load(SAE)
    expect(late.user()?.text).toBe('«Bridge»')
  })

  it('are not undone by a read that races their write (the hash arriving mid-save)', async () => {
    // Writes wait for a gate, so the read triggered by the arriving hash finishes first, deterministically.
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const held = (db: ExplanationDb): ExplanationDb => ({ ...db, putUser: async (e) => (await gate, db.putUser(e)), deleteUser: async (id, f) => (await gate, db.deleteUser(id, f)) })
    const page = await openPage(new IDBFactory(), undefined, held)
    const saving = page.explanations.saveUser(SAE, BRIDGE, '«Golden»')
    loadSae(page.store, 'hash-late')
    await page.explanations.load(SAE)
    expect(page.user()?.text).toBe('«Golden»')
    open()
    await saving
    const resetting = page.explanations.resetUser(SAE, BRIDGE)
    loadSae(page.store, 'hash-later')
    await page.explanations.load(SAE)
    expect(page.user()).toBeUndefined()
    await resetting
  })

  it('last the session without IndexedDB, and say so', async () => {
    const page = await openPage(null)
    await page.explanations.saveUser(SAE, BRIDGE, '«Arc»')
    expect(page.user()?.text).toBe('«Arc»')
    expect(page.store.getState().explanations.storageError).toMatch(/IndexedDB/)
  })
})

describe('choosing stored explanations', () => {
  const rec = (text: string): ExplanationRecord => ({ text, method: 'user', score: null })
  const entry = (feature: number, saeHash: string | null, savedAt: number, text: string): UserExplanationEntry => ({ saeId: 's', saeHash, feature, savedAt, explanation: rec(text) })

  it('takes the newest applicable user entry per feature', () => {
    const entries = [entry(1, null, 1, 'old'), entry(1, 'h', 2, 'new'), entry(1, 'other', 3, 'foreign'), entry(2, null, 1, 'two')]
    expect(userExplanationsFor(entries, 'h')).toEqual({ 1: rec('new'), 2: rec('two') })
    expect(userExplanationsFor(entries, null)).toEqual({ 1: rec('foreign'), 2: rec('two') })
    expect(userExplanationsFor(entries, 'x')).toEqual({ 1: rec('old'), 2: rec('two') })
  })

  it('keeps LLM entries by key and returns the newest per feature', async () => {
    const db = await openExplanationDb(new IDBFactory())
    const llm = (key: string, feature: number, savedAt: number, text: string) => ({ key, saeHash: 'h', feature, savedAt, explanation: { ...rec(text), method: 'llm' } })
    await db.putLlm(llm('a', 3, 1, 'by model a'))
    await db.putLlm(llm('b', 3, 2, 'by model b'))
    await db.putLlm({ ...llm('c', 3, 9, 'other SAE'), saeHash: 'g' })
    expect((await db.getLlm('a'))?.explanation.text).toBe('by model a')
    expect(await db.getLlm('zz')).toBeNull()
    expect(newestLlmExplanations(await db.llmFor('h'))[3]?.text).toBe('by model b')
  })
})

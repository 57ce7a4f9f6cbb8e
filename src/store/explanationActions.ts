// Explanations the user writes (kept in IndexedDB, scored with the offline token simulator on held-out records) and
// reading them, with LLM explanations, back for an SAE. Storage failures never lose an edit for this session.
import type { ExplanationRecord } from '../core/analysis/format.ts'
import { scoreTextOffline } from '../core/autointerp/offlineExplainer.ts'
import { featureRecords, type FeatureRecords } from '../core/autointerp/records.ts'
import type { AppStore } from './appStore.ts'
import { newestLlmExplanations, openExplanationDb, userExplanationsFor, type ExplanationDb } from './explanationDb.ts'
import { shardKey } from './explorerSlice.ts'

export interface ExplanationActions {
  /** Reads the SAE's user and LLM explanations (again when its weights hash becomes known). */
  load(saeId: string): Promise<void>
  /** Saves the user's explanation of a feature, scored by the token-pattern simulator; empty text resets it. */
  saveUser(saeId: string, feature: number, text: string): Promise<void>
  /** Removes the user's explanation: the feature shows the LLM's or the file's again. */
  resetUser(saeId: string, feature: number): Promise<void>
  /** The feature's explain / held-out records, when its shard is in the store. */
  recordsOf(saeId: string, feature: number): FeatureRecords | null
  /** The SAE's weights hash when the worker computed one, else null. */
  hashOf(saeId: string): string | null
  /**
   * What LLM explanations of the SAE are keyed on: its weights hash; for a loaded SAE without one (no WebCrypto),
   * its id; null while the SAE is not loaded (its hash is not known yet).
   */
  llmHashOf(saeId: string): string | null
  /** The database, opened on first use; null without IndexedDB (storageError says why). */
  db(): Promise<ExplanationDb | null>
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))

export function createExplanationActions(
  store: AppStore,
  opts: { indexedDb: IDBFactory | null; dbName?: string; /** Wraps the opened database (tests hold writes back with it). */ wrapDb?: (db: ExplanationDb) => ExplanationDb },
): ExplanationActions {
  const get = store.getState
  let dbPromise: Promise<ExplanationDb | null> | null = null
  /** [saeId, hash, llmHash] read already: a hash arriving later reads again (edits made under it may exist). */
  const loadedFor = new Set<string>()
  /**
   * This session's edits and resets by SAE and feature, laid over every read: a read that raced a write (the SAE's
   * hash arrived while an edit was being stored) must not undo it. null: reset.
   */
  const sessionEdits = new Map<string, Map<number, { saeHash: string | null; explanation: ExplanationRecord | null }>>()
  const edit = (saeId: string, feature: number, explanation: ExplanationRecord | null) => {
    const edits = sessionEdits.get(saeId) ?? new Map()
    edits.set(feature, { saeHash: hashOf(saeId), explanation })
    sessionEdits.set(saeId, edits)
    get().setFeatureExplanation(saeId, 'user', feature, explanation)
  }

  const db = (): Promise<ExplanationDb | null> => {
    dbPromise ??= (async () => {
      if (!opts.indexedDb) {
        get().setExplanationStorageError('This browser offers no IndexedDB: edits last until the page is closed')
        return null
      }
      try {
        const db = await openExplanationDb(opts.indexedDb, opts.dbName)
        return opts.wrapDb ? opts.wrapDb(db) : db
      } catch (err) {
        get().setExplanationStorageError(`Explanations cannot be stored (${messageOf(err)}): edits last until the page is closed`)
        return null
      }
    })()
    return dbPromise
  }

  const hashOf = (saeId: string): string | null => get().saes.loaded[saeId]?.weightsSha256 ?? null
  const llmHashOf = (saeId: string): string | null => {
    const loaded = get().saes.loaded[saeId]
    return loaded ? (loaded.weightsSha256 ?? `sae-id:${saeId}`) : null
  }

  const persist = async (task: (d: ExplanationDb) => Promise<void>) => {
    const d = await db()
    if (!d) return
    try {
      await task(d)
    } catch (err) {
      get().setExplanationStorageError(`Could not store the explanation (${messageOf(err)}): it lasts until the page is closed`)
    }
  }

  const api: ExplanationActions = {
    db,
    hashOf,
    llmHashOf,
    async load(saeId) {
      const hash = hashOf(saeId)
      const llmHash = llmHashOf(saeId)
      const key = JSON.stringify([saeId, hash, llmHash])
      if (loadedFor.has(key)) return
      loadedFor.add(key)
      const d = await db()
      if (!d) return
      try {
        const [user, llm] = await Promise.all([d.userFor(saeId), llmHash === null ? Promise.resolve([]) : d.llmFor(llmHash)])
        if (hashOf(saeId) !== hash || llmHashOf(saeId) !== llmHash) return // a newer hash's read takes over
        const mine = userExplanationsFor(user, hash)
        // This session's edits are newer than anything read; they apply as stored ones do (same hash, or none known).
        for (const [feature, e] of sessionEdits.get(saeId) ?? []) {
          // A reset dropped the feature's entries under every hash; an edit applies as a stored one would.
          if (e.explanation === null) delete mine[feature]
          else if (hash === null || e.saeHash === null || e.saeHash === hash) mine[feature] = e.explanation
        }
        // LLM results that arrived while this read ran are in the store already.
        const held = get().explanations.bySae[saeId]
        get().setSaeExplanations(saeId, { hash, user: mine, llm: { ...newestLlmExplanations(llm), ...(held?.hash === hash ? held.llm : {}) } })
      } catch (err) {
        loadedFor.delete(key)
        get().setExplanationStorageError(`Could not read stored explanations (${messageOf(err)})`)
      }
    },
    recordsOf(saeId, feature) {
      const summary = get().explorer.summaries[saeId]
      if (summary?.status !== 'ready') return null
      const shard = get().explorer.shards[shardKey(saeId, Math.floor(feature / summary.data.shard_size))]
      const page = shard?.status === 'ready' ? shard.data[feature % summary.data.shard_size] : undefined
      return page && page.index === feature ? featureRecords(page, summary.data) : null
    },
    async saveUser(saeId, feature, text) {
      const trimmed = text.trim()
      if (trimmed === '') return api.resetUser(saeId, feature)
      const records = api.recordsOf(saeId, feature)
      const scores = records ? scoreTextOffline(trimmed, records) : { score: null, detection: null }
      const explanation: ExplanationRecord = { text: trimmed, method: 'user', ...scores, explainer: 'user' }
      const saeHash = hashOf(saeId)
      edit(saeId, feature, explanation)
      await persist((d) => d.putUser({ saeId, saeHash, feature, explanation, savedAt: Date.now() }))
    },
    async resetUser(saeId, feature) {
      edit(saeId, feature, null)
      await persist((d) => d.deleteUser(saeId, feature))
    },
  }
  return api
}

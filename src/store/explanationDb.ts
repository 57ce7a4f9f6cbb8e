// Explanations kept in the browser's IndexedDB: the user's own (edited on a dashboard) and those an LLM wrote, so
// both survive a reload. Raw IndexedDB as in workers/trainingDb.ts; the factory is passed in (fake-indexeddb in tests).
import type { ExplanationRecord } from '../core/analysis/format.ts'
import { done, promised } from '../workers/idbPromises.ts'

/** A user's explanation of one feature. `saeHash` is the SAE's weights digest when it was known at the edit. */
export interface UserExplanationEntry {
  saeId: string
  saeHash: string | null
  feature: number
  explanation: ExplanationRecord
  savedAt: number
}

/** An LLM's explanation under its cache key (SAE weights hash, feature, explainer, prompt version). */
export interface LlmExplanationEntry {
  key: string
  saeHash: string
  feature: number
  explanation: ExplanationRecord
  savedAt: number
}

export interface ExplanationDb {
  /** Every user explanation saved for this SAE id, whatever its hash (userExplanationsFor picks). */
  userFor(saeId: string): Promise<UserExplanationEntry[]>
  putUser(entry: UserExplanationEntry): Promise<void>
  /** Drops the user's explanations of `feature` of `saeId` (under every hash). */
  deleteUser(saeId: string, feature: number): Promise<void>
  llmFor(saeHash: string): Promise<LlmExplanationEntry[]>
  getLlm(key: string): Promise<LlmExplanationEntry | null>
  putLlm(entry: LlmExplanationEntry): Promise<void>
}

const DB_NAME = 'monoscope-explanations'
const USER = 'user'
const LLM = 'llm'
const BY_SAE = 'saeId'
const BY_HASH = 'saeHash'

/** One record per (SAE id, hash, feature): a JSON array, so no id can collide with another's separator. */
const userKey = (e: Pick<UserExplanationEntry, 'saeId' | 'saeHash' | 'feature'>): string => JSON.stringify([e.saeId, e.saeHash, e.feature])

export async function openExplanationDb(factory: IDBFactory, name = DB_NAME): Promise<ExplanationDb> {
  const open = factory.open(name, 1)
  open.onupgradeneeded = () => {
    const db = open.result
    db.createObjectStore(USER, { keyPath: 'key' }).createIndex(BY_SAE, BY_SAE)
    db.createObjectStore(LLM, { keyPath: 'key' }).createIndex(BY_HASH, BY_HASH)
  }
  const db = await promised(open)
  const strip = <T extends { key?: string }>(row: T): Omit<T, 'key'> => {
    const { key: _key, ...rest } = row
    return rest
  }
  return {
    async userFor(saeId) {
      const rows = (await promised(db.transaction(USER, 'readonly').objectStore(USER).index(BY_SAE).getAll(saeId))) as (UserExplanationEntry & { key: string })[]
      return rows.map(strip)
    },
    async putUser(entry) {
      const tx = db.transaction(USER, 'readwrite')
      tx.objectStore(USER).put({ ...entry, key: userKey(entry) })
      await done(tx)
    },
    async deleteUser(saeId, feature) {
      const tx = db.transaction(USER, 'readwrite')
      const store = tx.objectStore(USER)
      const rows = (await promised(store.index(BY_SAE).getAll(saeId))) as (UserExplanationEntry & { key: string })[]
      for (const row of rows) if (row.feature === feature) store.delete(row.key)
      await done(tx)
    },
    async llmFor(saeHash) {
      return (await promised(db.transaction(LLM, 'readonly').objectStore(LLM).index(BY_HASH).getAll(saeHash))) as LlmExplanationEntry[]
    },
    async getLlm(key) {
      return ((await promised(db.transaction(LLM, 'readonly').objectStore(LLM).get(key))) as LlmExplanationEntry | undefined) ?? null
    },
    async putLlm(entry) {
      const tx = db.transaction(LLM, 'readwrite')
      tx.objectStore(LLM).put(entry)
      await done(tx)
    },
  }
}

/**
 * The user explanation that applies to each feature of an SAE whose weights hash is `saeHash` (null: not known yet):
 * one saved under that hash, or under none (made before the hash was known); while the hash is unknown, any. The
 * newest wins. So an edit never sticks to a retrained SAE that kept the id, yet shows before the SAE has loaded.
 */
export function userExplanationsFor(entries: readonly UserExplanationEntry[], saeHash: string | null): Record<number, ExplanationRecord> {
  const best = new Map<number, UserExplanationEntry>()
  for (const e of entries) {
    if (saeHash !== null && e.saeHash !== null && e.saeHash !== saeHash) continue
    const held = best.get(e.feature)
    if (!held || e.savedAt > held.savedAt) best.set(e.feature, e)
  }
  return Object.fromEntries([...best].map(([feature, e]) => [feature, e.explanation]))
}

/** The newest LLM explanation of each feature (several explainers or prompt versions may have explained it). */
export function newestLlmExplanations(entries: readonly LlmExplanationEntry[]): Record<number, ExplanationRecord> {
  const best = new Map<number, LlmExplanationEntry>()
  for (const e of entries) {
    const held = best.get(e.feature)
    if (!held || e.savedAt > held.savedAt) best.set(e.feature, e)
  }
  return Object.fromEntries([...best].map(([feature, e]) => [feature, e.explanation]))
}

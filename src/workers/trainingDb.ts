// Training runs in IndexedDB: one record per run (settings, status, log so far: small JSON), its latest checkpoint
// (safetensors bytes) and, once finished, its SAELens files. A record and its checkpoint are written in one
// transaction, so a reload mid-write never pairs a log with another step's weights. Raw IndexedDB (no wrapper):
// four calls' worth of API. Workers own it (the main thread asks the training worker).
import type { TrainedAnalysis, TrainingFile, TrainingRunSummary } from './trainingProtocol.ts'
import { done, promised } from './idbPromises.ts'

/**
 * What is stored of a run: its summary as last saved (the live fields — speed, ETA, prepare — are not kept, and
 * whether it has a checkpoint is the checkpoint store's to say). Records saved before `analysed` existed lack it.
 */
export type RunRecord = Omit<TrainingRunSummary, 'tokensPerSecond' | 'etaSeconds' | 'prepare' | 'hasCheckpoint'>

export interface RunResult {
  files: TrainingFile[]
  analysis: TrainedAnalysis | null
}

export interface RunDb {
  list(): Promise<RunRecord[]>
  get(runId: string): Promise<RunRecord | null>
  /** Saves the record, and the checkpoint when given, atomically. */
  put(record: RunRecord, checkpoint?: Uint8Array): Promise<void>
  checkpoint(runId: string): Promise<Uint8Array | null>
  /** Whether a checkpoint is saved, without reading it. */
  hasCheckpoint(runId: string): Promise<boolean>
  /** Saves the record and drops its checkpoint and result, atomically: a restart never pairs new with old. */
  reset(record: RunRecord): Promise<void>
  /** Saves the record with the finished SAE's files and dashboards, and drops the checkpoint (the SAE is the result). */
  finish(record: RunRecord, result: RunResult): Promise<void>
  result(runId: string): Promise<RunResult | null>
  delete(runId: string): Promise<void>
}

const DB_NAME = 'monoscope-training'
const RUNS = 'runs'
const CHECKPOINTS = 'checkpoints'
const RESULTS = 'results'

/** Opens (creating on first use) the runs database of `factory` (the worker's indexedDB; fake-indexeddb in tests). */
export async function openRunDb(factory: IDBFactory, name = DB_NAME): Promise<RunDb> {
  const open = factory.open(name, 1)
  open.onupgradeneeded = () => {
    const db = open.result
    db.createObjectStore(RUNS, { keyPath: 'runId' })
    db.createObjectStore(CHECKPOINTS)
    db.createObjectStore(RESULTS)
  }
  const db = await promised(open)
  const tx = (stores: string[], mode: IDBTransactionMode) => db.transaction(stores, mode)
  return {
    async list() {
      const t = tx([RUNS], 'readonly')
      const all = (await promised(t.objectStore(RUNS).getAll())) as RunRecord[]
      return all.sort((a, b) => b.createdAt - a.createdAt)
    },
    async get(runId) {
      return ((await promised(tx([RUNS], 'readonly').objectStore(RUNS).get(runId))) as RunRecord | undefined) ?? null
    },
    async put(record, checkpoint) {
      const t = tx([RUNS, CHECKPOINTS], 'readwrite')
      t.objectStore(RUNS).put(record)
      if (checkpoint) t.objectStore(CHECKPOINTS).put(checkpoint, record.runId)
      await done(t)
    },
    async checkpoint(runId) {
      return ((await promised(tx([CHECKPOINTS], 'readonly').objectStore(CHECKPOINTS).get(runId))) as Uint8Array | undefined) ?? null
    },
    async hasCheckpoint(runId) {
      return (await promised(tx([CHECKPOINTS], 'readonly').objectStore(CHECKPOINTS).count(runId))) > 0
    },
    async reset(record) {
      const t = tx([RUNS, CHECKPOINTS, RESULTS], 'readwrite')
      t.objectStore(RUNS).put(record)
      t.objectStore(CHECKPOINTS).delete(record.runId)
      t.objectStore(RESULTS).delete(record.runId)
      await done(t)
    },
    async finish(record, result) {
      const t = tx([RUNS, CHECKPOINTS, RESULTS], 'readwrite')
      t.objectStore(RUNS).put(record)
      t.objectStore(RESULTS).put(result, record.runId)
      t.objectStore(CHECKPOINTS).delete(record.runId)
      await done(t)
    },
    async result(runId) {
      return ((await promised(tx([RESULTS], 'readonly').objectStore(RESULTS).get(runId))) as RunResult | undefined) ?? null
    },
    async delete(runId) {
      const t = tx([RUNS, CHECKPOINTS, RESULTS], 'readwrite')
      for (const store of [RUNS, CHECKPOINTS, RESULTS]) t.objectStore(store).delete(runId)
      await done(t)
    },
  }
}

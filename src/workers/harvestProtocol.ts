// Messages between the training worker and its harvest workers (harvestWorkers.ts, harvestWorker.ts).
import type { BackendName } from '../core/backend/backend.ts'
import type { HookName } from '../core/model/hookNames.ts'

export type HarvestWorkerRequest =
  | { type: 'init'; source: string; hubEndpoint: string | undefined; backend: BackendName; hook: HookName; skipBos: boolean }
  | { type: 'pass'; id: number; windows: number[][] }

export type HarvestWorkerResponse =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; data: Float32Array }
  | { type: 'error'; id: number; message: string }

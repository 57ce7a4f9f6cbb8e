// A harvest worker: its own copy of the training model, on one WASM thread, running the activation store's forward
// passes for the training worker (harvestWorkers.ts) so that harvesting uses every core. One pass at a time.
import { selectBackend } from '../core/backend/backend.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'
import type { HookName } from '../core/model/hookNames.ts'
import { loadModel } from '../core/model/load.ts'
import { windowActivationData } from '../core/sae/activationStore.ts'
import { resolveSource } from '../core/sources/index.ts'
import type { HarvestWorkerRequest, HarvestWorkerResponse } from './harvestProtocol.ts'
import { configureWasmPaths } from './wasmAssets.ts'

declare const self: DedicatedWorkerGlobalScope

let loaded: { model: HookedModel; hook: HookName; skipBos: boolean } | null = null
let queue: Promise<void> = Promise.resolve()

const post = (response: HarvestWorkerResponse, transfer: Transferable[] = []) => self.postMessage(response, transfer)
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

async function handle(request: HarvestWorkerRequest): Promise<void> {
  if (request.type === 'init') {
    try {
      await configureWasmPaths(1) // one thread each: the training worker starts one harvest worker per core
      await selectBackend([request.backend])
      const { model } = await loadModel(resolveSource(request.source, { hubEndpoint: request.hubEndpoint }))
      loaded = { model, hook: request.hook, skipBos: request.skipBos }
      post({ type: 'ready' })
    } catch (err) {
      post({ type: 'failed', message: message(err) })
    }
    return
  }
  try {
    if (!loaded) throw new Error('this harvest worker has no model yet')
    const data = await windowActivationData(loaded.model, loaded.hook, request.windows, { skipFirst: loaded.skipBos }) // [rows·dIn]
    post({ type: 'result', id: request.id, data }, [data.buffer])
  } catch (err) {
    post({ type: 'error', id: request.id, message: message(err) })
  }
}

self.onmessage = (event: MessageEvent<HarvestWorkerRequest>) => {
  queue = queue.then(() => handle(event.data))
}

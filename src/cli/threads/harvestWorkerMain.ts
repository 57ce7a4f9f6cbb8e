// The body of a harvest worker thread: loads the model itself (from the same SRC as the command), then runs one
// forward pass per request and returns the hook's activations (activationStore.ts's windowActivations).
import { workerData } from 'node:worker_threads'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import type { HookName } from '../../core/model/hookNames.ts'
import { windowActivationData } from '../../core/sae/activationStore.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { ownedBuffers, serveRequests } from './workerServe.ts'

export interface HarvestWorkerData {
  modelSpec: string | undefined
  hook: HookName
  skipBos: boolean
}

const { modelSpec, hook, skipBos } = workerData as HarvestWorkerData
let model: HookedModel

await serveRequests<number[][], Float32Array>(
  async () => {
    model = (await loadModelFromSpec(modelSpec)).model
  },
  async (windows) => {
    const data = await windowActivationData(model, hook, windows, { skipFirst: skipBos }) // [rows·dIn]
    return { result: data, transfer: ownedBuffers([data]) }
  },
)

// The training worker. A worker of its own, with its own copy of the model, rather than the model worker: a
// training step holds the thread for tens of milliseconds and a run for minutes, and the model worker runs one
// task at a time, so training there would stall generation, the inspector and steering for the whole run. The
// copy costs one more model load (TinyWorld: 2 MB); finished SAEs go to the model worker as SAELens files.
import { assertNever, serializeError } from '../core/errors.ts'
import { describeBackend } from './backendInfo.ts'
import { startHarvestWorkers } from './harvestWorkers.ts'
import { openRunDb } from './trainingDb.ts'
import type { TrainingRequest, TrainingResponse } from './trainingProtocol.ts'
import { TrainingSession } from './trainingSession.ts'
import { configureOnnxRuntime } from './ortAssets.ts'
import { configureWasmPaths } from './wasmAssets.ts'
import { yieldToEvents } from './yieldToEvents.ts'

declare const self: DedicatedWorkerGlobalScope


const session = new TrainingSession({ openDb: () => openRunDb(self.indexedDB), describeBackend, yieldToEvents, passRunner: startHarvestWorkers })

function post(response: TrainingResponse): void {
  self.postMessage(response)
}

async function handle(request: TrainingRequest): Promise<TrainingResponse> {
  // Any request may start a backend (a resume loads the run's own model), so always; it runs once.
  await configureWasmPaths()
  configureOnnxRuntime() // SAEs train on ONNX models too: activations come from onnxruntime-web
  switch (request.type) {
    case 'loadTrainingModel':
      return session.loadModel(request)
    case 'listRuns':
      return session.listRuns(request)
    case 'startRun':
      return session.start(request, post)
    case 'resumeRun':
      return session.resume(request, post)
    case 'restartRun':
      return session.restart(request, post)
    case 'pauseRun':
    case 'cancelRun':
    case 'deleteRun':
      return session.control(request)
    case 'exportRun':
      return session.exportRun(request)
    case 'runFiles':
      return session.runFiles(request)
    case 'runAnalysis':
      return session.runAnalysis(request)
    default:
      return assertNever(request)
  }
}

self.addEventListener('message', (event: MessageEvent<TrainingRequest>) => {
  const request = event.data
  handle(request).then(post, (err: unknown) => {
    const { code, message } = serializeError(err)
    if (code === 'UNKNOWN') console.error('[monoscope training worker]', err)
    post({ type: 'error', requestId: request?.requestId ?? null, code, message })
  })
})

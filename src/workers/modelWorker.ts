// The model worker: the only place in the browser that holds tensors. It reads requests, runs them on a
// ModelSession and posts typed replies; every failure becomes an 'error' reply for its request.
import { assertNever, serializeError } from '../core/errors.ts'
import { AnalysisSession } from './analysisSession.ts'
import { describeBackend } from './backendInfo.ts'
import { ModelSession } from './modelSession.ts'
import { SaeSession } from './saeSession.ts'
import { SteeringSession } from './steeringSession.ts'
import type { WorkerRequest, WorkerResponse } from './protocol.ts'
import { configureOnnxRuntime } from './ortAssets.ts'
import { configureWasmPaths } from './wasmAssets.ts'
import { yieldToEvents } from './yieldToEvents.ts'

declare const self: DedicatedWorkerGlobalScope


const session = new ModelSession({ describeBackend, yieldToEvents })
const saes = new SaeSession(session)
const steering = new SteeringSession(session, saes, yieldToEvents)
const analysis = new AnalysisSession(session, saes)

function post(response: WorkerResponse): void {
  self.postMessage(response)
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.type) {
    case 'loadModel':
      await configureWasmPaths(request.wasmThreads) // 'auto' may fall back to WASM, so always
      configureOnnxRuntime(request.wasmThreads) // an ONNX export runs on onnxruntime-web; hooks and SAEs still run on tfjs
      return session.load(request, post)
    case 'tokenize':
      return session.tokenize(request)
    case 'generate':
      return session.generate(request, post)
    case 'stop':
      steering.stop(request.target)
      analysis.stop(request.target)
      return session.stop(request)
    case 'loadSae':
      return saes.load(request, post)
    case 'unloadSae':
      return saes.unload(request)
    case 'encodePrompt':
      return saes.encodePrompt(request)
    case 'attribute':
      return saes.attribute(request)
    case 'contrast':
      return saes.contrast(request)
    case 'steer':
      return steering.steer(request, post)
    case 'analyseSae':
      return analysis.analyse(request, post)
    default:
      return assertNever(request)
  }
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data
  handle(request).then(post, (err: unknown) => {
    const { code, message } = serializeError(err)
    if (code === 'UNKNOWN') console.error('[monoscope worker]', err) // keep the stack of unexpected errors
    post({ type: 'error', requestId: request?.requestId ?? null, code, message })
  })
})

self.addEventListener('messageerror', () => {
  post({ type: 'error', requestId: null, code: 'WORKER', message: 'The worker could not read a message' })
})

// One line on the model in use: its shape and how long it took to load.
import { sourceLabel } from '../../store/index.ts'
import { useAppState } from '../appContext.tsx'

/** 'tfjs (webgpu)' or 'onnxruntime-web (wasm, 2 threads) from onnx/model_fp16.onnx': the engine, where it computes, which weights. */
function engineLabel(engine: { kind: string; executionProvider: string; weightsFile: string }): string {
  return engine.kind === 'onnx' ? `${engine.executionProvider} from ${engine.weightsFile}` : `tfjs (${engine.executionProvider})`
}

export function ModelStatusLine() {
  const loaded = useAppState((s) => s.model.loaded)
  const status = useAppState((s) => s.model.status)
  const loadingSource = useAppState((s) => s.model.loadingSource)
  let text: string
  if (status === 'loading') text = `Loading ${loadingSource ? sourceLabel(loadingSource) : ''}…${loaded ? ` (${sourceLabel(loaded.summary.source)} stays usable until then)` : ''}`
  else if (loaded) {
    const m = loaded.summary
    text = `${sourceLabel(m.source)}: ${m.family} on ${engineLabel(m.engine)} · ${m.nLayers} layers · d_model ${m.dModel} · context ${m.nCtx} · vocabulary ${m.vocabSize} · loaded in ${(loaded.loadMs / 1000).toFixed(1)} s`
  } else text = 'No model loaded.'
  return (
    <p className="status" data-testid="loader.status" data-status={status}>
      {text}
    </p>
  )
}

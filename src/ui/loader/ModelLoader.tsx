// Chooses and loads a model: the embedded TinyWorld by default, or a folder URL or Hub repo typed in.
import { useId, type FormEvent } from 'react'
import { DEFAULT_MODEL_SOURCE } from '../../store/index.ts'
import { ONNX_VARIANT_NAMES, parseOnnxVariant, type OnnxVariantName } from '../../workers/protocol.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { DownloadProgress } from './DownloadProgress.tsx'
import { ModelStatusLine } from './ModelStatusLine.tsx'

const VARIANT_LABELS: Record<OnnxVariantName, string> = {
  fp32: 'fp32 (model.onnx)',
  fp16: 'fp16 (model_fp16.onnx)',
  q8: 'q8 (model_quantized.onnx)',
  int8: 'int8 (model_int8.onnx)',
  q4: 'q4 (model_q4.onnx)',
}

export function ModelLoader() {
  const id = useId()
  const sourceInput = useAppState((s) => s.model.sourceInput)
  const loading = useAppState((s) => s.model.status === 'loading')
  const onnxVariant = useAppState((s) => s.model.onnxVariant)
  const actions = useActions()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void actions.loadModel()
  }

  return (
    <section className="panel loader" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Model</h2>
      <form className="loader-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={`${id}-source`}>Model source</label>
          <input
            id={`${id}-source`}
            data-testid="loader.source"
            value={sourceInput}
            onChange={(event) => actions.setSourceInput(event.target.value)}
            placeholder={`${DEFAULT_MODEL_SOURCE}, https://…/model or hf:owner/name`}
            aria-describedby={`${id}-help`}
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-dtype`}>ONNX weights</label>
          <select
            id={`${id}-dtype`}
            data-testid="loader.dtype"
            value={onnxVariant}
            onChange={(event) => actions.setOnnxVariant(parseOnnxVariant(event.target.value) ?? 'fp32')}
            title="Which file of an ONNX export to load, by transformers.js's dtype names; safetensors models ignore it"
          >
            {ONNX_VARIANT_NAMES.map((name) => (
              <option key={name} value={name}>
                {VARIANT_LABELS[name]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" data-testid="loader.load" disabled={loading || sourceInput.trim() === ''}>
          {loading ? 'Loading…' : 'Load'}
        </button>
        <button type="button" className="secondary" data-testid="loader.default" disabled={loading} onClick={() => void actions.loadDefaultModel()}>
          Default
        </button>
      </form>
      <p id={`${id}-help`} className="help">
        A folder next to this page, a base URL in Hugging Face layout, or a Hub repo id (hf:owner/name[@revision]).
        ONNX exports load the weights file chosen beside it on the next Load.
      </p>
      <DownloadProgress />
      <ModelStatusLine />
    </section>
  )
}

// Sampling settings: temperature, top-k, top-p, seed, token budget, and whether end-of-text stops the stream.
import { useId } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { NumberField } from './NumberField.tsx'

export function SamplingControls() {
  const id = useId()
  const sampling = useAppState((s) => s.prompt.sampling)
  const nCtx = useAppState((s) => s.model.loaded?.summary.nCtx)
  const { setSampling } = useActions()
  return (
    <fieldset className="sampling">
      <legend>Sampling</legend>
      <NumberField label="Temperature" testId="prompt.temperature" value={sampling.temperature} min={0} max={5} step={0.05} hint="0 = greedy" onChange={(temperature) => setSampling({ temperature })} />
      <NumberField label="Top-k" testId="prompt.top-k" value={sampling.topK} min={0} step={1} integer hint="0 = off" onChange={(topK) => setSampling({ topK })} />
      <NumberField label="Top-p" testId="prompt.top-p" value={sampling.topP} min={0} max={1} step={0.01} hint="1 = off" onChange={(topP) => setSampling({ topP })} />
      <NumberField label="Seed" testId="prompt.seed" value={sampling.seed} min={0} step={1} integer hint="same seed, same text" onChange={(seed) => setSampling({ seed })} />
      <NumberField label="Max tokens" testId="prompt.max-tokens" value={sampling.maxTokens} min={1} max={nCtx} step={1} integer hint={nCtx ? `context holds ${nCtx}` : 'per generation'} onChange={(maxTokens) => setSampling({ maxTokens })} />
      <div className="field field-check">
        <input
          id={`${id}-eos`}
          type="checkbox"
          data-testid="prompt.stop-at-eos"
          checked={sampling.stopAtEos}
          onChange={(event) => setSampling({ stopAtEos: event.target.checked })}
        />
        <label htmlFor={`${id}-eos`}>Stop at end of text</label>
      </div>
    </fieldset>
  )
}

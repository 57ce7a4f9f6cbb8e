// Keeps `?model=` and `?dtype=` in step with the loaded model, so the address bar is always a link to what is on screen.
import { useEffect } from 'react'
import { DEFAULT_MODEL_SOURCE } from '../../store/index.ts'
import { useAppState } from '../appContext.tsx'
import { writeUrlParam } from '../urlState.ts'

export function useUrlSync(): void {
  const input = useAppState((s) => s.model.loaded?.input ?? null)
  const engine = useAppState((s) => s.model.loaded?.summary.engine.kind ?? null)
  const variant = useAppState((s) => s.model.onnxVariant)
  useEffect(() => {
    if (input === null) return
    writeUrlParam('model', input.trim() === DEFAULT_MODEL_SOURCE ? null : input.trim())
    writeUrlParam('dtype', engine === 'onnx' && variant !== 'fp32' ? variant : null)
  }, [input, engine, variant])
}

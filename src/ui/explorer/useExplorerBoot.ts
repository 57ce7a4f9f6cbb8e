// Starts the explorer: reads the SAE index at once (the list and map need no model), and loads the index's SAEs
// into the worker each time a model finishes loading — after it, so their tensors live on the model's backend.
import { useEffect } from 'react'
import { useActions, useAppState } from '../appContext.tsx'

export function useExplorerBoot(): void {
  const actions = useActions()
  const loaded = useAppState((s) => s.model.loaded)
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  useEffect(() => {
    void actions.explorer.loadIndex()
  }, [actions])
  useEffect(() => {
    if (loaded && indexReady) void actions.explorer.loadIndexSaes()
  }, [actions, loaded, indexReady])
}

// How the playground is entered: a share link (`?steer=v1.…`) restores the whole demo and runs it once the model
// and SAE are ready; a dashboard's "Steer" (`#/steer?feature=<saeId>:<index>`) adds that feature. Runs once per entry.
import { useEffect, useRef, useState } from 'react'
import { parseFeatureKey } from '../../core/steering/featureKey.ts'
import { SHARE_STATE_PARAM } from '../../core/steering/shareState.ts'
import { useActions, useAppState } from '../appContext.tsx'

export function useSteerEntry(featureParam: string | null): void {
  const actions = useActions()
  // State, not a ref: the link may finish opening after the model and SAE are ready, and that must still run it.
  const [pendingRun, setPendingRun] = useState(false)
  const handledFeature = useRef<string | null>(null)
  const linkRead = useRef(false)
  const saeId = useAppState((s) => s.steering.saeId)
  const saeReady = useAppState((s) => (saeId ? s.saes.loaded[saeId] !== undefined : false))
  const modelReady = useAppState((s) => s.model.status === 'ready')
  const idle = useAppState((s) => s.steering.run.status === 'idle')

  useEffect(() => {
    if (linkRead.current) return
    linkRead.current = true
    const text = new URLSearchParams(window.location.search).get(SHARE_STATE_PARAM)
    if (text !== null) void actions.steering.openLink(text).then(setPendingRun)
  }, [actions])

  useEffect(() => {
    if (!featureParam || handledFeature.current === featureParam) return
    handledFeature.current = featureParam
    try {
      const { saeId: id, index } = parseFeatureKey(featureParam)
      actions.steering.update({ saeId: id })
      actions.steering.addFeature({ index })
    } catch (err) {
      console.warn('[steer] ignoring feature parameter', err)
    }
  }, [actions, featureParam])

  useEffect(() => {
    if (pendingRun && modelReady && saeReady && idle) {
      setPendingRun(false)
      void actions.steering.run()
    }
  }, [actions, pendingRun, modelReady, saeReady, idle])
}

// The runs saved in this browser: status and step, and what can be done with each (runOffers.ts: pause, resume or
// restart, cancel, open the finished SAE, export it as a SAELens zip, its dashboards and map, delete).
import type { MouseEvent } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { trainedSaeId, type TrainingRunSummary } from '../../workers/trainingProtocol.ts'
import { hrefs } from '../router/hashRoute.ts'
import { navigate } from '../router/useRoute.ts'
import { downloadBytes } from './format.ts'
import { runOffers, runStatusText } from './runOffers.ts'

function RunItem({ run }: { run: TrainingRunSummary }) {
  const actions = useActions()
  const active = useAppState((s) => s.training.activeRunId === run.runId)
  const busy = useAppState((s) => s.training.activeRunId !== null || s.training.starting)
  const selected = useAppState((s) => s.training.selectedRunId === run.runId)
  const opening = useAppState((s) => s.training.opening[run.runId] === true)
  const saeId = trainedSaeId(run)
  const inExplorer = useAppState((s) => s.explorer.summaries[saeId]?.status === 'ready')
  const mapInExplorer = useAppState((s) => saeId in s.explorer.saeMaps)
  // The explorer forgets on reload; the run's saved analysis does not: the links load it when followed.
  const hasDashboards = inExplorer || run.analysed !== null
  const hasMap = mapInExplorer || run.analysed?.map === true
  const offers = runOffers(run, active)
  const exportZip = async () => {
    const out = await actions.training.exportZip(run.runId)
    if (out) downloadBytes(out.fileName, out.zip)
  }
  const follow = async (event: MouseEvent<HTMLAnchorElement>, href: string) => {
    if (inExplorer) return
    event.preventDefault()
    if (await actions.training.showAnalysis(run.runId)) navigate(href)
  }
  return (
    <li
      className={`train-run${selected ? ' selected' : ''}`}
      data-testid="train.run"
      data-run-id={run.runId}
      data-status={active && run.status !== 'preparing' ? 'running' : run.status}
      data-step={run.step}
      data-checkpoint={run.hasCheckpoint}
    >
      <button type="button" className="quiet train-run-name" aria-pressed={selected} onClick={() => actions.training.select(run.runId)}>
        <span className="mono">{run.name}</span>
      </button>
      <span className="muted">
        {run.settings.architecture} · {run.settings.dSae} · {run.settings.hook}
        {run.fineTunedFrom ? ` · from ${run.fineTunedFrom}` : ''}
      </span>
      <span data-testid="train.run-status">
        {runStatusText(run)} · {run.step}/{run.totalSteps}
      </span>
      {run.error && <span className="error-inline">{run.error.message}</span>}
      <span className="buttons">
        {offers.pause && (
          <button type="button" data-testid="train.run-pause" onClick={() => void actions.training.pause(run.runId)}>
            Pause
          </button>
        )}
        {offers.resume && (
          <button type="button" data-testid="train.run-resume" disabled={busy} onClick={() => void actions.training.resume(run.runId)}>
            Resume
          </button>
        )}
        {offers.restart && (
          <button type="button" data-testid="train.run-restart" disabled={busy} title="Train it again from step 0 with the same settings" onClick={() => void actions.training.restart(run.runId)}>
            Restart
          </button>
        )}
        {offers.cancel && (
          <button type="button" data-testid="train.run-cancel" onClick={() => void actions.training.cancel(run.runId)}>
            Cancel
          </button>
        )}
        {offers.finished && (
          <>
            <button type="button" data-testid="train.run-open" disabled={opening} onClick={() => void actions.training.open(run.runId)}>
              {opening ? 'Opening…' : 'Open in Loader'}
            </button>
            <button type="button" data-testid="train.run-export" onClick={() => void exportZip()}>
              Export SAELens zip
            </button>
            {hasDashboards && (
              <a href={hrefs.features(saeId)} data-testid="train.run-dashboards" onClick={(e) => void follow(e, hrefs.features(saeId))}>
                Features
              </a>
            )}
            {hasMap && (
              <a href={hrefs.map(saeId)} data-testid="train.run-map" onClick={(e) => void follow(e, hrefs.map(saeId))}>
                Map
              </a>
            )}
          </>
        )}
        {offers.delete && (
          <button type="button" className="quiet" data-testid="train.run-delete" aria-label={`Delete ${run.name}`} onClick={() => void actions.training.remove(run.runId)}>
            Delete
          </button>
        )}
      </span>
    </li>
  )
}

export function RunList() {
  const runs = useAppState((s) => s.training.runs)
  const list = Object.values(runs).sort((a, b) => b.createdAt - a.createdAt)
  return (
    <ul className="train-runs" data-testid="train.runs" aria-label="Training runs">
      {list.map((run) => (
        <RunItem key={run.runId} run={run} />
      ))}
      {list.length === 0 && <li className="muted">No runs saved in this browser yet.</li>}
    </ul>
  )
}

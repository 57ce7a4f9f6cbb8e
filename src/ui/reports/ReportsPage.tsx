// #/reports: the committed SAE family's measured figures — the scaling laws (loss against compute, the
// compute-optimal size and tokens, with their fits) and completeness against concept frequency.
import { useEffect, useMemo } from 'react'
import { analyseSweep, gridRuns } from '../../core/sae/scaling/scalingReport.ts'
import { SCALING_FOLDER } from '../../store/explorerActions.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { ScalingFits } from './ScalingFits.tsx'
import { ScalingGrid } from './ScalingGrid.tsx'

export function ReportsPage() {
  const actions = useActions()
  const index = useAppState((s) => s.explorer.index)
  const scaling = useAppState((s) => s.explorer.scaling)
  const folder = index?.status === 'ready' ? (index.data.reports ?? null) : null
  useEffect(() => {
    if (index?.status === 'ready') void actions.explorer.loadScaling()
  }, [actions, index?.status])
  const analysis = useMemo(() => (scaling?.status === 'ready' ? analyseSweep(scaling.data) : null), [scaling])

  return (
    <section className="panel reports" data-testid="reports.panel" aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      <p className="muted">What was measured on the SAEs this app ships: every figure is built by the project's CLI from a seed, and the Markdown beside it says how.</p>
      {index?.status === 'error' && <p role="alert">The SAE index did not load: {index.message}</p>}
      {folder === null && index?.status === 'ready' && <p data-testid="reports.none">This build ships no SAE family reports.</p>}
      {folder !== null && (
        <>
          <h3 id="scaling-title">Scaling laws</h3>
          {scaling?.status === 'loading' && <p aria-live="polite">Loading the scaling sweep…</p>}
          {scaling?.status === 'error' && (
            <p role="alert" data-testid="reports.scaling-error">
              The scaling sweep did not load: {scaling.message}
            </p>
          )}
          {scaling?.status === 'ready' && analysis && (
            <div data-testid="reports.scaling">
              <p>
                {gridRuns(scaling.data).length} {scaling.data.settings.architecture} SAEs on <code>{scaling.data.settings.hook}</code>, a grid of dictionary sizes × training tokens (λ {scaling.data.settings.l1}, lr{' '}
                {scaling.data.settings.lr}), each scored on {scaling.data.settings.heldOutRows.toLocaleString('en')} held-out rows. Source:{' '}
                <a href={`${folder}/${SCALING_FOLDER}/SCALING.md`}>SCALING.md</a>.
              </p>
              <ScalingFits analysis={analysis} />
              <figure>
                <img src={`${folder}/${SCALING_FOLDER}/scaling_loss.svg`} alt="Held-out loss against training compute on log-log axes, one line per dictionary size, with the fitted frontier power law." width={720} height={420} data-testid="reports.scaling-loss" />
                <figcaption>Held-out loss against compute: each line is one dictionary size trained on more and more tokens; the red line is the power law fitted to the frontier.</figcaption>
              </figure>
              <figure>
                <img src={`${folder}/${SCALING_FOLDER}/scaling_optimal.svg`} alt="Compute-optimal dictionary size and training tokens against compute, with fitted power laws." width={720} height={420} data-testid="reports.scaling-optimal" />
                <figcaption>The loss-minimising dictionary size and token count at each compute budget (IsoFLOP profiles), with their power laws.</figcaption>
              </figure>
              <ScalingGrid file={scaling.data} />
            </div>
          )}
          <h3 id="completeness-title">Completeness</h3>
          <figure>
            <img src={`${folder}/completeness.svg`} alt="Fraction of TinyWorld's planted concepts recovered by a single feature, by concept frequency, for each committed SAE." width={720} height={420} data-testid="reports.completeness" />
            <figcaption>
              Planted concepts recovered by one feature (AUROC ≥ 0.95), by how often the concept occurs. Details: <a href={`${folder}/REPORT.md`}>REPORT.md</a>.
            </figcaption>
          </figure>
        </>
      )}
    </section>
  )
}

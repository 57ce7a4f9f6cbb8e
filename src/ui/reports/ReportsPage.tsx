// #/reports: the committed SAE family's measured figures — the scaling laws (loss against compute, the
// compute-optimal size and tokens, with their fits), completeness against concept frequency, and how much of what
// the model represents each SAE recovers (precise, AUROC-only, by a family) beside absorption.
import { useEffect, useMemo } from 'react'
import { RECOVERY_SVG } from '../../core/sae/recoverySvg.ts'
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
          <h3 id="recovery-title">What the SAEs find of what the model knows</h3>
          <figure>
            <img
              src={`${folder}/${RECOVERY_SVG}`}
              alt="Grouped bars, one group per committed SAE: the share of the concepts the model represents across languages that one precise feature recovers, that one feature recovers by AUROC alone, and that a family of up to ten features recovers; beside them, the share of child-concept occurrences where the parent's feature is silent while the child's fires."
              width={860}
              height={400}
              data-testid="reports.recovery"
            />
            <figcaption>
              Of the concepts a linear probe reads across languages (the model represents them), how many each SAE recovers. AUROC alone counts a feature that fires on every occurrence however often it fires elsewhere, so the
              darkest bar also asks that at least half its firings be on the concept; the label gives how many distinct features the AUROC recoveries come from. Absorption: how often a parent concept&apos;s feature stays silent
              while its child&apos;s fires. Details: <a href={`${folder}/REPORT.md`}>REPORT.md</a>.
            </figcaption>
          </figure>
        </>
      )}
    </section>
  )
}

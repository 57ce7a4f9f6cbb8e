// The sweep's held-out losses as a table (the numbers behind the loss plot, readable by a screen reader).
import { gridRuns, type ScalingSweepFile } from '../../core/sae/scaling/scalingReport.ts'

const tokens = (t: number) => (t >= 1e6 ? `${(t / 1e6).toFixed(2)}M` : `${Math.round(t / 1e3)}k`)

export function ScalingGrid({ file }: { file: ScalingSweepFile }) {
  const runs = gridRuns(file)
  const sizes = [...new Set(runs.map((r) => r.dSae))].sort((a, b) => a - b)
  const steps = [...new Set(runs.map((r) => r.steps))].sort((a, b) => a - b)
  const best = runs.reduce((a, b) => (b.loss < a.loss ? b : a), runs[0]!)
  return (
    // Scrolls inside its own box on a phone rather than widening the page.
    // A scrolling box takes focus so keyboard users can scroll it (axe: scrollable-region-focusable).
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Held-out loss grid">
      <table className="scaling-grid" data-testid="reports.scaling-grid">
        <caption>Held-out loss (FVU, L0) by dictionary size and training tokens</caption>
        <thead>
          <tr>
            <th scope="col">d_sae</th>
            {steps.map((s) => (
              <th scope="col" key={s}>
                {tokens(s * file.settings.batch)} tokens
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sizes.map((n) => (
            <tr key={n}>
              <th scope="row">{n}</th>
              {steps.map((s) => {
                const r = runs.find((x) => x.dSae === n && x.steps === s)
                return (
                  <td key={s} data-best={r === best || undefined}>
                    {r ? `${r.loss.toFixed(4)} (${r.fvu.toFixed(3)}, ${r.l0.toFixed(1)})` : '–'}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

// The scaling sweep's fitted power laws, as sentences a reader can check against the plots.
import type { ScalingAnalysis } from '../../core/sae/scaling/frontier.ts'
import type { PowerLawFit } from '../../core/sae/scaling/powerLaw.ts'

const law = (f: PowerLawFit | null, what: string, testId: string) =>
  f ? (
    <li data-testid={testId} data-exponent={f.exponent}>
      {what} ∝ C<sup>{f.exponent.toFixed(3)}</sup> <span className="muted">(R² {f.r2.toFixed(3)}, {f.points} points)</span>
    </li>
  ) : (
    <li data-testid={testId}>{what}: too few points to fit</li>
  )

export function ScalingFits({ analysis }: { analysis: ScalingAnalysis }) {
  return (
    <ul className="scaling-fits" aria-label="Fitted power laws (C: training compute)">
      {law(analysis.lossFit, 'Loss on the frontier', 'reports.fit-loss')}
      {law(analysis.sizeFit, 'Compute-optimal dictionary size', 'reports.fit-size')}
      {law(analysis.tokensFit, 'Compute-optimal training tokens', 'reports.fit-tokens')}
    </ul>
  )
}

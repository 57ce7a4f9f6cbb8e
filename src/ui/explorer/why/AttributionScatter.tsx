// Attribution (x) against ablation (y), one dot per active feature, with the line y = x: dots on the line are
// features whose first-order estimate is exact. The ten largest by ablation are drawn darker.
import { scaleLinear } from 'd3-scale'
import type { FeatureAttribution } from '../../../workers/saeProtocol.ts'
import { formatAct } from '../data.ts'

const W = 300
const H = 240
const PAD = 34

export function AttributionScatter({ features }: { features: readonly FeatureAttribution[] }) {
  const points = features.filter((e): e is FeatureAttribution & { attribution: number } => e.attribution !== null)
  if (points.length === 0) return null
  const extent = Math.max(1e-6, ...points.flatMap((e) => [Math.abs(e.attribution), Math.abs(e.ablation)]))
  const x = scaleLinear().domain([-extent, extent]).range([PAD, W - 6]).nice()
  const y = scaleLinear().domain([-extent, extent]).range([H - PAD, 6]).nice()
  const [lo, hi] = x.domain() as [number, number]
  const top = new Set([...points].sort((a, b) => Math.abs(b.ablation) - Math.abs(a.ablation)).slice(0, 10))
  return (
    <svg className="why-scatter" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Attribution against ablation for ${points.length} features`} data-testid="why.scatter">
      <line x1={x(lo)} y1={y(lo)} x2={x(hi)} y2={y(hi)} className="diagonal" />
      <line x1={PAD} x2={W - 6} y1={y(0)} y2={y(0)} className="axis" />
      <line x1={x(0)} x2={x(0)} y1={6} y2={H - PAD} className="axis" />
      {points.map((e) => (
        <circle key={`${e.position}:${e.feature}`} cx={x(e.attribution)} cy={y(e.ablation)} r={top.has(e) ? 3.5 : 2.5} className={top.has(e) ? 'dot top' : 'dot'}>
          <title>{`#${e.feature} at ${e.position}: attribution ${formatAct(e.attribution)}, ablation ${formatAct(e.ablation)}`}</title>
        </circle>
      ))}
      <text x={W - 6} y={H - 8} className="tick" textAnchor="end">
        attribution →
      </text>
      <text x={4} y={12} className="tick">
        ablation ↑
      </text>
      <text x={PAD} y={H - 8} className="tick">
        {formatAct(lo)}
      </text>
    </svg>
  )
}

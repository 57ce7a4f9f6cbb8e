// The Reports page's picture of issue 19's question — does each SAE find what the model represents? — as grouped
// bars: of the concepts the model represents across languages, the share one feature recovers precisely, one
// feature recovers by AUROC alone, and a family of features recovers; beside it, how often a parent's feature is
// silent while its child's fires (absorption). Hand-written SVG like lossCurveSvg.ts: a static file the CLI writes,
// so no chart library is needed at build time.
import { recoveredPrecisely, representedInGroup, type ConceptEvaluation } from './conceptEvaluation.ts'

/** The file name in a family's reports folder (build-world-saes writes it; the Reports page shows it). */
export const RECOVERY_SVG = 'recovery.svg'

export interface RecoveryRow {
  sae: string
  represented: number
  /** One feature, AUROC ≥ 0.95 and precision ≥ 0.5. */
  precise: number
  /** One feature, AUROC ≥ 0.95. */
  recovered: number
  /** A family of at most maxK features. */
  family: number
  /** Distinct features behind the one-feature recoveries. */
  distinctFeatures: number
  /** Mean over parent → child concept pairs of "parent's feature silent while the child's fires" (0–1), or null. */
  absorbed: number | null
}

/** One row per SAE from its concept evaluation (represented, non-language concepts). */
export function recoveryRow(sae: string, truth: ConceptEvaluation): RecoveryRow {
  const all = truth.tallies.find((t) => t.group === 'all')
  const recovered = representedInGroup(truth, 'all').filter((c) => c.recovered)
  return {
    sae,
    represented: all?.represented ?? representedInGroup(truth, 'all').length,
    precise: recovered.filter(recoveredPrecisely).length,
    recovered: all?.recoveredOfRepresented ?? recovered.length,
    family: all?.familyOfRepresented ?? 0,
    distinctFeatures: new Set(recovered.map((c) => c.bestFeature)).size,
    absorbed: truth.absorption.summary.find((s) => s.kind === 'concept')?.meanAbsorbed ?? null,
  }
}

const BARS = [
  { key: 'precise', label: 'one feature, precise (precision ≥ 0.5)', colour: '#08519c' },
  { key: 'recovered', label: 'one feature (AUROC ≥ 0.95)', colour: '#6baed6' },
  { key: 'family', label: 'a family of ≤ 10 features', colour: '#c6dbef' },
] as const

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Grouped horizontal bars, one group per SAE, with absorption to the right. */
export function recoverySvg(rows: readonly RecoveryRow[]): string {
  const width = 860
  const left = 150
  const barsWidth = 420
  const absLeft = left + barsWidth + 70
  const absWidth = width - absLeft - 30
  const barH = 12
  const groupH = BARS.length * barH + 16
  const top = 64
  const height = top + rows.length * groupH + 30
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">Of the concepts the model represents, how many each SAE recovers</text>`,
  ]
  let legendX = left
  for (const b of BARS) {
    out.push(`<rect x="${legendX}" y="30" width="10" height="10" fill="${b.colour}"/><text x="${legendX + 14}" y="39">${escape(b.label)}</text>`)
    legendX += 14 + b.label.length * 6 + 18 // ~6 px a character at 11 px
  }
  out.push(`<text x="${left}" y="56" fill="#555">share of the concepts represented across languages</text>`)
  out.push(`<text x="${absLeft}" y="56" fill="#555">absorbed: parent silent, child fires</text>`)
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + t * barsWidth
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 26}" stroke="#ddd"/><text x="${x}" y="${height - 12}" text-anchor="middle">${Math.round(t * 100)}%</text>`)
  }
  for (const t of [0, 0.25, 0.5]) {
    const x = absLeft + (t / 0.5) * absWidth
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 26}" stroke="#ddd"/><text x="${x}" y="${height - 12}" text-anchor="middle">${Math.round(t * 100)}%</text>`)
  }
  rows.forEach((r, g) => {
    const y0 = top + g * groupH
    out.push(`<text x="${left - 8}" y="${y0 + (BARS.length * barH) / 2 + 4}" text-anchor="end">${escape(r.sae)}</text>`)
    BARS.forEach((b, i) => {
      const count = r[b.key]
      const share = r.represented > 0 ? count / r.represented : 0
      const y = y0 + i * barH
      out.push(`<rect x="${left}" y="${y}" width="${(share * barsWidth).toFixed(1)}" height="${barH - 2}" fill="${b.colour}"><title>${escape(`${r.sae}: ${b.label}: ${count} of ${r.represented}`)}</title></rect>`)
      out.push(`<text x="${left + share * barsWidth + 4}" y="${y + barH - 3}" font-size="10">${count}/${r.represented}${b.key === 'recovered' ? ` (${r.distinctFeatures} feature${r.distinctFeatures === 1 ? '' : 's'})` : ''}</text>`)
    })
    if (r.absorbed !== null) {
      const w = (Math.min(r.absorbed, 0.5) / 0.5) * absWidth
      out.push(`<rect x="${absLeft}" y="${y0 + barH}" width="${w.toFixed(1)}" height="${barH - 2}" fill="#e6550d"><title>${escape(`${r.sae}: absorbed on ${(100 * r.absorbed).toFixed(1)}% of child occurrences`)}</title></rect>`)
      out.push(`<text x="${absLeft + w + 4}" y="${y0 + 2 * barH - 3}" font-size="10">${(100 * r.absorbed).toFixed(1)}%</text>`)
    }
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

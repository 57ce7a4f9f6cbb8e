// Dictionary completeness across SAE sizes (Scaling Monosemanticity, "Feature completeness"): which planted
// concepts each SAE recovers, grouped by how often the concept occurs. Rare concepts are expected to appear only
// in larger dictionaries; the table and plot show where that happens on TinyWorld.
import { renderCurvesSvg } from '../lm/lossCurveSvg.ts'
import type { GroundTruthReport } from './groundTruth.ts'

export interface SizedReport {
  id: string
  dSae: number
  report: GroundTruthReport
}

export interface CompletenessBucket {
  /** Concept frequency range [lo, hi): fraction of tokens carrying the concept. */
  lo: number
  hi: number
  /** Concepts in the range that occur in the sample. */
  concepts: number
  /** Per SAE (in the order given): how many of them are recovered. */
  recovered: number[]
}

export interface CompletenessTable {
  saes: { id: string; dSae: number; fractionRecovered: number }[]
  buckets: CompletenessBucket[]
  /** Per concept present in the sample, rarest first: its frequency and its best AUROC in each SAE. */
  concepts: { concept: number; name: string | null; frequency: number; auroc: (number | null)[]; recovered: boolean[] }[]
}

/** Groups concepts by frequency decade (one bucket per power of ten that holds a concept; bounds parsed from "1eN" so they are exact). */
export function completenessTable(saes: readonly SizedReport[]): CompletenessTable {
  if (saes.length === 0) return { saes: [], buckets: [], concepts: [] }
  const first = saes[0]!.report
  const concepts = first.concepts
    .filter((c) => c.auroc !== null)
    .map((c) => ({
      concept: c.concept,
      name: c.name,
      frequency: c.frequency,
      auroc: saes.map((s) => s.report.concepts[c.concept]?.auroc ?? null),
      recovered: saes.map((s) => s.report.concepts[c.concept]?.recovered ?? false),
    }))
    .sort((a, b) => a.frequency - b.frequency)
  const decades = [...new Set(concepts.map((c) => Math.floor(Math.log10(c.frequency))))].sort((a, b) => a - b)
  const buckets = decades.map((d) => {
    const inside = concepts.filter((c) => Math.floor(Math.log10(c.frequency)) === d)
    return { lo: Number(`1e${d}`), hi: Number(`1e${d + 1}`), concepts: inside.length, recovered: saes.map((_, i) => inside.filter((c) => c.recovered[i]).length) }
  })
  return { saes: saes.map((s) => ({ id: s.id, dSae: s.dSae, fractionRecovered: s.report.fractionRecovered })), buckets, concepts }
}

const PALETTE = ['#9ecae1', '#4292c6', '#08519c', '#e6550d', '#31a354', '#756bb1']

/** Fraction of concepts recovered per frequency decade, one line per SAE. */
export function completenessSvg(table: CompletenessTable): string {
  const series = table.saes.map((s, i) => ({
    label: `${s.id} (${s.dSae})`,
    colour: PALETTE[i % PALETTE.length]!,
    points: table.buckets.map((b): [number, number] => [Math.sqrt(b.lo * b.hi), b.recovered[i]! / b.concepts]),
  }))
  return renderCurvesSvg(series, {
    title: 'Concepts recovered (AUROC ≥ 0.95) by concept frequency',
    xLabel: 'concept frequency (fraction of tokens, decade midpoints)',
    yLabel: 'fraction recovered',
    logX: true,
    yDomain: [0, 1],
    markers: true,
    width: 820,
  })
}

/** The table as Markdown: one row per frequency decade, one column per SAE. */
export function completenessMarkdown(table: CompletenessTable): string {
  const head = `| concept frequency | concepts | ${table.saes.map((s) => `${s.id}`).join(' | ')} |`
  const rule = `|---|---|${table.saes.map(() => '---').join('|')}|`
  const rows = table.buckets.map((b) => `| ${b.lo.toExponential(0)} – ${b.hi.toExponential(0)} | ${b.concepts} | ${b.recovered.map((r) => `${r} (${Math.round((100 * r) / b.concepts)}%)`).join(' | ')} |`)
  const total = `| **all** | ${table.concepts.length} | ${table.saes.map((s) => `**${(100 * s.fractionRecovered).toFixed(0)}%**`).join(' | ')} |`
  return [head, rule, ...rows, total].join('\n')
}

// `monoscope build-world-saes`: rebuilds the committed TinyWorld SAEs (src/cli/worldSaeSpecs.ts) — one harvest of
// activations, then train-sae and eval-sae for each — and the family report across sizes: completeness versus
// concept frequency (table and plot), feature splitting, and the targets of the largest standard SAE.
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../../core/errors.ts'
import { parseSaeIndex } from '../../core/analysis/saeIndex.ts'
import { renderCurvesSvg } from '../../core/lm/lossCurveSvg.ts'
import { completenessMarkdown, completenessSvg, completenessTable } from '../../core/sae/completeness.ts'
import { RECOVERY_SVG, recoveryRow, recoverySvg } from '../../core/sae/recoverySvg.ts'
import { conceptFeatureStatsByUnit, conceptHierarchy, SparseActsBuilder, splittingEvidence, type GroundTruthReport, type SplitEvidence } from '../../core/sae/groundTruth.ts'
import { windowActivations } from '../../core/sae/activationStore.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { splitFamily, type FamilyMember } from '../../core/sae/splitFamily.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { ceilingMarkdown, type CeilingSae, type NeuronsSummary } from '../ceilingReportMarkdown.ts'
import type { ConceptEvaluation } from '../../core/sae/conceptEvaluation.ts'
import { CONCEPT_CEILINGS_FILE, CONCEPT_CEILINGS_FORMAT, type ConceptCeilingsFile } from '../../core/analysis/conceptCeilingsFile.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { conceptCatalogue, wordConceptIds } from '../../core/world/catalogue.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { WORLD_SAE_DATA, WORLD_SAE_HOOK, WORLD_SAE_SPECS, type WorldSaeSpec } from '../worldSaeSpecs.ts'
import { evalSaeCommand } from './evalSae.ts'
import { loadSaeFromSpec } from './features.ts'
import { harvestCommand } from './harvest.ts'
import { trainSaeCommand } from './trainSae.ts'

export const buildWorldSaesUsage = `monoscope build-world-saes [--only NAME,NAME] [--eval-only | --report-only] [--eval-tokens N] [--cache FILE] [--out DIR]
  Trains the TinyWorld SAEs listed in src/cli/worldSaeSpecs.ts on one harvest of activations (kept in --cache,
  default .cache/world-saes/), evaluates each (report.json beside its weights) and writes the family report
  (REPORT.md, completeness.svg, recovery.svg, family.json, concept_ceilings.json) and index.json under --out (default public/saes/tinyworld).
  --eval-only re-evaluates the selected SAEs without training them; --report-only re-evaluates nothing and only rebuilds the family report from the existing report.json files.`

interface EvalReport {
  l0: number
  varianceExplained: number
  fvu: number
  deadFraction: number
  denseFraction: number
  ce: { clean: number; spliced: number; zeroAblated: number; ceLossRecovered: number | null }
  /** Reports written before the ceilings lack `tallies`, `controls` and `absorption`: those SAEs sit out those sections. */
  groundTruth: (GroundTruthReport & Partial<Omit<ConceptEvaluation, keyof GroundTruthReport>>) | null
  tokens: number
}

interface TrainingLog {
  final: { tokens: number; elapsedS: number; tokensPerSecond: number }
  log: { step: number; l0: number; fvu: number; deadFraction: number; loss: number }[]
}

const saeDir = (root: string, spec: WorldSaeSpec) => path.join(root, WORLD_SAE_HOOK, spec.name)

export async function buildWorldSaesCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      'report-only': { type: 'boolean', default: false },
      'eval-only': { type: 'boolean', default: false },
      'eval-tokens': { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  })
  const root = path.resolve(values.out ?? 'public/saes/tinyworld')
  const only = parseNameList(values.only)
  const unknown = only.filter((n) => !WORLD_SAE_SPECS.some((s) => s.name === n))
  if (unknown.length > 0) throw new InvalidArgumentError(`--only names unknown SAEs: ${unknown.join(', ')} (known: ${WORLD_SAE_SPECS.map((s) => s.name).join(', ')})`)
  const selected = WORLD_SAE_SPECS.filter((s) => only.length === 0 || only.includes(s.name))
  const evalTokens = parseIntFlag('eval-tokens', values['eval-tokens'], 40_000, 1000)

  if (!values['report-only']) {
    const cache = path.resolve(values.cache ?? `.cache/world-saes/acts-${WORLD_SAE_HOOK}-${WORLD_SAE_DATA.rows}-seed${WORLD_SAE_DATA.dataSeed}.safetensors`)
    if (!existsSync(cache) && !values['eval-only']) {
      await mkdir(path.dirname(cache), { recursive: true })
      await harvestCommand(['--hook', WORLD_SAE_HOOK, '--rows', String(WORLD_SAE_DATA.rows), '--data-seed', String(WORLD_SAE_DATA.dataSeed), '--out', cache])
    }
    for (const spec of selected) {
      const dir = saeDir(root, spec)
      const sparsity = spec.architecture === 'standard' ? ['--l1', String(spec.l1)] : ['--k', String(spec.k)]
      if (spec.matryoshkaWidths) sparsity.push('--matryoshka-widths', spec.matryoshkaWidths.join(','))
      if (!values['eval-only']) await trainSaeCommand([
        '--hook', WORLD_SAE_HOOK, '--arch', spec.architecture, '--d-sae', String(spec.dSae), ...sparsity,
        '--steps', String(spec.steps), '--batch', String(spec.batch), '--lr', String(spec.lr), '--seed', String(spec.seed),
        '--activations', cache, '--ce-every', String(Math.ceil(spec.steps / 5)), '--model-name', 'tinyworld', '--out', dir,
        // One thread, encoder forward in tfjs: the committed SAEs were trained so, and a rebuild should give them back
        // bit for bit (a batch split over threads sums its gradients in another order, and onnxruntime's matMul
        // rounds otherwise, so either agrees only to float rounding).
        '--threads', '1', '--encoder', 'tfjs',
      ])
      await evalSaeCommand(['--sae', dir, '--tokens', String(evalTokens), '--out', path.join(dir, 'report.json')])
      await writeTrainingCurves(dir)
    }
  }
  await writeFamilyReport(root)
}

/** training_curves.svg beside the weights: FVU and dead fraction, and L0, over training. */
async function writeTrainingCurves(dir: string): Promise<void> {
  const log = JSON.parse(await readFile(path.join(dir, 'training_log.json'), 'utf8')) as TrainingLog
  const fvu = renderCurvesSvg(
    [
      { label: 'FVU', colour: '#08519c', points: log.log.map((e) => [e.step, e.fvu]) },
      { label: 'dead fraction', colour: '#e6550d', points: log.log.map((e) => [e.step, e.deadFraction]) },
    ],
    { title: `${path.basename(dir)}: reconstruction and dead latents`, xLabel: 'step', yLabel: 'fraction', yDomain: [0, 1] },
  )
  const l0 = renderCurvesSvg([{ label: 'L0', colour: '#31a354', points: log.log.map((e) => [e.step, e.l0]) }], {
    title: `${path.basename(dir)}: active latents per token`,
    xLabel: 'step',
    yLabel: 'L0',
    logY: true,
  })
  await writeFile(path.join(dir, 'training_fvu.svg'), fvu)
  await writeFile(path.join(dir, 'training_l0.svg'), l0)
}

/** AUROC of every feature of `sae` for every concept, on TinyWorld's labelled evaluation sample (20,000 tokens). */
async function conceptAurocs(sae: Sae): Promise<(concept: number, feature: number) => number> {
  const { model, tokenizer } = await loadModelFromSpec(undefined)
  try {
    const hook = resolveSaeHook(model, sae, undefined)
    const { windows, concepts, skipFirst } = await saeCorpusWindows(model, tokenizer, sae, { seed: FAMILY_SAMPLE_SEED, tokens: 20_000 })
    if (!concepts) throw new InvalidArgumentError('The family report needs the TinyWorld model')
    const sparse = new SparseActsBuilder(sae.config.dSae)
    for (let i = 0; i < windows.length; i += 8) {
      const x = await windowActivations(model, hook, windows.slice(i, i + 8), { skipFirst }) // [rows, dIn]
      const f = sae.encode(x) // [rows, dSae]
      sparse.addRows(f.dataSync(), x.shape[0])
      tf.dispose([x, f])
    }
    const nConcepts = conceptCatalogue().concepts.length
    const stats = conceptFeatureStatsByUnit(sparse.build(), concepts, nConcepts, wordConceptIds())
    return (c, j) => stats.auroc[c * stats.dSae + j]!
  } finally {
    model.dispose()
  }
}

/** A labelled sample apart from eval-sae's and analyze's. */
const FAMILY_SAMPLE_SEED = 515_151

/** The table's sparsity column: λ, or k (and a Matryoshka SAE's nested widths). */
const sparsityLabel = (s: WorldSaeSpec) =>
  s.architecture === 'standard' ? `λ ${s.l1}` : `k ${s.k}${s.matryoshkaWidths ? `, levels ${s.matryoshkaWidths.join('/')}` : ''}`

const pct = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`)

async function writeFamilyReport(root: string): Promise<void> {
  const present = WORLD_SAE_SPECS.filter((s) => existsSync(path.join(saeDir(root, s), 'report.json')))
  if (present.length === 0) throw new InvalidArgumentError(`No SAE under ${root} has a report.json yet: run without --report-only first`)
  const reports = new Map<string, { eval: EvalReport; train: TrainingLog | null }>()
  for (const spec of present) {
    const dir = saeDir(root, spec)
    const evalReport = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as EvalReport
    const logFile = path.join(dir, 'training_log.json')
    reports.set(spec.name, { eval: evalReport, train: existsSync(logFile) ? (JSON.parse(await readFile(logFile, 'utf8')) as TrainingLog) : null })
  }
  const standard = present.filter((s) => s.architecture === 'standard').sort((a, b) => a.dSae - b.dSae)
  const withTruth = present.filter((s) => reports.get(s.name)!.eval.groundTruth !== null)
  const table = completenessTable(
    [...standard, ...present.filter((s) => s.architecture !== 'standard')]
      .filter((s) => withTruth.includes(s))
      .map((s) => ({ id: s.name, dSae: s.dSae, report: reports.get(s.name)!.eval.groundTruth! })),
  )
  const hookRoot = path.join(root, WORLD_SAE_HOOK)
  await writeFile(path.join(hookRoot, 'completeness.svg'), completenessSvg(table))

  // Splitting: each parent concept's feature in the smallest standard SAE against its children's in the largest.
  const splits: SplitEvidence[] = []
  const families: { parent: number; parentFeature: number; members: FamilyMember[] }[] = []
  if (standard.length >= 2) {
    const small = standard[0]!
    const large = standard.at(-1)!
    const saes: Sae[] = []
    try {
      const a = await loadSaeFromSpec(saeDir(root, small))
      saes.push(a)
      const b = await loadSaeFromSpec(saeDir(root, large))
      saes.push(b)
      const side = (sae: Sae, spec: WorldSaeSpec) => ({ report: reports.get(spec.name)!.eval.groundTruth!, wDec: sae.weights.wDec.dataSync() as Float32Array, dIn: sae.config.dIn })
      const aurocB = await conceptAurocs(b)
      for (const [parent, children] of conceptHierarchy(conceptCatalogue().concepts)) {
        const evidence = splittingEvidence(parent, children, side(a, small), side(b, large))
        splits.push(evidence)
        if (evidence.parent.feature !== null) {
          const members = splitFamily(evidence.parent.feature, side(a, small).wDec, side(b, large).wDec, a.config.dIn, [parent, ...children], aurocB, 6)
          families.push({ parent, parentFeature: evidence.parent.feature, members })
        }
      }
    } finally {
      saes.forEach((s) => s.dispose())
    }
  }

  const family = { format: 'monoscope.sae-family-report', version: 1, hook: WORLD_SAE_HOOK, specs: present, completeness: table, splitting: splits, families }
  await writeFile(path.join(hookRoot, 'family.json'), `${JSON.stringify(family, null, 2)}\n`)
  const ceilingSaes: CeilingSae[] = present.flatMap((spec) => {
    const e = reports.get(spec.name)!.eval
    return e.groundTruth?.tallies && e.groundTruth.controls && e.groundTruth.absorption ? [{ name: spec.name, architecture: spec.architecture, l0: e.l0, truth: e.groundTruth as ConceptEvaluation }] : []
  })
  const markdown = familyMarkdown(present, reports, table, splits, families) + '\n' + ceilingMarkdown(ceilingSaes, await neuronsSummary(hookRoot))
  await writeFile(path.join(hookRoot, 'REPORT.md'), markdown)
  if (ceilingSaes.length > 0) {
    await writeFile(path.join(hookRoot, CONCEPT_CEILINGS_FILE), `${JSON.stringify(conceptCeilingsFile(ceilingSaes[0]!.truth), null, 2)}\n`)
    await writeFile(path.join(hookRoot, RECOVERY_SVG), recoverySvg(ceilingSaes.map((s) => recoveryRow(s.name, s.truth))))
  }
  await writeIndex(root, present)
  process.stderr.write(`build-world-saes: wrote ${path.join(hookRoot, 'REPORT.md')}, completeness.svg, ${RECOVERY_SVG}, family.json and ${path.join(root, 'index.json')}\n`)
}

function familyMarkdown(
  specs: WorldSaeSpec[],
  reports: Map<string, { eval: EvalReport; train: TrainingLog | null }>,
  table: ReturnType<typeof completenessTable>,
  splits: SplitEvidence[],
  families: { parent: number; parentFeature: number; members: FamilyMember[] }[],
): string {
  const rows = specs.map((s) => {
    const { eval: e, train } = reports.get(s.name)!
    const g = e.groundTruth
    return `| ${s.name} | ${s.architecture} | ${s.dSae} | ${sparsityLabel(s)} | ${train ? (train.final.tokens / 1e6).toFixed(2) + 'M' : 'n/a'} | ${e.l0.toFixed(1)} | ${pct(e.varianceExplained)} | ${pct(e.deadFraction)} | ${pct(e.denseFraction)} | ${pct(e.ce.ceLossRecovered)} | ${g ? `${g.recovered}/${g.evaluated} (${pct(g.fractionRecovered)})` : 'n/a'} | ${g?.everyLanguage ? `${g.everyLanguage.recovered}/${g.everyLanguage.evaluated} (${pct(g.everyLanguage.fraction)})` : 'n/a'} | ${train ? train.final.tokensPerSecond.toFixed(0) : 'n/a'} |`
  })
  const largest = specs.filter((s) => s.architecture === 'standard').sort((a, b) => b.dSae - a.dSae)[0]
  const targets: string[] = []
  if (largest) {
    const e = reports.get(largest.name)!.eval
    const check = (ok: boolean) => (ok ? 'met' : '**not met**')
    targets.push(
      `Targets for the largest standard SAE (${largest.name}), measured on ${e.tokens.toLocaleString('en')} held-out tokens:`,
      '',
      `- variance explained ≥ 90% at L0 ≤ 20: ${pct(e.varianceExplained)} at L0 ${e.l0.toFixed(1)} — ${check(e.varianceExplained >= 0.9 && e.l0 <= 20)}`,
      `- dead features ≤ 10%: ${pct(e.deadFraction)} — ${check(e.deadFraction <= 0.1)}`,
      `- CE loss recovered ≥ 90%: ${pct(e.ce.ceLossRecovered)} — ${check((e.ce.ceLossRecovered ?? 0) >= 0.9)}`,
      `- ≥ 90% of planted concepts recovered (AUROC ≥ 0.95): ${e.groundTruth ? pct(e.groundTruth.fractionRecovered) : 'n/a'} — ${check((e.groundTruth?.fractionRecovered ?? 0) >= 0.9)}`,
    )
  }
  const conceptRows = table.concepts.map((c) => `| ${c.name ?? c.concept} | ${c.frequency.toExponential(1)} | ${c.auroc.map((a, i) => (a === null ? '-' : `${a.toFixed(3)}${c.recovered[i] ? ' ✓' : ''}`)).join(' | ')} |`)
  const splitRows = splits.flatMap((s) => [
    `| **${s.parent.name}** (parent) | ${s.parent.feature ?? '-'} (AUROC ${s.parent.auroc?.toFixed(3) ?? '-'}) | ${s.parentInB.feature ?? '-'} (AUROC ${s.parentInB.auroc?.toFixed(3) ?? '-'}) | ${s.parentInB.cosineWithParent?.toFixed(3) ?? '-'} |`,
    ...s.children.map((c) => `| ↳ ${c.name} | | ${c.feature ?? '-'} (AUROC ${c.auroc?.toFixed(3) ?? '-'}) | ${c.cosineWithParent?.toFixed(3) ?? '-'} |`),
  ])
  const standard = specs.filter((s) => s.architecture === 'standard').sort((a, b) => a.dSae - b.dSae)
  const catalogue = conceptCatalogue().concepts
  const nameOf = (c: number | null) => (c === null ? '–' : (catalogue[c]?.name ?? String(c)))
  const familyRows = families.map(
    (f) => `| **${nameOf(f.parent)}** | ${f.parentFeature} | ${f.members.map((m) => `#${m.feature} cos ${m.cosine.toFixed(2)} → ${nameOf(m.concept)} ${m.auroc === null ? '' : m.auroc.toFixed(2)}`).join('<br>')} |`,
  )
  const byScope = (['word', 'span'] as const).map((scope) => {
    const ids = new Set(catalogue.filter((c) => c.scope === scope).map((c) => c.id))
    const inScope = table.concepts.filter((c) => ids.has(c.concept))
    return `| ${scope} (${scope === 'word' ? 'scored per occurrence' : 'scored per token'}) | ${inScope.length} | ${table.saes.map((_, i) => `${inScope.filter((c) => c.recovered[i]).length}`).join(' | ')} |`
  })
  // Hierarchy levels: parents (animal, …) against their children (cat, …), the split Matryoshka SAEs are meant to resist.
  const hierarchy = conceptHierarchy(catalogue)
  const children = new Set([...hierarchy.values()].flat())
  const levels: [string, (concept: number) => boolean][] = [
    ['parent', (c) => hierarchy.has(c)],
    ['child', (c) => children.has(c)],
  ]
  const byLevel = levels.map(([level, has]) => {
    const inLevel = table.concepts.filter((c) => has(c.concept))
    return `| ${level} | ${inLevel.length} | ${table.saes.map((_, i) => `${inLevel.filter((c) => c.recovered[i]).length}`).join(' | ')} |`
  })
  return `# TinyWorld SAEs on \`${WORLD_SAE_HOOK}\`

Built by \`npx monoscope build-world-saes\` from the settings in \`src/cli/worldSaeSpecs.ts\` (activations: TinyWorld
data seed ${WORLD_SAE_DATA.dataSeed}, ${WORLD_SAE_DATA.rows.toLocaleString('en')} rows, harvested once; each SAE's
\`training_log.json\`, \`training_fvu.svg\` and \`training_l0.svg\` are beside its weights). Metrics come from
\`eval-sae\` on held-out TinyWorld documents (\`report.json\` in each folder).

| SAE | arch | d_sae | sparsity | train tokens | L0 | var. explained | dead | dense | CE recovered | concepts recovered | recovered within every language | train tok/s |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${targets.join('\n')}

## Completeness versus concept frequency and SAE size

![concepts recovered by frequency](completeness.svg)

${completenessMarkdown(table)}

By concept scope (recovered concepts per SAE):

| scope | concepts | ${table.saes.map((s) => s.id).join(' | ')} |
|---|---|${table.saes.map(() => '---').join('|')}|
${byScope.join('\n')}

By hierarchy level (parent concepts such as animal, and their children such as cat; recovered concepts per SAE):

| level | concepts | ${table.saes.map((s) => s.id).join(' | ')} |
|---|---|${table.saes.map(() => '---').join('|')}|
${byLevel.join('\n')}

Per concept (best feature's AUROC; ✓ recovered):

| concept | frequency | ${table.saes.map((s) => s.id).join(' | ')} |
|---|---|${table.saes.map(() => '---').join('|')}|
${conceptRows.join('\n')}

## Feature splitting (${standard[0]?.name ?? '-'} → ${standard.at(-1)?.name ?? '-'})

For each parent concept: its best feature in the smallest standard SAE, and the best features of the parent and
of each child in the largest, with the decoder cosine to the small SAE's parent feature. A parent feature that
splits shows children features with clearly positive cosines to it.

| concept | feature in ${standard[0]?.name ?? '-'} | feature in ${standard.at(-1)?.name ?? '-'} | cosine to parent feature |
|---|---|---|---|
${splitRows.join('\n')}

The same families seen from the features: each parent's feature in ${standard[0]?.name ?? '-'}, and the six features of
${standard.at(-1)?.name ?? '-'} closest to it by decoder cosine, each with the family concept (parent or child) it detects
best and that AUROC (on 20,000 labelled tokens). A split shows as close features that each prefer a different child.

| parent | feature in ${standard[0]?.name ?? '-'} | nearest features in ${standard.at(-1)?.name ?? '-'} |
|---|---|---|
${familyRows.join('\n')}
`
}

/** The probe ceilings for the dashboard: the same for every SAE at the hook (one sample, one probe), so the first's. */
function conceptCeilingsFile(truth: ConceptEvaluation & { sampleSeed?: number }): ConceptCeilingsFile {
  return {
    format: CONCEPT_CEILINGS_FORMAT,
    version: 1,
    hook: WORLD_SAE_HOOK,
    tokens: truth.tokens,
    sample_seed: truth.sampleSeed ?? 0,
    represented_auroc: truth.representedAuroc,
    concepts: truth.concepts.map((c) => ({ id: c.concept, name: c.name ?? String(c.concept), held_out: c.probe?.heldOut ?? null, transfer_min: c.probe?.transferMin ?? null, represented: c.represented ?? false })),
  }
}

/** The features-vs-neurons figures with their random baseline (neurons_report.json), when feature-neurons has run. */
async function neuronsSummary(hookRoot: string): Promise<NeuronsSummary[] | null> {
  const file = path.join(hookRoot, 'neurons_report.json')
  if (!existsSync(file)) return null
  type Side = { features: number; evaluated: number; fractionAtMost03: number }
  const report = JSON.parse(await readFile(file, 'utf8')) as { saes: { sae: string; features: Side; baseline: Side }[] }
  return report.saes.map((s) => ({ sae: s.sae, evaluated: s.features.evaluated, features: s.features.features, share: s.features.fractionAtMost03, baselineShare: s.baseline.fractionAtMost03 }))
}

async function writeIndex(root: string, specs: WorldSaeSpec[]): Promise<void> {
  const rel = (p: string) => path.relative(path.dirname(root), p).split(path.sep).join('/')
  const file = path.join(root, 'index.json')
  // steer-eval adds its report to the index; a rebuild of the SAEs must not drop it.
  const previous = existsSync(file) ? parseSaeIndex(JSON.parse(await readFile(file, 'utf8'))) : null
  const index = {
    format: 'monoscope.sae-index',
    version: 1,
    model: 'models/tinyworld',
    saes: specs.map((s) => {
      const analysis = `analysis/tinyworld/${WORLD_SAE_HOOK}/${s.name}`
      return {
        id: `tinyworld/${WORLD_SAE_HOOK}/${s.name}`,
        path: `saes/${rel(saeDir(root, s))}`,
        architecture: s.architecture === 'matryoshka_batchtopk' ? 'jumprelu' : s.architecture, // as its cfg.json says (SAELens saves it so)
        d_sae: s.dSae,
        hook_name: WORLD_SAE_HOOK,
        // null until `monoscope analyze` has made its dashboards (the index schema allows it)
        analysis: existsSync(path.join(path.dirname(root), '..', analysis)) ? analysis : null,
      }
    }),
    map: `analysis/tinyworld/${WORLD_SAE_HOOK}/map.json`,
    ...(previous?.steering_report ? { steering_report: previous.steering_report } : {}),
    reports: `saes/${rel(path.join(root, WORLD_SAE_HOOK))}`,
  }
  await writeFile(file, `${JSON.stringify(index, null, 2)}\n`)
}

// `monoscope attribute-eval`: the paper's comparison of attribution and activation as proxies for a feature's causal
// effect, over many TinyWorld prompts whose next token is forced by a concept. For each SAE and prompt: the overlap of
// the top 10 features by attribution (and by activation) with the top 10 by exact ablation, and whether the single
// largest agrees. Writes attribution_report.{json,md}.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { attribute, topKOverlap, type FeatureEffect } from '../../core/attribution/attribute.ts'
import { forcedConceptPrompts } from '../../core/attribution/forcedPrompts.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { speaksTinyWorld } from '../../core/world/speaks.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { committedWorldSaeDirs, repoRoot } from '../defaults.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { loadSaeFromSpec } from './features.ts'

const K = 10

export const attributeEvalUsage = `monoscope attribute-eval [--model SRC] [--saes SRC,SRC…] [--prompts 200] [--seed 7] [--max-context 64] [--out DIR]
  For each SAE (default: every committed TinyWorld SAE in public/saes/tinyworld/index.json), over --prompts TinyWorld prompts whose next token the
  grammar forces and a word concept carries: the mean overlap of the top ${K} features by attribution, and by
  activation, with the top ${K} by exact ablation of that token's logit, and how often the top feature agrees.
  Writes attribution_report.{json,md} to --out (default: beside the committed SAEs).`

interface SaeRow {
  sae: string
  prompts: number
  meanActive: number
  overlapAttribution: number
  overlapActivation: number
  top1Attribution: number
  top1Activation: number
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const topOf = (fs: readonly FeatureEffect[], by: (e: FeatureEffect) => number) => fs.reduce((best, e) => (Math.abs(by(e)) > Math.abs(by(best)) ? e : best))

export async function attributeEvalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      saes: { type: 'string' },
      prompts: { type: 'string' },
      seed: { type: 'string' },
      'max-context': { type: 'string' },
      out: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  const count = parseIntFlag('prompts', values.prompts, 200, 1)
  const seed = parseIntFlag('seed', values.seed, 7, 0)
  // Ablation costs one forward per active feature, and features are active at every position: context bounds the cost.
  const maxContext = parseIntFlag('max-context', values['max-context'], 64, 4)
  const saeSpecs = values.saes === undefined ? committedWorldSaeDirs() : parseNameList(values.saes)
  if (saeSpecs.length === 0) throw new InvalidArgumentError('--saes needs at least one SAE')
  const outDir = values.out ?? path.join(repoRoot, 'public/saes/tinyworld/blocks.2.hook_resid_post')

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    if (!speaksTinyWorld(model, tokenizer)) throw new InvalidArgumentError("attribute-eval reads TinyWorld prompts: the model's vocabulary must be TinyWorld's")
    const prompts = forcedConceptPrompts(count, seed, { maxContext: Math.min(maxContext, model.config.nCtx - 1) })
    const rows: SaeRow[] = []
    for (const spec of saeSpecs) {
      let sae: Sae | null = null
      try {
        sae = await loadSaeFromSpec(spec, { verbose: values.verbose })
        const per: { active: number; attr: number; act: number; top1Attr: number; top1Act: number }[] = []
        for (const [i, p] of prompts.entries()) {
          const r = await attribute(model, sae, undefined, p.ids, { target: { kind: 'logit', token: p.token } })
          if (r.features.length === 0) continue
          const ablation = (e: FeatureEffect) => e.ablation!
          const top = topOf(r.features, ablation)
          per.push({
            active: r.features.length,
            attr: topKOverlap(r.features, (e) => e.attribution!, ablation, K),
            act: topKOverlap(r.features, (e) => e.activation, ablation, K),
            top1Attr: topOf(r.features, (e) => e.attribution!) === top ? 1 : 0,
            top1Act: topOf(r.features, (e) => e.activation) === top ? 1 : 0,
          })
          if (values.verbose) process.stderr.write(`\rmonoscope: ${path.basename(spec)} ${i + 1}/${prompts.length}`)
        }
        if (values.verbose) process.stderr.write('\n')
        rows.push({
          sae: path.basename(spec),
          prompts: per.length,
          meanActive: mean(per.map((x) => x.active)),
          overlapAttribution: mean(per.map((x) => x.attr)),
          overlapActivation: mean(per.map((x) => x.act)),
          top1Attribution: mean(per.map((x) => x.top1Attr)),
          top1Activation: mean(per.map((x) => x.top1Act)),
        })
      } finally {
        sae?.dispose()
      }
    }
    const report = { format: 'monoscope.attribution-report', version: 1, k: K, seed, prompts: count, maxContext, target: 'logit of the forced token', saes: rows }
    await writeFile(path.join(outDir, 'attribution_report.json'), `${JSON.stringify(report, null, 2)}\n`)
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`
    const md = [
      '# Attribution against ablation on TinyWorld',
      '',
      `Made by \`monoscope attribute-eval --prompts ${count} --seed ${seed} --max-context ${maxContext}\`. Each prompt ends just before a token that TinyWorld's grammar forces and a word concept carries ("… the Golden Arc" → "Bridge"); the target is that token's logit. For every feature active anywhere in the prompt, attribution is f_i·∂logit/∂f_i (the SAE spliced in as SAE(x) + error, error fixed) and ablation is the exact change when f_i := 0. The columns give the mean share of the top ${K} by ablation that each cheap ranking puts in its own top ${K}, and how often its top feature is ablation's top feature.`,
      '',
      `| SAE | prompts | active features (mean) | top-${K} overlap: attribution | top-${K} overlap: activation | top-1 agrees: attribution | top-1 agrees: activation |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.sae} | ${r.prompts} | ${r.meanActive.toFixed(0)} | ${pct(r.overlapAttribution)} | ${pct(r.overlapActivation)} | ${pct(r.top1Attribution)} | ${pct(r.top1Activation)} |`),
      '',
    ].join('\n')
    await writeFile(path.join(outDir, 'attribution_report.md'), md)
    process.stdout.write(md)
  } finally {
    model.dispose()
  }
}

// The steering flags shared by `generate` and `steer-eval`: `--clamp 37=5x`, `--add 90=3`, and where a feature's max
// activation comes from when a strength is a multiple of it.
import path from 'node:path'
import { existsSync } from 'node:fs'
import { parseFeatureSummary, SUMMARY_FILENAME } from '../../core/analysis/featureFolder.ts'
import { parseFeatureAnalysis } from '../../core/analysis/format.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { HookName } from '../../core/model/hookNames.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import type { Sae } from '../../core/sae/sae.ts'
import type { Intervention, SteeringMode } from '../../core/steering/interventions.ts'
import { measureMaxActs } from '../../core/steering/maxActs.ts'
import { MAX_ACT_SAMPLE_SEED, MAX_ACT_SAMPLE_TOKENS } from '../../core/steering/maxActSample.ts'
import type { HfTextTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { indexEntryFor, publicRoot } from './steerShareSpec.ts'
import { readJsonFile } from '../jsonFile.ts'

export const steerFlagsHelp = `  --clamp J=S    clamp feature J to strength S: x' = SAE(x) with f_J := S, plus the error term x − SAE(x)
  --add J=S      add S · (unit decoder direction of J) to the activation
                 S is absolute (activation units f_J·‖W_dec,J‖, as on the dashboards) or a multiple of the feature's
                 max activation with an x suffix: 5x, -2.5x. Repeat either flag for several features.
  --max-acts FILE  a feature-analysis JSON (monoscope analyze --out) whose max_act values define "x". Without it, an
                 SAE listed in public/saes/*/index.json uses its precomputed dashboards' summary.json; otherwise the
                 maxima are measured over TinyWorld's labelled sample seed ${MAX_ACT_SAMPLE_SEED}, ${MAX_ACT_SAMPLE_TOKENS} tokens (the sample
                 \`monoscope analyze\` uses by default, so the numbers match its dashboards), or over --text-file's lines`

/** `37=5x` → clamp feature 37 at 5× its max; `12=-2` → absolute −2. */
export function parseSteerFlag(mode: SteeringMode, text: string): Intervention {
  const match = /^\s*(\d+)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(x|×)?\s*$/i.exec(text)
  if (!match) throw new InvalidArgumentError(`--${mode} "${text}": expected FEATURE=STRENGTH, e.g. 37=5x (5× max activation) or 12=-2 (absolute)`)
  const index = Number(match[1])
  const amount = Number(match[2])
  if (!Number.isSafeInteger(index) || !Number.isFinite(amount)) throw new InvalidArgumentError(`--${mode} "${text}": the feature and strength must be finite numbers`)
  return { index, mode, strength: match[3] ? { kind: 'maxMultiple', multiple: amount } : { kind: 'absolute', value: amount } }
}

export function parseSteerFlags(clamps: readonly string[] | undefined, adds: readonly string[] | undefined): Intervention[] {
  return [...(clamps ?? []).map((t) => parseSteerFlag('clamp', t)), ...(adds ?? []).map((t) => parseSteerFlag('add', t))]
}

export const needsMaxActs = (interventions: readonly Intervention[]): boolean => interventions.some((i) => i.strength.kind === 'maxMultiple')

export interface CliMaxActs {
  values: Float32Array
  /** Where they came from, for the JSON output and messages. */
  source: string
}

/** Max activations from --max-acts FILE, else the app's precomputed summary, else measured (deterministically) on the default sample. */
export async function loadOrMeasureMaxActs(
  model: HookedModel,
  tokenizer: HfTextTokenizer | null,
  sae: Sae,
  hook: HookName,
  opts: { file?: string | undefined; spec?: string; textFile?: string | undefined; seed?: number; tokens?: number; verbose?: boolean },
): Promise<CliMaxActs> {
  if (opts.file !== undefined) {
    const file = parseFeatureAnalysis(await readJsonFile(path.resolve(opts.file)))
    if (file.sae.d_sae !== sae.config.dSae) throw new InvalidArgumentError(`--max-acts ${opts.file} describes an SAE with ${file.sae.d_sae} features; this SAE has ${sae.config.dSae}`)
    const values = new Float32Array(sae.config.dSae).fill(NaN) // features the file leaves out stay unknown
    for (const f of file.features) values[f.index] = f.max_act
    return { values, source: `analysis:${opts.file}` }
  }
  const summary = opts.spec === undefined ? null : precomputedSummaryFile(opts.spec)
  if (summary) {
    const file = parseFeatureSummary(await readJsonFile(summary))
    if (file.sae.d_sae === sae.config.dSae) {
      return { values: Float32Array.from(file.features, (f) => f.max_act), source: `analysis:${path.relative(publicRoot, summary).split(path.sep).join('/')}` }
    }
  }
  const seed = opts.seed ?? MAX_ACT_SAMPLE_SEED
  const tokens = opts.tokens ?? MAX_ACT_SAMPLE_TOKENS
  const corpus = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens, textFile: opts.textFile })
  if (opts.verbose) process.stderr.write(`monoscope: measuring max activations on ${corpus.description}\n`)
  const values = await measureMaxActs(model, sae, hook, corpus.windows, { skipFirst: corpus.skipFirst })
  return { values, source: `measured:${corpus.description}:tokens=${tokens}` }
}

/** The explorer's summary.json for an SAE listed in an index under public/saes/ (the same numbers the app shows). */
function precomputedSummaryFile(spec: string): string | null {
  const entry = indexEntryFor(spec)
  if (!entry?.analysis) return null
  const file = path.join(publicRoot, entry.analysis, SUMMARY_FILENAME)
  return existsSync(file) ? file : null
}

// `monoscope contrast`: contrastive feature search — the SAE features whose mean activation differs most between prompts
// with a concept and prompts without it (typed, from files, or drawn from TinyWorld by concept name), and, for a target
// token, the features whose attribution to its logit at each prompt's last position differs most.
import { parseArgs } from 'node:util'
import { conceptPromptSets } from '../../core/attribution/conceptPrompts.ts'
import { contrast, featureContrast, type ContrastResult } from '../../core/attribution/contrast.ts'
import { describeTarget, type AttributionTarget } from '../../core/attribution/target.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import type { Sae } from '../../core/sae/sae.ts'
import type { HfTextTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { MIN_DOC_TOKENS } from '../../core/world/index.ts'
import { speaksTinyWorld } from '../../core/world/speaks.ts'
import { parseIdList, parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { promptIdsForSae } from '../promptIds.ts'
import { tokenFromText } from './attribute.ts'
import { loadSaeFromSpec } from './features.ts'
import { readTextFileCapped } from '../textFile.ts'

export const contrastUsage = `monoscope contrast [--model SRC] --sae SRC [--hook NAME]
    (--with FILE | --with-text "a|b"…) (--without FILE | --without-text "c|d"…) | --concept NAME [--prompts 64] [--seed 1] [--window 32]
    [--target TEXT | --target-id ID] [--top 20] [--batch 16] [--json]
  Which SAE features tell two prompt sets apart? Per feature: its mean activation over every token of each set (a
  leading BOS excluded), the fraction of tokens where it fires, ranked by mean(with) − mean(without). With a target
  token, also its attribution f_i·∂logit/∂f_i to that token's logit at each prompt's last position, summed over the
  prompt's positions and averaged over prompts, ranked by the difference. Files hold one prompt per line; --with-text
  and --without-text split prompts on "|"; both may repeat. On a TinyWorld model, --concept NAME draws --prompts
  windows of --window tokens holding the concept and as many of the same language and document type without it.`

async function promptTexts(files: readonly string[], texts: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const file of files) out.push(...(await readTextFileCapped(file, 'a prompt file')).split(/\r?\n/))
  for (const text of texts) out.push(...text.split('|'))
  return out.map((s) => s.trim()).filter((s) => s.length > 0)
}

export async function contrastCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      sae: { type: 'string' },
      hook: { type: 'string' },
      with: { type: 'string', multiple: true },
      'with-text': { type: 'string', multiple: true },
      without: { type: 'string', multiple: true },
      'without-text': { type: 'string', multiple: true },
      concept: { type: 'string' },
      prompts: { type: 'string' },
      seed: { type: 'string' },
      window: { type: 'string' },
      target: { type: 'string' },
      'target-id': { type: 'string' },
      top: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('contrast needs --sae SRC (an SAELens folder)')
  const withGiven = (values.with?.length ?? 0) + (values['with-text']?.length ?? 0) > 0
  const withoutGiven = (values.without?.length ?? 0) + (values['without-text']?.length ?? 0) > 0
  if (values.concept !== undefined && (withGiven || withoutGiven)) throw new InvalidArgumentError('Give either --concept or the two prompt sets (--with…, --without…), not both')
  if (values.concept === undefined && !(withGiven && withoutGiven)) throw new InvalidArgumentError('Give both prompt sets (--with FILE or --with-text, and --without FILE or --without-text), or --concept NAME on a TinyWorld model')
  if (values.target !== undefined && values['target-id'] !== undefined) throw new InvalidArgumentError('Give at most one of --target and --target-id')
  const count = parseIntFlag('prompts', values.prompts, 64, 1)
  const seed = parseIntFlag('seed', values.seed, 1, 0)
  const window = parseIntFlag('window', values.window, 32, 1)
  if (window > MIN_DOC_TOKENS) throw new InvalidArgumentError(`--window must be at most ${MIN_DOC_TOKENS}, TinyWorld's shortest document, got ${window}`)
  const top = parseIntFlag('top', values.top, 20, 1)
  const batchSize = parseIntFlag('batch', values.batch, 16, 1)

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  let sae: Sae | null = null
  try {
    sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    const sets = await promptSets(model, tokenizer, sae, values, { count, seed, window })
    let target: AttributionTarget | null = null
    if (values['target-id'] !== undefined) {
      const ids = parseIdList(values['target-id'])
      if (ids.length !== 1) throw new InvalidArgumentError('--target-id takes one token id')
      target = { kind: 'logit', token: ids[0]! }
    } else if (values.target !== undefined) target = { kind: 'logit', token: tokenFromText(tokenizer, values.target, '--target') }
    const result = await contrast(model, sae, values.hook, sets.with, sets.without, {
      target,
      batchSize,
      onProgress: values.verbose ? (e) => process.stderr.write(`\rmonoscope: ${e.done}/${e.total} prompts`) : undefined,
    })
    if (values.verbose) process.stderr.write('\n')
    const text = (id: number) => tokenizer?.decodeToken(id) ?? `#${id}`
    if (values.json) process.stdout.write(`${JSON.stringify(toJson(result, text, values.concept ?? null))}\n`)
    else process.stdout.write(formatTables(result, text, top, values.concept ?? null))
  } finally {
    sae?.dispose()
    model.dispose()
  }
}

async function promptSets(
  model: HookedModel,
  tokenizer: HfTextTokenizer | null,
  sae: Sae,
  values: { concept?: string; with?: string[]; 'with-text'?: string[]; without?: string[]; 'without-text'?: string[] },
  opts: { count: number; seed: number; window: number },
): Promise<{ with: number[][]; without: number[][] }> {
  if (values.concept !== undefined) {
    if (!speaksTinyWorld(model, tokenizer)) throw new InvalidArgumentError('--concept draws TinyWorld documents, and this model does not speak TinyWorld: give --with and --without prompts')
    return conceptPromptSets(values.concept, opts.count, opts.seed, { windowTokens: opts.window })
  }
  const ids = async (files: string[] | undefined, texts: string[] | undefined, name: string) => {
    const prompts = await promptTexts(files ?? [], texts ?? [])
    if (prompts.length === 0) throw new InvalidArgumentError(`The "${name}" set has no prompts (blank lines are skipped)`)
    return prompts.map((p) => promptIdsForSae(model, tokenizer, sae, p, { text: `--${name}-text`, ids: `--${name}` }))
  }
  return { with: await ids(values.with, values['with-text'], 'with'), without: await ids(values.without, values['without-text'], 'without') }
}

function toJson(r: ContrastResult, text: (id: number) => string, concept: string | null) {
  const row = (i: number) => {
    const f = featureContrast(r, i)
    return {
      feature: f.feature,
      mean_with: f.meanWith,
      mean_without: f.meanWithout,
      difference: f.difference,
      firing_with: f.firingWith,
      firing_without: f.firingWithout,
      attribution_with: f.attributionWith,
      attribution_without: f.attributionWithout,
      attribution_difference: f.attributionDifference,
    }
  }
  return {
    hook: r.hook,
    concept,
    target: r.target,
    target_text: r.target ? describeTarget(r.target, text) : null,
    with: { prompts: r.with.prompts, tokens: r.with.tokens },
    without: { prompts: r.without.prompts, tokens: r.without.tokens },
    attribution_unavailable: r.attributionUnavailable,
    /** Every feature, by mean(with) − mean(without), largest first. */
    features: r.byActivation.map(row),
    /** Feature indices by attribution difference, largest first; null without a target. */
    by_attribution: r.byAttribution,
  }
}

function formatTables(r: ContrastResult, text: (id: number) => string, top: number, concept: string | null): string {
  const num = (v: number | null) => (v === null ? '—' : v.toFixed(4)).padStart(11)
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(7)
  const lines = [
    `${concept === null ? 'with' : `with "${concept}"`}: ${r.with.prompts} prompts, ${r.with.tokens} tokens; without: ${r.without.prompts} prompts, ${r.without.tokens} tokens (SAE at ${r.hook})`,
  ]
  if (r.attributionUnavailable) lines.push(r.attributionUnavailable)
  const header = `${'rank'.padStart(4)} ${'feature'.padStart(7)} ${'mean with'.padStart(11)} ${'without'.padStart(11)} ${'difference'.padStart(11)} ${'fires w'.padStart(7)} ${'w/o'.padStart(7)}`
  const row = (i: number, rank: number, withAttr: boolean) => {
    const f = featureContrast(r, i)
    const base = `${String(rank + 1).padStart(4)} ${String(f.feature).padStart(7)} ${num(f.meanWith)} ${num(f.meanWithout)} ${num(f.difference)} ${pct(f.firingWith)} ${pct(f.firingWithout)}`
    return withAttr ? `${base} ${num(f.attributionWith)} ${num(f.attributionWithout)} ${num(f.attributionDifference)}` : base
  }
  lines.push('by difference in mean activation:', header)
  r.byActivation.slice(0, top).forEach((i, k) => lines.push(row(i, k, false)))
  if (r.byAttribution && r.target) {
    lines.push(`by difference in mean attribution to ${describeTarget(r.target, text)} at each prompt's last position:`)
    lines.push(`${header} ${'attr with'.padStart(11)} ${'without'.padStart(11)} ${'difference'.padStart(11)}`)
    r.byAttribution.slice(0, top).forEach((i, k) => lines.push(row(i, k, true)))
  }
  return `${lines.join('\n')}\n`
}

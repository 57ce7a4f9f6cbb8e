// `monoscope attribute`: which SAE features make the model predict a token — each active feature's activation,
// attribution (f_i · ∂target/∂f_i) and exact ablation effect, ranked, with how well each cheap ranking agrees with
// ablation's top 10 (the paper's comparison of attribution and activation as proxies for causal effect).
import { parseArgs } from 'node:util'
import { attribute, topKOverlap, type AttributionResult } from '../../core/attribution/attribute.ts'
import { describeTarget, type AttributionTarget } from '../../core/attribution/target.ts'
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import type { Sae } from '../../core/sae/sae.ts'
import type { HfTextTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { parseIdList, parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { checkPromptIds, promptIdsForSae } from '../promptIds.ts'
import { loadSaeFromSpec } from './features.ts'

export const attributeUsage = `monoscope attribute [--model SRC] --sae SRC [--hook NAME] (--prompt "…" | --ids 5,17,42)
    [--position N] [--target TEXT | --target-id ID] [--versus TEXT | --versus-id ID] [--loss]
    [--no-ablation] [--top 20] [--batch 32] [--json]
  Why does the model predict a token after position N (default: the last)? For every SAE feature active at
  positions 0…N: its activation f_i, its attribution f_i·(d_i·∇ₓ target) through the model downstream of the SAE's
  hook with the error term fixed, and its ablation effect (target − target with f_i := 0 in SAE(x) + error, exact).
  The target is the token's logit (default: the model's top prediction), a logit difference with --versus, or the
  loss −log p(token) with --loss. ONNX models give ablation only (no gradients). --json prints every feature.`

const OVERLAP_K = 10

export function tokenFromText(tokenizer: HfTextTokenizer | null, text: string, flag: string): number {
  if (!tokenizer) throw new TokenizerError(`This model has no tokenizer.json: use ${flag}-id instead of ${flag}`)
  const ids = tokenizer.encode(text, { addSpecialTokens: false })
  if (ids.length !== 1) throw new InvalidArgumentError(`${flag} "${text}" is ${ids.length} tokens; it must be exactly one (or use ${flag}-id)`)
  return ids[0]!
}

async function topPrediction(model: HookedModel, ids: number[]): Promise<number> {
  const logits = await model.forward([ids], { logitsAt: 'last' })
  const top = logits.argMax(-1)
  try {
    return (await top.data())[0]!
  } finally {
    logits.dispose()
    top.dispose()
  }
}

export async function attributeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      sae: { type: 'string' },
      hook: { type: 'string' },
      prompt: { type: 'string' },
      ids: { type: 'string' },
      position: { type: 'string' },
      target: { type: 'string' },
      'target-id': { type: 'string' },
      versus: { type: 'string' },
      'versus-id': { type: 'string' },
      loss: { type: 'boolean', default: false },
      'no-ablation': { type: 'boolean', default: false },
      top: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('attribute needs --sae SRC (an SAELens folder)')
  if ((values.prompt === undefined) === (values.ids === undefined)) throw new InvalidArgumentError('Give exactly one of --prompt or --ids')
  if (values.target !== undefined && values['target-id'] !== undefined) throw new InvalidArgumentError('Give at most one of --target and --target-id')
  if (values.versus !== undefined && values['versus-id'] !== undefined) throw new InvalidArgumentError('Give at most one of --versus and --versus-id')
  const hasVersus = values.versus !== undefined || values['versus-id'] !== undefined
  if (hasVersus && values.loss) throw new InvalidArgumentError('--versus (a logit difference) and --loss are different targets: give one')
  const top = parseIntFlag('top', values.top, 20, 1)
  const batchSize = parseIntFlag('batch', values.batch, 32, 1)
  const singleId = (flag: string, text: string) => {
    const ids = parseIdList(text)
    if (ids.length !== 1) throw new InvalidArgumentError(`--${flag} takes one token id`)
    return ids[0]!
  }

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  let sae: Sae | null = null
  try {
    sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    const ids = values.ids !== undefined ? checkPromptIds(model, parseIdList(values.ids)) : promptIdsForSae(model, tokenizer, sae, values.prompt ?? '', { text: '--prompt', ids: '--ids' })
    const position = parseIntFlag('position', values.position, ids.length - 1, 0)
    if (position >= ids.length) throw new InvalidArgumentError(`--position ${position} is outside the prompt's ${ids.length} tokens (0…${ids.length - 1})`)
    const idOf = (flag: 'target' | 'versus'): number | null => {
      const byId = values[`${flag}-id`]
      if (byId !== undefined) return singleId(`${flag}-id`, byId)
      const text = values[flag]
      return text === undefined ? null : tokenFromText(tokenizer, text, `--${flag}`)
    }
    const token = idOf('target') ?? (values.loss && position + 1 < ids.length ? ids[position + 1]! : await topPrediction(model, ids.slice(0, position + 1)))
    const versus = idOf('versus')
    const target: AttributionTarget = versus !== null ? { kind: 'logitDiff', token, versus } : values.loss ? { kind: 'loss', token } : { kind: 'logit', token }
    const result = await attribute(model, sae, values.hook, ids, {
      target,
      position,
      ablation: !values['no-ablation'],
      batchSize,
      onProgress: values.verbose ? (e) => process.stderr.write(`\rmonoscope: ablated ${e.ablated}/${e.total}`) : undefined,
    })
    if (values.verbose) process.stderr.write('\n')
    const text = (id: number) => tokenizer?.decodeToken(id) ?? `#${id}`
    if (values.json) process.stdout.write(`${JSON.stringify(toJson(result, text))}\n`)
    else process.stdout.write(formatTable(result, text, top))
  } finally {
    sae?.dispose()
    model.dispose()
  }
}

function overlaps(r: AttributionResult): { k: number; attribution: number | null; activation: number } | null {
  if (r.features.length === 0 || r.features[0]!.ablation === null) return null
  const ablation = (e: (typeof r.features)[number]) => e.ablation!
  return {
    k: Math.min(OVERLAP_K, r.features.length),
    attribution: r.attributionUnavailable === null ? topKOverlap(r.features, (e) => e.attribution!, ablation, OVERLAP_K) : null,
    activation: topKOverlap(r.features, (e) => e.activation, ablation, OVERLAP_K),
  }
}

function toJson(r: AttributionResult, text: (id: number) => string) {
  return {
    hook: r.hook,
    tokens: r.ids,
    position: r.position,
    target: r.target,
    target_text: describeTarget(r.target, text),
    value: r.value,
    error_attribution: r.errorAttribution,
    bias_attribution: r.biasAttribution,
    attribution_unavailable: r.attributionUnavailable,
    overlap: overlaps(r),
    features: r.features.map((e) => ({ position: e.position, token: text(r.ids[e.position]!), feature: e.feature, activation: e.activation, attribution: e.attribution, ablation: e.ablation })),
  }
}

function formatTable(r: AttributionResult, text: (id: number) => string, top: number): string {
  const num = (v: number | null) => (v === null ? '—' : v.toFixed(4)).padStart(11)
  const sum = (v: number[] | null) => (v === null ? '—' : v.reduce((a, b) => a + b, 0).toFixed(4))
  const lines = [
    `prompt: ${r.ids.map(text).join('|')}`,
    `target: ${describeTarget(r.target, text)} after position ${r.position} = ${r.value.toFixed(4)} (SAE(x) + error at ${r.hook})`,
    `${r.features.length} active features; error term attribution ${sum(r.errorAttribution)}, decoder bias ${sum(r.biasAttribution)}`,
  ]
  if (r.attributionUnavailable) lines.push(r.attributionUnavailable)
  const o = overlaps(r)
  if (o) lines.push(`top-${o.k} overlap with ablation: attribution ${o.attribution === null ? '—' : o.attribution.toFixed(2)}, activation ${o.activation.toFixed(2)}`)
  lines.push(`${'rank'.padStart(4)} ${'pos'.padStart(4)} ${'token'.padEnd(14)} ${'feature'.padStart(7)} ${'activation'.padStart(11)} ${'attribution'.padStart(11)} ${'ablation'.padStart(11)}`)
  r.features.slice(0, top).forEach((e, i) => {
    lines.push(`${String(i + 1).padStart(4)} ${String(e.position).padStart(4)} ${JSON.stringify(text(r.ids[e.position]!)).slice(0, 14).padEnd(14)} ${String(e.feature).padStart(7)} ${num(e.activation)} ${num(e.attribution)} ${num(e.ablation)}`)
  })
  return `${lines.join('\n')}\n`
}

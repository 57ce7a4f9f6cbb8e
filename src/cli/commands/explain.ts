// `monoscope explain`: an explanation and its scores for every feature of one or more analysis folders, written
// back into their summaries and shards. Offline by default (token patterns, scored by the statistical simulator);
// with --endpoint, an OpenAI-compatible LLM explains and simulates (Bills et al. 2023) the chosen features.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { FeatureAnalysisFile } from '../../core/analysis/format.ts'
import { explainAllOffline, explanationReport, formatExplanationReport, type ExplanationReport } from '../../core/autointerp/explainAnalysis.ts'
import { sha256Hex } from '../../core/autointerp/llm/cache.ts'
import { featureRecords } from '../../core/autointerp/records.ts'
import { InvalidArgumentError, MonoscopeError } from '../../core/errors.ts'
import { tinyWorldConceptWords } from '../../core/world/conceptWords.ts'
import { readAnalysisFolder, writeAnalysisFolder } from '../analysisFolder.ts'
import { explanationReportMarkdown } from '../explanationReportMarkdown.ts'
import { explainWithLlm, LLM_FLAG_OPTIONS, llmFlagsUsage, llmProgressLine, parseLlmExplainOptions, type LlmExplainOptions } from '../llmExplainOptions.ts'

export const explainUsage = `monoscope explain --analysis DIR [--analysis DIR …] [--out-dir DIR] [--report FILE.json]
    [--endpoint URL --llm-model NAME --sae DIR [--features LIST] …]
  Explains every live feature of analysis folders (summary.json + shards, from \`analyze --out-dir\`) and scores
  each explanation on held-out top and random contexts: the simulation score (correlation of predicted and true
  activations) and the detection score (balanced accuracy). Offline: the tokens a feature fires on and the token
  before them (on TinyWorld, a concept's words), scored by a simulator that reads only the text. Explanations made
  by a user or an LLM are kept. Writes back in place, or to --out-dir (one analysis only); --report writes the
  score distributions as JSON and, beside it, as Markdown.
${llmFlagsUsage}
  --sae DIR   the analysed SAE's folder: the SHA-256 of its weights keys the LLM cache (with the feature, model and
              prompt version), so nothing is explained twice
  --features LIST   which features the LLM explains, e.g. 0-99,444 (default: every live feature)`

/** Features 0-99,444 → their indices; each must exist in the analysis. */
export function parseFeatureList(text: string, dSae: number): number[] {
  const out = new Set<number>()
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    const lo = m ? Number(m[1]) : NaN
    const hi = m ? Number(m[2] ?? m[1]) : NaN
    if (!(lo <= hi && hi < dSae)) throw new InvalidArgumentError(`--features: "${part}" is not a feature or range of features 0…${dSae - 1} (e.g. 0-99,444)`)
    for (let i = lo; i <= hi; i++) out.add(i)
  }
  if (out.size === 0) throw new InvalidArgumentError('--features needs at least one feature, e.g. 0-99,444')
  return [...out].sort((a, b) => a - b)
}

/** The chosen live features explained by the LLM; a feature it fails on keeps its offline explanation and is named. */
async function explainLive(file: FeatureAnalysisFile, llm: LlmExplainOptions, saeDir: string, list: string | undefined): Promise<FeatureAnalysisFile> {
  let weights: Uint8Array<ArrayBuffer>
  try {
    weights = new Uint8Array(await readFile(path.join(path.resolve(saeDir), 'sae_weights.safetensors')))
  } catch {
    throw new InvalidArgumentError(`--sae ${saeDir}: no sae_weights.safetensors there (give the analysed SAE's SAELens folder)`)
  }
  const saeHash = await sha256Hex(weights)
  const wanted = new Set(list === undefined ? file.features.map((f) => f.index) : parseFeatureList(list, file.sae.d_sae))
  const live = file.features.filter((f) => wanted.has(f.index) && f.max_act > 0)
  const tty = process.stderr.isTTY === true
  const results = await explainWithLlm(
    live.map((f) => ({ index: f.index, records: featureRecords(f, file) })),
    { ...llm, saeHash },
    (p) => process.stderr.write(tty ? `\r${llmProgressLine(p).padEnd(60)}${p.done === p.total ? '\n' : ''}` : `${llmProgressLine(p)}\n`),
  )
  const byIndex = new Map(results.map((r) => [r.index, r]))
  const failed = results.filter((r) => !r.ok)
  for (const r of failed.slice(0, 5)) if (!r.ok) process.stderr.write(`explain: feature ${r.index}: ${r.error.message} [${r.error.code}]\n`)
  if (failed.length > 5) process.stderr.write(`explain: … and ${failed.length - 5} more features failed\n`)
  const first = failed[0]
  if (first && !first.ok && failed.length === results.length) {
    // Nothing came back (a wrong URL, a refused key): a typed failure of the whole command, nothing written.
    throw new MonoscopeError(first.error.code === 'UNKNOWN' ? 'LLM_ENDPOINT' : first.error.code, `the LLM explained none of the ${results.length} features: ${first.error.message}`)
  }
  return {
    ...file,
    features: file.features.map((f) => {
      const r = byIndex.get(f.index)
      return r?.ok ? { ...f, explanation: r.explanation } : f
    }),
  }
}

export async function explainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { analysis: { type: 'string', multiple: true }, 'out-dir': { type: 'string' }, report: { type: 'string' }, sae: { type: 'string' }, features: { type: 'string' }, ...LLM_FLAG_OPTIONS },
    strict: true,
  })
  const dirs = (values.analysis ?? []).map((d) => path.resolve(d))
  if (dirs.length === 0) throw new InvalidArgumentError('explain needs --analysis DIR (a folder written by `monoscope analyze --out-dir`)')
  if (values['out-dir'] && dirs.length > 1) throw new InvalidArgumentError('--out-dir takes one --analysis folder')
  const llm = parseLlmExplainOptions(values)
  if (llm && dirs.length > 1) throw new InvalidArgumentError('--endpoint explains one --analysis folder at a time (its SAE is --sae)')
  if (llm && !values.sae) throw new InvalidArgumentError('--endpoint needs --sae DIR, the analysed SAE: its weights hash keys the explanation cache')
  if (!llm && (values.sae || values.features)) throw new InvalidArgumentError('--sae and --features choose what an LLM explains: give --endpoint and --llm-model too')
  const reports: (ExplanationReport & { sae: string })[] = []
  for (const dir of dirs) {
    const { file, shardSize } = await readAnalysisFolder(dir)
    if (!file.random_contexts?.length) process.stderr.write(`explain: ${dir} has no random contexts (written before them): scores use held-out top examples only; re-run \`analyze\` to score on random text too\n`)
    const offline = explainAllOffline(file, { conceptWords: tinyWorldConceptWords(file.ground_truth?.concepts ?? null) })
    const explained = llm ? await explainLive(offline, llm, values.sae!, values.features) : offline
    await writeAnalysisFolder(path.resolve(values['out-dir'] ?? dir), explained, shardSize)
    const report = explanationReport(explained)
    reports.push({ sae: file.sae.id, ...report })
    process.stdout.write(`${file.sae.id}\n${formatExplanationReport(report)}\n`)
  }
  if (values.report) {
    const json = path.resolve(values.report)
    await writeFile(json, `${JSON.stringify({ format: 'monoscope.explanation-report', version: 1, saes: reports }, null, 2)}\n`)
    await writeFile(json.replace(/(\.json)?$/, '.md'), explanationReportMarkdown(reports))
  }
}

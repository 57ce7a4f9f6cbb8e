// `monoscope explain`: an explanation and its scores for every feature of one or more analysis folders, written
// back into their summaries and shards. Offline by default (token patterns, scored by the statistical simulator).
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { explainAllOffline, explanationReport, formatExplanationReport, type ExplanationReport } from '../../core/autointerp/explainAnalysis.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { tinyWorldConceptWords } from '../../core/world/conceptWords.ts'
import { readAnalysisFolder, writeAnalysisFolder } from '../analysisFolder.ts'
import { explanationReportMarkdown } from '../explanationReportMarkdown.ts'

export const explainUsage = `monoscope explain --analysis DIR [--analysis DIR …] [--out-dir DIR] [--report FILE.json]
  Explains every live feature of analysis folders (summary.json + shards, from \`analyze --out-dir\`) and scores
  each explanation on held-out top and random contexts: the simulation score (correlation of predicted and true
  activations) and the detection score (balanced accuracy). Offline: the tokens a feature fires on and the token
  before them (on TinyWorld, a concept's words), scored by a simulator that reads only the text. Explanations made
  by a user or an LLM are kept. Writes back in place, or to --out-dir (one analysis only); --report writes the
  score distributions as JSON and, beside it, as Markdown.`

export async function explainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { analysis: { type: 'string', multiple: true }, 'out-dir': { type: 'string' }, report: { type: 'string' } },
    strict: true,
  })
  const dirs = (values.analysis ?? []).map((d) => path.resolve(d))
  if (dirs.length === 0) throw new InvalidArgumentError('explain needs --analysis DIR (a folder written by `monoscope analyze --out-dir`)')
  if (values['out-dir'] && dirs.length > 1) throw new InvalidArgumentError('--out-dir takes one --analysis folder')
  const reports: (ExplanationReport & { sae: string })[] = []
  for (const dir of dirs) {
    const { file, shardSize } = await readAnalysisFolder(dir)
    if (!file.random_contexts?.length) process.stderr.write(`explain: ${dir} has no random contexts (written before them): scores use held-out top examples only; re-run \`analyze\` to score on random text too\n`)
    const explained = explainAllOffline(file, { conceptWords: tinyWorldConceptWords(file.ground_truth?.concepts ?? null) })
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

// `monoscope explain`: an explanation and its scores for every feature of an analysis folder, written back into
// its summary and shards. Offline by default (token patterns, scored by the statistical simulator); with
// --endpoint, an OpenAI-compatible LLM explains and simulates (Bills et al. 2023).
import path from 'node:path'
import { parseArgs } from 'node:util'
import { explainAllOffline, explanationReport, formatExplanationReport } from '../../core/autointerp/explainAnalysis.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { conceptCatalogue } from '../../core/world/catalogue.ts'
import { readAnalysisFolder, writeAnalysisFolder } from '../analysisFolder.ts'

export const explainUsage = `monoscope explain --analysis DIR [--out-dir DIR] [--report FILE]
  Explains every live feature of an analysis folder (summary.json + shards, from \`analyze --out-dir\`) and
  scores each explanation on held-out top and random contexts: the simulation score (correlation of predicted
  and true activations) and the detection score (balanced accuracy). Offline: the tokens a feature fires on and
  the token before them, scored by a simulator that reads only the text. Explanations made by a user or an LLM
  are kept. Writes back in place, or to --out-dir; --report writes the score distribution as JSON.`

/**
 * On TinyWorld (ground-truth concept names that are the catalogue's, in its order), each word concept's words in
 * every language, split into tokens as the word tokenizer splits names; null elsewhere.
 */
function tinyWorldConceptWords(names: readonly string[] | null): ((id: number) => readonly string[] | null) | undefined {
  if (names === null) return undefined
  const catalogue = conceptCatalogue().concepts
  if (names.length !== catalogue.length || names.some((n, i) => catalogue[i]!.name !== n)) return undefined
  return (id) => {
    const c = catalogue[id]
    if (!c || c.scope !== 'word') return null
    return [...new Set(Object.values(c.surfaceForms).flatMap((forms) => forms.flatMap((f) => f.split(' '))))]
  }
}

export async function explainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { analysis: { type: 'string' }, 'out-dir': { type: 'string' }, report: { type: 'string' } },
    strict: true,
  })
  if (!values.analysis) throw new InvalidArgumentError('explain needs --analysis DIR (a folder written by `monoscope analyze --out-dir`)')
  const dir = path.resolve(values.analysis)
  const { file, shardSize } = await readAnalysisFolder(dir)
  if (!file.random_contexts?.length) process.stderr.write('explain: this analysis has no random contexts (written before them): scores use held-out top examples only; re-run `analyze` to score on random text too\n')
  const explained = explainAllOffline(file, { conceptWords: tinyWorldConceptWords(file.ground_truth?.concepts ?? null) })
  await writeAnalysisFolder(path.resolve(values['out-dir'] ?? dir), explained, shardSize)
  const report = explanationReport(explained)
  process.stdout.write(`${file.sae.id}\n${formatExplanationReport(report)}\n`)
  if (values.report) {
    const { writeFile } = await import('node:fs/promises')
    await writeFile(path.resolve(values.report), `${JSON.stringify({ format: 'monoscope.explanation-report', version: 1, sae: file.sae.id, ...report }, null, 2)}\n`)
  }
}

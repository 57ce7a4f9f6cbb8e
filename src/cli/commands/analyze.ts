// `monoscope analyze`: an SAE's feature pages (density, max activation, top and quantile examples, histogram,
// logit effects, neighbours, TinyWorld concept match) as one feature-analysis JSON file, or split into a folder
// (summary.json + gzipped shards) the app opens instantly, optionally with the joint UMAP map of several SAEs.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { analyzeSae, DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../core/analysis/analyze.ts'
import { DEFAULT_SHARD_SIZE } from '../../core/analysis/featureFolder.ts'
import { featureMapFile, splittingLinks, umapLayout } from '../../core/analysis/umap.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { conceptCatalogue, wordConceptIds } from '../../core/world/catalogue.ts'
import { writeAnalysisFolder } from '../analysisFolder.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { loadSaeFromSpec } from './features.ts'

export const analyzeUsage = `monoscope analyze [--model SRC] --sae SRC [--id SAE_ID] [--hook NAME] [--tokens N] [--seed S] [--text-file FILE]
    [--others [ID=]SRC,…] [--map FILE] (--out FILE | --out-dir DIR [--shard-size N])
    [--top-k N] [--context-before N] [--context-after N] [--quantiles N] [--per-quantile N] [--digits N]
  Writes the SAE's feature pages (src/core/analysis/FORMAT.md) to --out as one file, or to --out-dir as
  summary.json plus gzipped shards of --shard-size pages (default ${DEFAULT_SHARD_SIZE}). --others adds cross-SAE
  neighbours (ID= names them as the app does), and --map writes a joint UMAP layout of this SAE and the others,
  with splitting links to each SAE's next-smaller one. On TinyWorld each feature gets its best ground-truth concept.`

/** `id=src` names an SAE for neighbour lists and the map; a bare `src` is its own id. */
function parseOther(text: string): { id: string; spec: string } {
  const eq = text.indexOf('=')
  return eq > 0 ? { id: text.slice(0, eq), spec: text.slice(eq + 1) } : { id: text, spec: text }
}

export async function analyzeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      sae: { type: 'string' },
      id: { type: 'string' },
      hook: { type: 'string' },
      tokens: { type: 'string' },
      seed: { type: 'string' },
      'text-file': { type: 'string' },
      others: { type: 'string' },
      map: { type: 'string' },
      out: { type: 'string' },
      'out-dir': { type: 'string' },
      'shard-size': { type: 'string' },
      'top-k': { type: 'string' },
      'context-before': { type: 'string' },
      'context-after': { type: 'string' },
      quantiles: { type: 'string' },
      'per-quantile': { type: 'string' },
      digits: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('analyze needs --sae SRC')
  if (values.out === undefined && values['out-dir'] === undefined) throw new InvalidArgumentError('analyze needs --out FILE or --out-dir DIR')
  const tokens = parseIntFlag('tokens', values.tokens, 20_000, 1)
  const seed = parseIntFlag('seed', values.seed, 424_242, 0) // a labelled sample apart from training streams
  const shardSize = parseIntFlag('shard-size', values['shard-size'], DEFAULT_SHARD_SIZE, 1)
  const d = DEFAULT_ANALYSIS_OPTIONS
  const options: Partial<AnalysisOptions> = {
    topK: parseIntFlag('top-k', values['top-k'], d.topK, 1),
    contextBefore: parseIntFlag('context-before', values['context-before'], d.contextBefore, 0),
    contextAfter: parseIntFlag('context-after', values['context-after'], d.contextAfter, 0),
    quantiles: parseIntFlag('quantiles', values.quantiles, d.quantiles, 0),
    perQuantile: parseIntFlag('per-quantile', values['per-quantile'], d.perQuantile, 0),
    significantDigits: parseIntFlag('digits', values.digits, d.significantDigits ?? 5, 1),
  }

  const { model, tokenizer, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  const loaded: Sae[] = []
  try {
    const sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    loaded.push(sae)
    const others: { id: string; sae: Sae }[] = []
    for (const { id, spec } of parseNameList(values.others).map(parseOther)) {
      const other = await loadSaeFromSpec(spec, { verbose: values.verbose })
      loaded.push(other)
      others.push({ id, sae: other })
    }
    const hook = resolveSaeHook(model, sae, values.hook)
    const saeId = values.id ?? values.sae
    const corpus = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens, textFile: values['text-file'] })
    const names = conceptCatalogue().concepts.map((c) => c.name)
    let lastShown = -1
    const started = performance.now()
    const file = await analyzeSae({
      model,
      modelId: source.description,
      sae,
      saeId,
      hook,
      windows: corpus.windows,
      corpusDescription: corpus.description,
      tokenizer,
      labels: corpus.concepts ? { concepts: corpus.concepts, names, wordConcepts: wordConceptIds() } : null,
      others,
      options: { ...options, skipFirst: corpus.skipFirst },
      onProgress: (fraction, phase) => {
        const pct = Math.floor(100 * fraction)
        if (pct === lastShown) return
        lastShown = pct
        process.stderr.write(`\r  analyze: ${String(pct).padStart(3)}% (${phase})   `)
      },
    })
    const seconds = (performance.now() - started) / 1000
    process.stderr.write('\n')
    if (values.out !== undefined) await writeFile(path.resolve(values.out), JSON.stringify(file))
    if (values['out-dir'] !== undefined) {
      const bytes = await writeAnalysisFolder(path.resolve(values['out-dir']), file, shardSize)
      process.stderr.write(`analyze: ${values['out-dir']}: ${(bytes / 1e6).toFixed(2)} MB (summary + gzipped shards)\n`)
    }
    if (values.map !== undefined) {
      const sets = [{ id: saeId, sae }, ...others].map(({ id, sae: s }) => ({ id, wDec: s.weights.wDec }))
      const links = await splittingLinks(sets)
      const map = featureMapFile(await umapLayout(sets, { seed }), { hookName: hook, links })
      await writeFile(path.resolve(values.map), JSON.stringify(map))
    }
    const analysed = file.corpus.tokens
    process.stderr.write(`analyze: ${file.features.length} features over ${corpus.windows.length} windows (${analysed} tokens, ${(analysed / seconds).toFixed(0)} tokens/s)\n`)
  } finally {
    for (const s of loaded) s.dispose()
    model.dispose()
  }
}

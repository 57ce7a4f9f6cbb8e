// `monoscope analyze`: an SAE's feature pages (density, max activation, top and quantile examples, histogram,
// logit effects, neighbours, TinyWorld concept match) as a feature-analysis JSON file, optionally with its UMAP map.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { analyzeSae } from '../../core/analysis/analyze.ts'
import { featureMapFile, umapLayout } from '../../core/analysis/umap.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { conceptCatalogue } from '../../core/world/catalogue.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { loadSaeFromSpec } from './features.ts'

export const analyzeUsage = `monoscope analyze [--model SRC] --sae SRC [--id SAE_ID] [--hook NAME] [--tokens N] [--seed S] [--text-file FILE]
    [--others SRC,SRC] [--map FILE] --out FILE
  Writes the SAE's feature pages (src/core/analysis/FORMAT.md) to --out; --others adds cross-SAE neighbours, and
  --map writes a UMAP layout of this SAE's and the others' decoder directions. On TinyWorld each feature gets its
  best-matching ground-truth concept.`

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
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('analyze needs --sae SRC')
  if (values.out === undefined) throw new InvalidArgumentError('analyze needs --out FILE')
  const tokens = parseIntFlag('tokens', values.tokens, 20_000, 1)
  const seed = parseIntFlag('seed', values.seed, 424_242, 0) // a labelled sample apart from training streams

  const { model, tokenizer, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  const loaded: Sae[] = []
  try {
    const sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    loaded.push(sae)
    const others: { id: string; sae: Sae }[] = []
    for (const spec of parseNameList(values.others)) {
      const other = await loadSaeFromSpec(spec, { verbose: values.verbose })
      loaded.push(other)
      others.push({ id: spec, sae: other })
    }
    const hook = resolveSaeHook(model, sae, values.hook)
    const saeId = values.id ?? values.sae
    const corpus = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens, textFile: values['text-file'] })
    const names = conceptCatalogue().concepts.map((c) => c.name)
    let lastShown = -1
    const file = await analyzeSae({
      model,
      modelId: source.description,
      sae,
      saeId,
      hook,
      windows: corpus.windows,
      corpusDescription: corpus.description,
      tokenizer,
      labels: corpus.concepts ? { concepts: corpus.concepts, names } : null,
      others,
      options: { skipFirst: corpus.skipFirst },
      onProgress: (fraction, phase) => {
        const pct = Math.floor(100 * fraction)
        if (pct === lastShown) return
        lastShown = pct
        process.stderr.write(`\r  analyze: ${String(pct).padStart(3)}% (${phase})   `)
      },
    })
    process.stderr.write('\n')
    await writeFile(path.resolve(values.out), JSON.stringify(file))
    if (values.map !== undefined) {
      const sets = [{ id: saeId, sae }, ...others].map(({ id, sae: s }) => ({ id, wDec: s.weights.wDec }))
      const map = featureMapFile(await umapLayout(sets, { seed }), { hookName: hook })
      await writeFile(path.resolve(values.map), JSON.stringify(map))
    }
    process.stderr.write(`analyze: ${file.features.length} features over ${corpus.windows.length} windows → ${values.out}\n`)
  } finally {
    for (const s of loaded) s.dispose()
    model.dispose()
  }
}

// `monoscope harvest`: runs the model once over a corpus and saves one hook's activations, so that several SAEs
// (sizes, architectures, a λ sweep) train on the same rows without running the model again (train-sae --activations).
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { activationCacheToBytes, harvestActivations } from '../../core/sae/activationCache.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { parseHookName } from '../../core/model/hookNames.ts'
import { parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { bosTokenFor } from '../../core/model/hookedModel.ts'
import { checkActivationRows } from '../../core/limitChecks.ts'
import { corpusFor, progressBar } from './trainSae.ts'
import { WorkerHarvestPool } from '../threads/harvestPool.ts'
import { defaultThreads } from '../threads/workerShardPool.ts'

export const harvestUsage = `monoscope harvest [--model SRC] --hook NAME --rows N [--data-seed S | --text-file FILE] [--context T] [--threads N] --out FILE
  Saves N rows of the hook's activations (each window's BOS position left out) as a safetensors activation cache
  for train-sae --activations FILE. N rows take N × d_in × 4 bytes (at most 2 GiB). --threads N (default: every
  core) runs the model's passes on N worker threads, each with its own copy of a tfjs model (an ONNX model runs
  in-process: onnxruntime uses every core itself); the file is the same for any N.`

export async function harvestCommand(argv: string[]): Promise<void> {
  const text = { type: 'string' } as const
  const { values } = parseArgs({
    args: argv,
    options: { model: text, hook: text, rows: text, 'data-seed': text, 'text-file': text, context: text, threads: text, out: text, verbose: { type: 'boolean', short: 'v', default: false } },
    strict: true,
  })
  if (values.hook === undefined) throw new InvalidArgumentError('harvest needs --hook NAME, e.g. --hook blocks.2.hook_resid_post')
  if (values.out === undefined) throw new InvalidArgumentError('harvest needs --out FILE')
  if (values.rows === undefined) throw new InvalidArgumentError('harvest needs --rows N')
  const rows = parseIntFlag('rows', values.rows, 0, 1)
  const dataSeed = parseIntFlag('data-seed', values['data-seed'], 0, 0)
  const threads = parseIntFlag('threads', values.threads, defaultThreads(), 1)
  const { model, tokenizer, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  let pool: WorkerHarvestPool | null = null
  try {
    const hook = parseHookName(values.hook, model.config.nLayers)
    const { corpus, description } = await corpusFor(model, tokenizer, values['text-file'], dataSeed)
    const contextSize = parseIntFlag('context', values.context, model.config.nCtx, 2)
    const bosTokenId = bosTokenFor(model)
    checkActivationRows(rows, model.hookWidth(hook), 'The harvest (harvest fewer rows)') // before starting threads
    // With threads, this thread only cuts windows and writes rows; the worker threads run the model.
    if (threads > 1 && model.engine.kind !== 'onnx') pool = await WorkerHarvestPool.create(threads, { modelSpec: values.model, hook, skipBos: bosTokenId !== null })
    const bar = progressBar(rows)
    const started = performance.now()
    const cache = await harvestActivations(model, {
      hook,
      corpus,
      corpusDescription: description,
      modelDescription: source.description,
      rows,
      contextSize,
      bosTokenId,
      onProgress: (done, total) => bar(done, `rows of ${total}`),
      ...(pool ? { runner: pool } : {}),
    })
    const seconds = (performance.now() - started) / 1000
    const out = path.resolve(values.out)
    await writeFile(out, activationCacheToBytes(cache))
    const on = pool ? `${pool.size} threads` : '1 thread'
    process.stderr.write(`harvest: ${rows} rows × ${cache.dIn} of ${hook} in ${seconds.toFixed(0)} s (${(cache.info.tokensProcessed / seconds).toFixed(0)} tok/s on ${on}) → ${out}\n`)
  } finally {
    await pool?.dispose()
    model.dispose()
  }
}

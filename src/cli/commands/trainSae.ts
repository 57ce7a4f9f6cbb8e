// `monoscope train-sae`: trains an SAE on one hook of a model over TinyWorld (or text lines) and writes an SAELens
// folder (cfg.json, sae_weights.safetensors, sparsity.safetensors) plus training_log.json.
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { bosTokenFor } from '../../core/model/hookedModel.ts'
import { speaksTinyWorld } from '../../core/world/speaks.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import { parseHookName, type HookName } from '../../core/model/hookNames.ts'
import { CachedActivationSource, readActivationCache } from '../../core/sae/activationCache.ts'
import { ActivationStore, createTokenWindows, type ActivationCorpus, type PassRunner } from '../../core/sae/activationStore.ts'
import { checkpointFromBytes, checkpointToBytes } from '../../core/sae/checkpoint.ts'
import { deadFraction, denseFraction, featureDensity, fireCounts, logSparsity } from '../../core/sae/metrics.ts'
import { saeLensFiles } from '../../core/sae/saelens.ts'
import { Sae } from '../../core/sae/sae.ts'
import { spliceCrossEntropy, type SpliceCrossEntropy } from '../../core/sae/splice.ts'
import { SaeTrainer, SaeTrainingDivergedError, type TrainLogEntry } from '../../core/sae/trainer.ts'
import { resolveTrainerConfig, type SaeTrainerOptions } from '../../core/sae/trainerConfig.ts'
import { checkActivationRows } from '../../core/limitChecks.ts'
import { TRAIN_ARCHITECTURES, usesK as archUsesK, type TrainArchitecture } from '../../core/sae/types.ts'
import { parseMatryoshkaWidths } from '../../core/sae/matryoshka.ts'
import type { HfTextTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { parseFloatFlag, parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { readJsonFile } from '../jsonFile.ts'
import { readTextFileCapped } from '../textFile.ts'
import { WorkerHarvestPool } from '../threads/harvestPool.ts'
import { parseEncoderChoice, trainingEngines, type TrainingEngines } from '../threads/trainingEngines.ts'
import { defaultThreads } from '../threads/workerShardPool.ts'

export const trainSaeUsage = `monoscope train-sae [--model SRC] --hook NAME [--arch standard|topk|batchtopk|jumprelu|matryoshka_batchtopk]
    [--d-sae N] [--l1 λ | --k K] [--matryoshka-widths W1,W2,…,D_SAE] [--dense-latents N [--dense-penalty F]]
    [--steps N] [--batch B] [--lr LR] [--seed S] [--text-file FILE | --data-seed S] [--context T] [--buffer ROWS]
    [--norm-rows N | --no-normalize] [--activations FILE]
    [--checkpoint-every N] [--stop-after STEP] [--resume] [--ce-every N] [--ce-windows W] [--sparsity-rows N] [--model-name NAME]
    [--threads N] [--encoder onnxruntime|tfjs] --out DIR
  Trains an SAE on the hook's activations (TinyWorld's stream, or the lines of --text-file) and writes an SAELens
  folder to DIR with training_log.json. --l1 is λ of the sparsity penalty (L1 for standard, L0 for jumprelu);
  --k is latents per input for topk, batchtopk and matryoshka_batchtopk (the last two are saved as jumprelu, as
  SAELens does). --matryoshka-widths lists the nested prefixes that each reconstruct the input, strictly ascending
  and ending at --d-sae (default d_sae/32, d_sae/8, d_sae/4, d_sae). --dense-latents N (standard) leaves the
  first N latents out of the L1 term, so they may be on over whole spans (--dense-penalty F: they pay F·λ instead, F
  in [0, 1)); the SAE is saved as a plain standard one.
  --activations trains on rows saved by "monoscope harvest" instead of running the model (CE still runs it).
  --checkpoint-every N saves DIR/checkpoint.safetensors every N steps; --resume continues from it with the same
  flags, bit-identically (the data stream is fast-forwarded: instant from a cache, a re-run of the model otherwise).
  --stop-after STEP saves the checkpoint at STEP and exits, for training in several sittings.
  --threads N uses N threads (default: every core). Each step's encoder forward (xc·W_enc, the one product a sparse
  step cannot avoid) runs on onnxruntime-node (~4× tfjs-wasm's speed on one thread), or in tfjs, said on stderr,
  where onnxruntime cannot start; --encoder onnxruntime insists on it and --encoder tfjs keeps it in tfjs. Standard, topk and jumprelu steps split their batch over the N threads, equal
  to one thread's within float rounding, except with the onnxruntime encoder at d_in·d_sae above 2^22, where its
  N threads run the encoder forward instead (faster there); batchtopk and matryoshka_batchtopk select across the
  batch and do not split (matryoshka's encoder stays in tfjs). A run reproduces bit for bit with the same --threads
  and --encoder; the encoders agree to float rounding. Without --activations the model's passes run on N threads
  too (each with its own copy of a tfjs model), giving the same batches.`

/** The corpus of --text-file, or TinyWorld's stream when the model speaks it. */
export async function corpusFor(
  model: HookedModel,
  tokenizer: HfTextTokenizer | null,
  textFile: string | undefined,
  worldSeed: number,
): Promise<{ corpus: ActivationCorpus; description: string; tinyWorld: boolean }> {
  const tinyWorld = speaksTinyWorld(model, tokenizer)
  if (textFile !== undefined) {
    if (!tokenizer) throw new InvalidArgumentError('This model has no tokenizer.json, so it cannot read --text-file')
    const lines = (await readTextFileCapped(textFile, '--text-file')).split('\n').filter((l) => l.trim().length > 0)
    if (lines.length === 0) throw new InvalidArgumentError(`${textFile} has no non-empty lines`)
    return { corpus: { kind: 'lines', lines, tokenizer: { encode: (t) => tokenizer.encode(t, { addSpecialTokens: false }) } }, description: path.resolve(textFile), tinyWorld }
  }
  if (!tinyWorld) throw new InvalidArgumentError("This model's vocabulary is not TinyWorld's: give a corpus with --text-file FILE (one text per line)")
  return { corpus: { kind: 'world', seed: worldSeed }, description: `tinyworld:seed=${worldSeed}`, tinyWorld }
}

/** SAELens's model_name: the last part of a folder, URL or Hub repo id. */
function modelNameOf(description: string): string {
  const clean = description.replace(/^hf:/, '').replace(/@.*$/, '').replace(/\/+$/, '')
  return clean.split('/').pop() || clean
}

/** A one-line progress bar with ETA on stderr: redrawn in place on a terminal, a line every 10% otherwise. */
export function progressBar(total: number): (done: number, detail: string) => void {
  const tty = process.stderr.isTTY === true
  const started = performance.now()
  let lastDraw = 0
  let lastDecile = -1
  return (done, detail) => {
    const now = performance.now()
    const decile = Math.floor((10 * done) / total)
    if (tty ? now - lastDraw < 200 && done < total : decile === lastDecile && done < total) return
    lastDraw = now
    lastDecile = decile
    const elapsed = (now - started) / 1000
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN
    const etaText = Number.isFinite(eta) ? (eta >= 90 ? `${(eta / 60).toFixed(1)} min` : `${eta.toFixed(0)} s`) : '?'
    const line = `  [${'#'.repeat(Math.round((30 * done) / total)).padEnd(30)}] ${done}/${total} ${detail} ETA ${etaText}`
    process.stderr.write(tty ? `\r${line.padEnd(100)}${done === total ? '\n' : ''}` : `${line}\n`)
  }
}

function trainerOptions(values: Record<string, unknown>, dIn: number, inputScale: number): SaeTrainerOptions {
  const arch = (values.arch as string | undefined) ?? 'standard'
  if (!TRAIN_ARCHITECTURES.includes(arch as TrainArchitecture)) throw new InvalidArgumentError(`--arch must be one of ${TRAIN_ARCHITECTURES.join(', ')}, got "${arch}"`)
  const architecture = arch as TrainArchitecture
  const usesK = archUsesK(architecture)
  if (usesK && values.l1 !== undefined) throw new InvalidArgumentError(`--l1 does not apply to ${architecture} (its sparsity is --k)`)
  if (!usesK && values.k !== undefined) throw new InvalidArgumentError(`--k applies to topk, batchtopk and matryoshka_batchtopk, not ${architecture} (use --l1)`)
  const widthsFlag = values['matryoshka-widths'] as string | undefined
  if (widthsFlag !== undefined && architecture !== 'matryoshka_batchtopk') throw new InvalidArgumentError(`--matryoshka-widths applies to matryoshka_batchtopk only, not ${architecture}`)
  const steps = parseIntFlag('steps', values.steps as string | undefined, 2000, 1)
  const opts: SaeTrainerOptions = {
    architecture,
    dIn,
    dSae: parseIntFlag('d-sae', values['d-sae'] as string | undefined, 8 * dIn, 1), // 8×: enough for TinyWorld's concepts
    totalSteps: steps,
    seed: parseIntFlag('seed', values.seed as string | undefined, 0, 0),
    inputScale,
    logEvery: Math.max(1, Math.min(100, Math.ceil(steps / 50))), // ≥ 50 log entries even on short runs
  }
  if (values.lr !== undefined) opts.lr = parseFloatFlag('lr', values.lr as string, 0, 0)
  if (values.k !== undefined) opts.k = parseFloatFlag('k', values.k as string, 0, 0)
  if (widthsFlag !== undefined) {
    const parsed = parseMatryoshkaWidths(widthsFlag, opts.dSae)
    if (parsed.problem !== null) throw new InvalidArgumentError(`--matryoshka-widths: ${parsed.problem} (--d-sae is ${opts.dSae})`)
    opts.matryoshkaWidths = parsed.widths
  }
  if (values['dense-latents'] !== undefined) {
    if (architecture !== 'standard') throw new InvalidArgumentError(`--dense-latents applies to standard only (the latents its L1 term leaves out), not ${architecture}`)
    opts.denseLatents = parseIntFlag('dense-latents', values['dense-latents'] as string, 0, 0)
  }
  if (values['dense-penalty'] !== undefined) {
    if (values['dense-latents'] === undefined) throw new InvalidArgumentError('--dense-penalty is the share of λ the --dense-latents pay: give --dense-latents N too')
    opts.denseLatentPenalty = parseFloatFlag('dense-penalty', values['dense-penalty'] as string, 0, 0, 0.999)
  }
  if (values.l1 !== undefined) {
    const l = parseFloatFlag('l1', values.l1 as string, 0, 0)
    if (architecture === 'jumprelu') opts.l0Coefficient = l
    else opts.l1Coefficient = l
  }
  return opts
}

/** What the training loop reads batches from: the model run live over the corpus, or a harvested cache. */
interface BatchSource {
  nextBatch(rows: number): Promise<tf.Tensor2D> | tf.Tensor2D
  /** Consumes `batches` batches without training on them (to resume where a run stopped). */
  skip(batches: number, batchSize: number): Promise<void> | void
  estimateNormScale(rows: number): Promise<{ scale: number; meanNorm: number; rows: number }> | { scale: number; meanNorm: number; rows: number }
  readonly skipBos: boolean
  readonly tokensProcessed: number
  readonly corpusEpochs: number
  /** Set for caches: the corpus the rows came from. */
  readonly description?: string
}

/** 65,536 rows: hundreds of windows mixed in every batch. */
const DEFAULT_BUFFER_ROWS = 65_536

function liveStore(model: HookedModel, hook: HookName, corpus: ActivationCorpus, contextSize: number, bosTokenId: number | null, seed: number, buffer: string | undefined, runner: PassRunner | null): BatchSource {
  const bufferRows = parseIntFlag('buffer', buffer, DEFAULT_BUFFER_ROWS, 1)
  const fill = progressBar(bufferRows)
  let filled = false
  const store = new ActivationStore(model, {
    hook,
    corpus,
    contextSize,
    bosTokenId,
    bufferRows,
    seed,
    ...(runner ? { runner } : {}),
    onProgress: (e) => {
      if (!filled) fill(Math.min(e.rows, e.capacity), 'rows in the activation buffer')
      filled ||= e.rows >= e.capacity
    },
  })
  return Object.assign(store, {
    // Batch by batch, as training drew them: the shuffle buffer's refills depend on the batch size.
    async skip(batches: number, batchSize: number) {
      for (let b = 0; b < batches; b++) (await store.nextBatch(batchSize)).dispose()
    },
  })
}

async function cachedStore(file: string, hook: HookName, dIn: number, seed: number): Promise<BatchSource> {
  const cache = readActivationCache(new Uint8Array(await readFile(file)), file)
  if (cache.info.hookName !== hook) throw new InvalidArgumentError(`${file} holds ${cache.info.hookName}, not ${hook}`)
  if (cache.dIn !== dIn) throw new InvalidArgumentError(`${file} has rows of width ${cache.dIn}, but ${hook} is ${dIn} wide`)
  process.stderr.write(`train-sae: ${cache.rows} cached rows of ${cache.info.corpus} from ${file}\n`)
  const source = new CachedActivationSource(cache, { seed })
  return {
    nextBatch: (n) => source.nextBatch(n),
    skip: (batches, batchSize) => source.skip(batches * batchSize),
    estimateNormScale: (n) => source.estimateNormScale(n),
    skipBos: source.skipBos,
    get tokensProcessed() {
      return Math.min(source.rowsServed, cache.rows) * (cache.info.tokensProcessed / cache.rows)
    },
    get corpusEpochs() {
      return source.corpusEpochs
    },
    description: `${cache.info.corpus} (cache of ${cache.rows} rows)`,
  }
}

export async function trainSaeCommand(argv: string[]): Promise<void> {
  const text = { type: 'string' } as const
  const { values } = parseArgs({
    args: argv,
    options: {
      model: text,
      hook: text,
      arch: text,
      'd-sae': text,
      l1: text,
      k: text,
      'matryoshka-widths': text,
      'dense-latents': text,
      'dense-penalty': text,
      steps: text,
      batch: text,
      lr: text,
      seed: text,
      'text-file': text,
      'data-seed': text,
      context: text,
      buffer: text,
      'norm-rows': text,
      'ce-every': text,
      'ce-windows': text,
      'sparsity-rows': text,
      'model-name': text,
      activations: text,
      'checkpoint-every': text,
      'stop-after': text,
      resume: { type: 'boolean', default: false },
      out: text,
      'no-normalize': { type: 'boolean', default: false },
      threads: text,
      encoder: text,
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  const str = (name: keyof typeof values) => values[name] as string | undefined
  if (str('hook') === undefined) throw new InvalidArgumentError('train-sae needs --hook NAME, e.g. --hook blocks.2.hook_resid_post')
  if (str('out') === undefined) throw new InvalidArgumentError('train-sae needs --out DIR')
  const out = path.resolve(str('out')!)
  const batchSize = parseIntFlag('batch', str('batch'), 1024, 1) // 1,024 rows: SAELens uses 4,096; a CPU step stays well under a second
  const ceEvery = parseIntFlag('ce-every', str('ce-every'), 0, 0)
  const ceWindows = parseIntFlag('ce-windows', str('ce-windows'), 32, 1)
  const sparsityRows = parseIntFlag('sparsity-rows', str('sparsity-rows'), 32_768, 1)
  const dataSeed = parseIntFlag('data-seed', str('data-seed'), 0, 0)
  const threads = parseIntFlag('threads', str('threads'), defaultThreads(), 1)
  const encoderChoice = parseEncoderChoice(str('encoder'))

  const { model, tokenizer, source } = await loadModelFromSpec(str('model'), { verbose: values.verbose })
  let engines: TrainingEngines | null = null
  let harvestPool: WorkerHarvestPool | null = null
  try {
    const hook = parseHookName(str('hook')!, model.config.nLayers)
    const dIn = model.hookWidth(hook)
    const { corpus, description } = await corpusFor(model, tokenizer, str('text-file'), dataSeed)
    const bosTokenId = bosTokenFor(model)
    const contextSize = parseIntFlag('context', str('context'), model.config.nCtx, 2)
    const trainOpts = trainerOptions(values, dIn, 1)
    // Validated before the slow parts (the buffer fill takes minutes): sizes that could never be allocated included.
    resolveTrainerConfig(trainOpts)
    checkActivationRows(batchSize, dIn, 'A batch (--batch)')
    // A live store runs the model's passes on every core (each thread with its own copy of the model); the batches
    // are the same for any thread count. An ONNX model runs in-process: onnxruntime uses every core itself.
    if (str('activations') === undefined && threads > 1 && model.engine.kind !== 'onnx') {
      checkActivationRows(parseIntFlag('buffer', str('buffer'), DEFAULT_BUFFER_ROWS, 1), dIn, 'The activation buffer') // before starting threads
      harvestPool = await WorkerHarvestPool.create(threads, { modelSpec: str('model'), hook, skipBos: bosTokenId !== null })
    }
    const store = str('activations') === undefined ? liveStore(model, hook, corpus, contextSize, bosTokenId, trainOpts.seed ?? 0, str('buffer'), harvestPool) : await cachedStore(str('activations')!, hook, dIn, trainOpts.seed ?? 0)
    const norm = values['no-normalize'] ? null : await store.estimateNormScale(parseIntFlag('norm-rows', str('norm-rows'), 16_384, 1))
    if (norm) process.stderr.write(`train-sae: mean ‖x‖ ${norm.meanNorm.toPrecision(4)} → input scale ${norm.scale.toPrecision(4)} (E‖x‖ = √${dIn})\n`)
    const checkpointFile = path.join(out, 'checkpoint.safetensors')
    const progressFile = path.join(out, 'checkpoint_progress.json')
    const checkpointEvery = parseIntFlag('checkpoint-every', str('checkpoint-every'), 0, 0)
    const stopAfter = parseIntFlag('stop-after', str('stop-after'), Number.MAX_SAFE_INTEGER, 1)
    let log: TrainLogEntry[] = []
    let trainer: SaeTrainer
    let resumedCe: Array<{ step: number } & SpliceCrossEntropy> = []
    if (values.resume) {
      if (!existsSync(checkpointFile)) throw new InvalidArgumentError(`--resume: ${checkpointFile} does not exist (train with --checkpoint-every N first)`)
      const checkpoint = checkpointFromBytes(new Uint8Array(await readFile(checkpointFile)))
      const wanted = resolveTrainerConfig({ ...trainOpts, inputScale: norm?.scale ?? 1 })
      const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((k) => k !== 'inputScale' && JSON.stringify(wanted[k]) !== JSON.stringify(checkpoint.config[k])) // by value: matryoshkaWidths is a list
      if (differs.length > 0) throw new InvalidArgumentError(`--resume: the checkpoint was made with other settings (${differs.map((k) => `${k} ${String(checkpoint.config[k])} ≠ ${String(wanted[k])}`).join(', ')})`)
      trainer = SaeTrainer.fromCheckpoint(checkpoint, { onLog: (e) => log.push(e) })
      const progress = (await readJsonFile(progressFile)) as { log: TrainLogEntry[]; ce: typeof resumedCe }
      log = progress.log
      resumedCe = progress.ce
      await store.skip(trainer.step, batchSize)
      process.stderr.write(`train-sae: resumed at step ${trainer.step} of ${trainer.config.totalSteps} from ${checkpointFile}\n`)
    } else {
      trainer = SaeTrainer.create({ ...trainOpts, inputScale: norm?.scale ?? 1 }, { onLog: (e) => log.push(e) })
    }
    const c = trainer.config
    engines = await trainingEngines(threads, c, encoderChoice, 'train-sae')
    trainer.useThreads(engines.pool)
    trainer.useEncoder(engines.encoder)
    const saveCheckpoint = async () => {
      await mkdir(out, { recursive: true })
      // Written beside and renamed, so a crash mid-write never leaves a torn checkpoint.
      await writeFile(`${checkpointFile}.tmp`, checkpointToBytes(await trainer.checkpoint()))
      await writeFile(`${progressFile}.tmp`, JSON.stringify({ log, ce: ceHistory }))
      await rename(`${checkpointFile}.tmp`, checkpointFile)
      await rename(`${progressFile}.tmp`, progressFile)
    }
    // CE windows come from a stream of their own (TinyWorld) so they are not training data.
    const ceSet = createTokenWindows(corpus.kind === 'world' ? { kind: 'world', seed: dataSeed + 1_000_003 } : corpus, { contextSize, bosTokenId }).next(ceWindows)
    const ceHistory: Array<{ step: number } & SpliceCrossEntropy> = resumedCe
    const measureCe = async () => {
      const sae = await trainer.toSae({ hookName: hook })
      try {
        ceHistory.push({ step: trainer.step, ...(await spliceCrossEntropy(model, sae, hook, ceSet, { keepFirstPosition: store.skipBos })) })
      } finally {
        sae.dispose()
      }
    }
    process.stderr.write(`train-sae: ${c.architecture} SAE ${dIn} → ${c.dSae} on ${hook} of ${source.description}, ${c.totalSteps} steps × ${batchSize} rows on ${engines.description}${harvestPool ? ` (the model's passes on ${harvestPool.size})` : ''}, data ${description}\n`)
    const bar = progressBar(c.totalSteps)
    const started = performance.now()
    const startStep = trainer.step
    try {
      while (!trainer.done) {
        const batch = await store.nextBatch(batchSize)
        let r
        try {
          r = await trainer.trainStep(batch)
        } finally {
          batch.dispose()
        }
        if (ceEvery > 0 && r.step % ceEvery === 0 && r.step < c.totalSteps) await measureCe()
        if (checkpointEvery > 0 && r.step % checkpointEvery === 0 && r.step < c.totalSteps) await saveCheckpoint()
        if (r.step === stopAfter && r.step < c.totalSteps) {
          await saveCheckpoint()
          process.stderr.write(`\ntrain-sae: stopped after step ${r.step}; continue with the same flags and --resume\n`)
          trainer.dispose()
          return
        }
        const last = log.at(-1)
        const rate = ((r.step - startStep) * batchSize) / ((performance.now() - started) / 1000)
        bar(r.step, `loss ${r.loss.toPrecision(4)}${last ? ` L0 ${last.l0.toFixed(1)} FVU ${last.fvu.toFixed(3)}` : ''} ${rate.toFixed(0)} tok/s`)
      }
    } catch (err) {
      if (err instanceof SaeTrainingDivergedError && err.checkpoint) {
        await mkdir(out, { recursive: true })
        await writeFile(path.join(out, 'checkpoint.safetensors'), checkpointToBytes(err.checkpoint))
        process.stderr.write(`train-sae: kept the last good state in ${path.join(out, 'checkpoint.safetensors')}\n`)
      }
      throw err
    }
    const elapsedS = (performance.now() - started) / 1000
    await measureCe()

    const skipBos = store.skipBos
    const exported = await trainer.exportSae({
      modelName: str('model-name') ?? modelNameOf(source.description),
      hookName: hook,
      prependBos: bosTokenId !== null,
      contextSize,
      datasetPath: description,
      extra: { seqpos_slice: skipBos ? [1, null] : [null], exclude_special_tokens: false }, // SAELens's way of saying "BOS position left out"
    })
    trainer.dispose()
    const sae = Sae.fromArrays(exported.config, exported.arrays)
    const counts = new Float64Array(c.dSae)
    try {
      for (let done = 0; done < sparsityRows; ) {
        const n = Math.min(4096, sparsityRows - done)
        const batch = await store.nextBatch(n)
        const f = sae.encode(batch)
        try {
          ;(await fireCounts(f)).forEach((v, i) => (counts[i]! += v))
        } finally {
          tf.dispose([batch, f])
        }
        done += n
      }
    } finally {
      sae.dispose()
    }
    const density = featureDensity(counts, sparsityRows)
    const files = saeLensFiles(exported.config, exported.arrays, { logSparsity: logSparsity(density) })
    await mkdir(out, { recursive: true })
    for (const [name, data] of Object.entries(files)) await writeFile(path.join(out, name), data)
    const final = {
      steps: c.totalSteps,
      tokens: c.totalSteps * batchSize,
      elapsedS,
      tokensPerSecond: ((c.totalSteps - startStep) * batchSize) / elapsedS, // this sitting only, when resumed
      sparsityRows,
      l0: counts.reduce((a, b) => a + b, 0) / sparsityRows,
      deadFraction: deadFraction(density),
      denseFraction: denseFraction(density),
      ce: ceHistory.at(-1),
    }
    const trainingLog = {
      format: 'monoscope.sae-training-log',
      version: 1,
      model: source.description,
      hook,
      data: { corpus: store.description ?? description, contextSize, bosTokenId, skipBos, tokensProcessed: store.tokensProcessed, corpusEpochs: store.corpusEpochs },
      normalisation: norm,
      trainer: c,
      batchSize,
      log,
      ce: ceHistory,
      final,
    }
    await writeFile(path.join(out, 'training_log.json'), `${JSON.stringify(trainingLog, null, 2)}\n`)
    await rm(checkpointFile, { force: true }) // the run is complete: its SAE is the result
    await rm(progressFile, { force: true })
    const ce = final.ce?.ceLossRecovered
    process.stderr.write(
      `train-sae: wrote ${out} — L0 ${final.l0.toFixed(1)}, dead ${(100 * final.deadFraction).toFixed(1)}%, CE recovered ${ce == null ? 'n/a' : `${(100 * ce).toFixed(1)}%`}, ${final.tokensPerSecond.toFixed(0)} tok/s\n`,
    )
  } finally {
    await engines?.dispose()
    await harvestPool?.dispose()
    model.dispose()
  }
}

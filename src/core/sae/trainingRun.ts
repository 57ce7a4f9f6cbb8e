// One SAE training run over a live model: the activation store (seeded, so a resumed run fast-forwards to the same
// batches), the normalisation constant, a fresh, resumed or fine-tuned trainer, CE loss recovered every N steps,
// and at the end a density pass and the SAELens files. Pure tfjs, no fs and no DOM: the training worker drives it
// step by step (yielding between steps); Node tests drive it the same way.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { checkActivationRows } from '../limitChecks.ts'
import { bosTokenFor, type HookedModel } from '../model/hookedModel.ts'
import { parseHookName, type HookName } from '../model/hookNames.ts'
import type { HfTextTokenizer } from '../tokenizer/tokenizer.ts'
import { speaksTinyWorld } from '../world/speaks.ts'
import { ActivationStore, createTokenWindows, type ActivationCorpus , type PassRunner } from './activationStore.ts'
import type { SaeCheckpoint } from './checkpoint.ts'
import { fineTuneCheckpoint } from './fineTune.ts'
import { deadFraction, denseFraction, featureDensity, fireCounts, logSparsity } from './metrics.ts'
import { Sae } from './sae.ts'
import { saeLensFiles, type SaeLensFiles } from './saelens.ts'
import { spliceCrossEntropy, type SpliceCrossEntropy } from './splice.ts'
import { SaeTrainer, type TrainLogEntry, type TrainStepResult } from './trainer.ts'
import { resolveTrainerConfig, type SaeTrainerOptions } from './trainerConfig.ts'
import { deadWindowTokens, validateTrainingSettings, type TrainingRunSettings } from './trainingRunSettings.ts'
import { usesK, type SaeArrays, type SaeConfig } from './types.ts'
import { defaultMatryoshkaWidths } from './matryoshka.ts'

export interface CeMeasurement extends SpliceCrossEntropy {
  step: number
}

/** What a run has logged so far: saved with each checkpoint, so charts survive a reload. */
export interface TrainingProgress {
  log: TrainLogEntry[]
  ce: CeMeasurement[]
}

export interface TrainingRunInit {
  /** Continue a saved run from its checkpoint (same settings, same backend: bit-identical). */
  resume?: { checkpoint: SaeCheckpoint; progress: TrainingProgress }
  /** Start from an existing SAE (SAELens layout, on raw activations) instead of a random init. */
  fineTune?: { config: SaeConfig; arrays: SaeArrays }
  /** Called with each new log entry. */
  onLog?: (entry: TrainLogEntry) => void
  /** Called while the buffer fills and the data stream is fast-forwarded (rows so far, of the target). */
  onPrepare?: (e: { phase: 'fill' | 'skip'; done: number; total: number }) => void
  /** Runs the model's passes for the activation store elsewhere (other workers); the batches are the same. */
  runner?: PassRunner
}

export interface TrainingResult {
  config: SaeConfig
  arrays: SaeArrays
  /** cfg.json, sae_weights.safetensors, sparsity.safetensors. */
  files: SaeLensFiles
  final: { steps: number; tokens: number; l0: number; deadFraction: number; denseFraction: number; ce: CeMeasurement | null }
}

function corpusOf(settings: TrainingRunSettings, model: HookedModel, tokenizer: HfTextTokenizer | null): ActivationCorpus {
  const c = settings.corpus
  if (c.kind === 'text') {
    if (!tokenizer) throw new InvalidArgumentError('This model has no tokenizer.json, so it cannot read a text file')
    return { kind: 'lines', lines: c.lines.filter((l) => l.trim() !== ''), tokenizer: { encode: (t) => tokenizer.encode(t, { addSpecialTokens: false }) } }
  }
  if (!speaksTinyWorld(model, tokenizer)) throw new InvalidArgumentError("This model's vocabulary is not TinyWorld's: upload a text file (one text per line) as the corpus")
  return { kind: 'world', seed: c.seed }
}

export class TrainingRun {
  readonly settings: TrainingRunSettings
  readonly hook: HookName
  readonly dIn: number
  readonly inputScale: number
  readonly bosTokenId: number | null
  readonly log: TrainLogEntry[]
  readonly ce: CeMeasurement[]
  private readonly model: HookedModel
  private readonly store: ActivationStore
  private readonly trainer: SaeTrainer
  private readonly ceSet: number[][]

  private constructor(model: HookedModel, settings: TrainingRunSettings, parts: { hook: HookName; dIn: number; store: ActivationStore; trainer: SaeTrainer; inputScale: number; ceSet: number[][]; progress: TrainingProgress }) {
    this.model = model
    this.settings = settings
    this.hook = parts.hook
    this.dIn = parts.dIn
    this.store = parts.store
    this.trainer = parts.trainer
    this.inputScale = parts.inputScale
    this.bosTokenId = parts.store.bosTokenId
    this.ceSet = parts.ceSet
    this.log = parts.progress.log
    this.ce = parts.progress.ce
  }

  /** Builds the data stream and the trainer; slow (it runs the model to fill the buffer, and to fast-forward a resumed run). */
  static async create(model: HookedModel, tokenizer: HfTextTokenizer | null, settings: TrainingRunSettings, init: TrainingRunInit = {}): Promise<TrainingRun> {
    validateTrainingSettings(settings)
    const hook = parseHookName(settings.hook, model.config.nLayers)
    const dIn = model.hookWidth(hook)
    if (settings.contextSize > model.config.nCtx) throw new InvalidArgumentError(`The context size ${settings.contextSize} is longer than the model's ${model.config.nCtx}`)
    // Sizes that could never be allocated are refused now, not after the minutes the buffer fill takes.
    checkActivationRows(settings.batchSize, dIn, 'A batch')
    if (!init.resume && !init.fineTune) resolveTrainerConfig(trainerOptions(settings, dIn, 1))
    const corpus = corpusOf(settings, model, tokenizer)
    const bosTokenId = bosTokenFor(model)
    const store = new ActivationStore(model, {
      hook,
      corpus,
      contextSize: settings.contextSize,
      bosTokenId,
      bufferRows: settings.bufferRows,
      seed: settings.seed,
      ...(init.runner ? { runner: init.runner } : {}),
      onProgress: (e) => init.onPrepare?.({ phase: 'fill', done: Math.min(e.rows, e.capacity), total: e.capacity }),
    })
    // Always estimated, resumed runs too: the store must consume the same rows in the same order to replay its batches.
    const norm = await store.estimateNormScale(settings.normRows)
    let trainer: SaeTrainer
    let progress: TrainingProgress = { log: [], ce: [] }
    const log = (entry: TrainLogEntry) => {
      progress.log.push(entry)
      init.onLog?.(entry)
    }
    if (init.resume) {
      const { checkpoint } = init.resume
      if (checkpoint.config.dIn !== dIn) throw new InvalidArgumentError(`The checkpoint is for ${checkpoint.config.dIn}-wide inputs, but ${hook} is ${dIn} wide`)
      progress = { log: [...init.resume.progress.log], ce: [...init.resume.progress.ce] }
      // Batch by batch, as training drew them: the shuffle buffer's refills depend on the batch size.
      for (let b = 0; b < checkpoint.state.step; b++) {
        ;(await store.nextBatch(settings.batchSize)).dispose()
        if (b % 10 === 9) init.onPrepare?.({ phase: 'skip', done: b + 1, total: checkpoint.state.step })
      }
      trainer = SaeTrainer.fromCheckpoint(checkpoint, { onLog: log })
    } else {
      const options = trainerOptions(settings, dIn, norm.scale)
      if (init.fineTune) {
        const { config } = init.fineTune
        if (config.dIn !== dIn) throw new InvalidArgumentError(`The SAE reads ${config.dIn}-wide inputs, but ${hook} is ${dIn} wide`)
        if (config.metadata.hookName !== null && config.metadata.hookName !== hook) throw new InvalidArgumentError(`The SAE was trained on ${config.metadata.hookName}, not ${hook}`)
        const { architecture: _a, dIn: _d, dSae: _s, ...rest } = options
        trainer = SaeTrainer.fromCheckpoint(fineTuneCheckpoint(init.fineTune, rest), { onLog: log })
      } else trainer = SaeTrainer.create(options, { onLog: log })
    }
    // CE windows come from a stream of their own (TinyWorld) so they are not training data.
    const ceCorpus: ActivationCorpus = corpus.kind === 'world' ? { kind: 'world', seed: corpus.seed + 1_000_003 } : corpus
    const ceSet = createTokenWindows(ceCorpus, { contextSize: settings.contextSize, bosTokenId }).next(settings.ceWindows)
    return new TrainingRun(model, settings, { hook, dIn, store, trainer, inputScale: norm.scale, ceSet, progress })
  }

  get step(): number {
    return this.trainer.step
  }

  get totalSteps(): number {
    return this.trainer.config.totalSteps
  }

  get done(): boolean {
    return this.trainer.done
  }

  get dSae(): number {
    return this.trainer.config.dSae
  }

  /** One training step on the next batch; measures CE loss recovered every ceEvery steps. */
  async trainStep(): Promise<TrainStepResult> {
    const batch = await this.store.nextBatch(this.settings.batchSize) // [batch, dIn]
    let r: TrainStepResult
    try {
      r = await this.trainer.trainStep(batch)
    } finally {
      batch.dispose()
    }
    const every = this.settings.ceEvery
    if (every > 0 && r.step % every === 0 && r.step < this.totalSteps) await this.measureCe()
    return r
  }

  checkpoint(): Promise<SaeCheckpoint> {
    return this.trainer.checkpoint()
  }

  progress(): TrainingProgress {
    return { log: [...this.log], ce: [...this.ce] }
  }

  /** CE loss of the model with the SAE spliced in, against zero-ablation, on the held-out windows. */
  async measureCe(): Promise<CeMeasurement> {
    const sae = await this.trainer.toSae({ hookName: this.hook })
    try {
      const m = { step: this.trainer.step, ...(await spliceCrossEntropy(this.model, sae, this.hook, this.ceSet, { keepFirstPosition: this.store.skipBos })) }
      this.ce.push(m)
      return m
    } finally {
      sae.dispose()
    }
  }

  /** After the last step: final CE, a density pass over fresh rows, and the SAELens files. */
  async finish(meta: { modelName: string; datasetPath: string }): Promise<TrainingResult> {
    if (!this.done) throw new InvalidArgumentError(`The run is at step ${this.step} of ${this.totalSteps}: it has not finished`)
    const ce = this.ce.at(-1)?.step === this.step ? this.ce.at(-1)! : await this.measureCe()
    const exported = await this.trainer.exportSae({
      modelName: meta.modelName,
      hookName: this.hook,
      prependBos: this.bosTokenId !== null,
      contextSize: this.settings.contextSize,
      datasetPath: meta.datasetPath,
      extra: { seqpos_slice: this.store.skipBos ? [1, null] : [null], exclude_special_tokens: false }, // SAELens's way of saying "BOS position left out"
    })
    const sae = Sae.fromArrays(exported.config, exported.arrays)
    const rows = this.settings.sparsityRows
    const counts = new Float64Array(this.dSae)
    try {
      for (let done = 0; done < rows; ) {
        const n = Math.min(4096, rows - done)
        const batch = await this.store.nextBatch(n) // [n, dIn]
        const f = sae.encode(batch) // [n, dSae]
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
    const density = featureDensity(counts, rows)
    const files = saeLensFiles(exported.config, exported.arrays, { logSparsity: logSparsity(density) })
    const c = this.trainer.config
    return {
      config: exported.config,
      arrays: exported.arrays,
      files,
      final: {
        steps: c.totalSteps,
        tokens: this.trainer.tokensSeen,
        l0: counts.reduce((a, b) => a + b, 0) / rows,
        deadFraction: deadFraction(density),
        denseFraction: denseFraction(density),
        ce,
      },
    }
  }

  dispose(): void {
    this.trainer.dispose()
  }
}

/** The trainer's options for these settings (λ goes to L1 for standard, L0 for jumprelu; k to the k architectures). */
export function trainerOptions(s: TrainingRunSettings, dIn: number, inputScale: number): SaeTrainerOptions {
  const kArch = usesK(s.architecture)
  return {
    architecture: s.architecture,
    dIn,
    dSae: s.dSae,
    totalSteps: s.steps,
    lr: s.lr,
    seed: s.seed,
    inputScale,
    logEvery: s.logEvery,
    checkpointEvery: 0, // the run saves its own checkpoints; the trainer keeps the pre-divergence state regardless
    deadWindowTokens: deadWindowTokens(s),
    ...(s.architecture === 'matryoshka_batchtopk' ? { matryoshkaWidths: s.matryoshkaWidths ?? defaultMatryoshkaWidths(s.dSae) } : {}),
    ...(kArch ? { k: s.k } : s.architecture === 'jumprelu' ? { l0Coefficient: s.l1Coefficient } : { l1Coefficient: s.l1Coefficient }),
  }
}

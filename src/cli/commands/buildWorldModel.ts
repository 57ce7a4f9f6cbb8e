// `monoscope build-world-model`: trains the TinyWorld GPT-2 with the project's engine, with checkpoints and
// resume, then writes the model in Hugging Face layout with a quality report and a loss curve.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { selectBackend } from '../../core/backend/backend.ts'
import { gpt2ConfigToJson, parseGpt2Config } from '../../core/model/config.ts'
import { tfjsModelFromTensors } from '../../core/model/tfjsEngine.ts'
import { initGpt2Tensors } from '../../core/model/init.ts'
import { LmTrainer } from '../../core/lm/lmTrainer.ts'
import { evaluateDocuments } from '../../core/lm/evaluate.ts'
import { worldTrainBatch } from '../../core/lm/worldBatches.ts'
import { worldVocab } from '../../core/world/tokenizerJson.ts'
import { EOT_ID } from '../../core/world/world.ts'
import { writeWorldFiles } from '../../core/world/files.ts'
import { InvalidArgumentError, ModelConfigError } from '../../core/errors.ts'
import { parseFloatFlag, parseIntFlag } from '../args.ts'
import { loadCheckpoint, saveCheckpoint } from '../checkpointFiles.ts'
import { defaultModelSpec, repoRoot } from '../defaults.ts'
import { writeModelFolder } from '../modelFolder.ts'
import { finishWorldModelReport } from './worldModelReport.ts'
import { heldOutDocuments, type TrainState } from '../worldModelData.ts'

export const buildWorldModelUsage = `monoscope build-world-model [--out DIR] [--seed S] [--steps N] [--batch B] [--d-model D] [--layers L] [--heads H] [--ctx T] [--lr LR] [--checkpoint DIR] [--fresh]
  Trains TinyWorld's GPT-2 (resuming from --checkpoint when one is there) and writes config.json,
  model.safetensors, tokenizer.json, generation_config.json, report.json and loss_curve.svg to --out.`

export async function buildWorldModelCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      'd-model': { type: 'string' },
      layers: { type: 'string' },
      heads: { type: 'string' },
      ctx: { type: 'string' },
      lr: { type: 'string' },
      checkpoint: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'export-only': { type: 'boolean', default: false },
      'skip-report': { type: 'boolean', default: false },
    },
    strict: true,
  })
  const out = path.resolve(values.out ?? defaultModelSpec)
  const ckptDir = path.resolve(values.checkpoint ?? path.join(repoRoot, '.cache/tinyworld-checkpoint'))
  const checkpointEvery = parseIntFlag('checkpoint-every', values['checkpoint-every'], 100, 1)
  const backend = await selectBackend(['wasm', 'cpu'])

  const vocab = worldVocab()
  const existing = values.fresh ? null : await loadCheckpoint<TrainState>(ckptDir)
  if (values['export-only'] && !existing) throw new InvalidArgumentError(`--export-only needs a checkpoint, and ${ckptDir} has none`)
  let state: TrainState
  if (existing) {
    state = existing.state
    process.stderr.write(`build-world-model: resuming from ${ckptDir} at step ${state.history.at(-1)?.step ?? 0}\n`)
  } else {
    const dModel = parseIntFlag('d-model', values['d-model'], 128, 8)
    state = {
      seed: parseIntFlag('seed', values.seed, 1),
      config: {
        vocabSize: vocab.length,
        nCtx: parseIntFlag('ctx', values.ctx, 256, 8), // 256: every TinyWorld document (≤ 200 tokens) fits whole
        dModel, // 128 with 4 layers: learns the world's grammar within ~1.5 h on 2 CPU cores (BENCHMARKS.md)
        nLayers: parseIntFlag('layers', values.layers, 4, 1),
        nHeads: parseIntFlag('heads', values.heads, 4, 1),
        dMlp: 4 * dModel,
        layerNormEps: 1e-5,
        activation: 'gelu_new',
        bosTokenId: EOT_ID,
        eosTokenId: EOT_ID,
      },
      steps: parseIntFlag('steps', values.steps, 3000, 1),
      batch: parseIntFlag('batch', values.batch, 8, 1), // 8 × 256 = 2,048 tokens a step
      peakLr: parseFloatFlag('lr', values.lr, 2e-3, 0),
      history: [],
      evals: [],
      elapsedS: 0,
    }
  }
  // A fresh model's sizes pass the same checks (MODEL_LIMITS, heads dividing the width) as any config.json, before
  // its weights are allocated: \`--layers 100000\` once started initialising 100,000 layers.
  if (!existing) {
    try {
      parseGpt2Config(gpt2ConfigToJson(state.config))
    } catch (err) {
      if (err instanceof ModelConfigError) throw new InvalidArgumentError(`The model these flags describe is not valid: ${err.message.replace(/^Invalid config\.json: /, '')}`)
      throw err
    }
  }
  const { config } = state
  const model = tfjsModelFromTensors(config, existing ? existing.params : initGpt2Tensors(config, { seed: state.seed }))
  const trainer = new LmTrainer(model.differentiable(), {
    schedule: { peak: state.peakLr, warmupSteps: Math.min(100, Math.ceil(state.steps / 20)), totalSteps: state.steps, floorRatio: 0.1 },
    clipNorm: 1,
    adam: { beta1: 0.9, beta2: 0.95, epsilon: 1e-8 },
  })
  if (existing) trainer.optimizer.restore(existing.optimizer, state.history.at(-1)?.step ?? 0)
  process.stderr.write(
    `build-world-model: ${config.nLayers} layers, d_model ${config.dModel}, ${config.nHeads} heads, ctx ${config.nCtx}, vocab ${config.vocabSize}; ` +
      `${state.steps} steps × ${state.batch} × ${config.nCtx} tokens on ${backend}\n`,
  )

  const evalDocs = heldOutDocuments(6_000)
  const save = async () => {
    const params = await model.exportTensors()
    const opt = await trainer.optimizer.state()
    await saveCheckpoint(ckptDir, { params, optimizer: opt.tensors, state })
  }
  const startedAt = performance.now()
  const elapsedBefore = state.elapsedS
  let lastPrint = 0
  // --export-only writes the checkpoint as it stands (an early stop), without training further.
  while (!values['export-only'] && trainer.step < state.steps) {
    const batch = worldTrainBatch(state.seed, trainer.step, state.batch, config.nCtx)
    const r = trainer.trainStep(batch)
    state.elapsedS = elapsedBefore + (performance.now() - startedAt) / 1000
    state.history.push({ step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, elapsedS: state.elapsedS })
    if (r.step % checkpointEvery === 0 || r.step === state.steps) {
      const ev = await evaluateDocuments(model, evalDocs)
      state.evals.push({ step: r.step, heldOutCe: ev.crossEntropy, forcedAccuracy: ev.forcedAccuracy })
      await save()
      process.stderr.write(`\n  step ${r.step}: held-out CE ${ev.crossEntropy.toFixed(3)}, forced accuracy ${(100 * ev.forcedAccuracy).toFixed(1)}% (checkpoint saved)\n`)
    }
    if (performance.now() - lastPrint > 2000 || r.step === state.steps) {
      lastPrint = performance.now()
      const done = r.step / state.steps
      const sessionSteps = r.step - (state.history[0]?.step ?? 1) + 1
      const perStep = (performance.now() - startedAt) / 1000 / Math.max(1, sessionSteps)
      const eta = (state.steps - r.step) * perStep
      const tokPerS = (state.batch * config.nCtx) / perStep
      process.stderr.write(
        `\r  [${'#'.repeat(Math.round(done * 30)).padEnd(30)}] step ${r.step}/${state.steps} loss ${r.loss.toFixed(3)} lr ${r.lr.toExponential(2)} ${tokPerS.toFixed(0)} tok/s ETA ${(eta / 60).toFixed(1)} min   `,
      )
    }
  }
  process.stderr.write('\n')
  trainer.dispose()
  model.differentiable().setTrainable(false)

  await mkdir(out, { recursive: true })
  await writeModelFolder(out, model, {
    generationConfig: { bos_token_id: EOT_ID, eos_token_id: EOT_ID, do_sample: true, temperature: 0.8, max_new_tokens: 100 },
    metadata: { monoscope: 'tinyworld', seed: String(state.seed) },
  })
  await writeWorldFiles(out) // tokenizer.json and catalogue.json
  if (!values['skip-report']) {
    const report = await finishWorldModelReport(model, state, out)
    await writeFile(path.join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(`${JSON.stringify(report.quality, null, 2)}\n`)
  }
  process.stderr.write(`build-world-model: wrote ${out}\n`)
  model.dispose()
}

// `npx tsx bench/trainingRunProfile.ts [steps]`: the training panel's default run (core TrainingRun, Node, tfjs-wasm,
// one thread) on the committed TinyWorld model, with the time split between filling the activation buffer (the
// model's passes), the SAE step and the rest (CE). For A/B runs between commits; prints one line.
import { selectBackend } from '../src/core/backend/backend.ts'
import { loadModel } from '../src/core/model/load.ts'
import { ActivationStore } from '../src/core/sae/activationStore.ts'
import { SaeTrainer } from '../src/core/sae/trainer.ts'
import { TrainingRun } from '../src/core/sae/trainingRun.ts'
import { defaultTrainingSettings } from '../src/core/sae/trainingRunSettings.ts'
import { resolveSource } from '../src/core/sources/index.ts'
import { repoRoot } from '../src/cli/defaults.ts'
import path from 'node:path'

await selectBackend(['wasm'])
const { model, tokenizer } = await loadModel(resolveSource(path.join(repoRoot, 'public/models/tinyworld')))
const settings = { ...defaultTrainingSettings(model.config.dModel, model.config.nCtx), steps: Number(process.argv[2] ?? 120) }
let storeMs = 0
let stepMs = 0
// Wrapped on the prototypes so that the run is exactly the app's, timed from outside.
const nextBatch = ActivationStore.prototype.nextBatch
ActivationStore.prototype.nextBatch = async function (n: number) {
  const t = performance.now()
  const r = await nextBatch.call(this, n)
  storeMs += performance.now() - t
  return r
}
const trainStep = SaeTrainer.prototype.trainStep
SaeTrainer.prototype.trainStep = async function (batch) {
  const t = performance.now()
  const r = await trainStep.call(this, batch)
  stepMs += performance.now() - t
  return r
}
const run = await TrainingRun.create(model, tokenizer, settings)
storeMs = 0
stepMs = 0
const t0 = performance.now()
while (!run.done) await run.trainStep()
const total = performance.now() - t0
const tokens = settings.steps * settings.batchSize
console.log(`${settings.steps} steps: ${(tokens / (total / 1000)).toFixed(0)} tokens/s; buffer fill ${(storeMs / 1000).toFixed(1)} s, SAE step ${(stepMs / 1000).toFixed(1)} s, rest ${((total - storeMs - stepMs) / 1000).toFixed(1)} s of ${(total / 1000).toFixed(1)} s`)
run.dispose()
model.dispose()

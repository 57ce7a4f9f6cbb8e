// The TinyWorld model's report: held-out quality against a bigram baseline, forced-token accuracy, ten
// samples, the training record, and the loss curve as SVG.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { currentBackend } from '../../core/backend/backend.ts'
import { generate } from '../../core/generate/generate.ts'
import { BigramModel, bigramCrossEntropyOnDocuments } from '../../core/lm/bigram.ts'
import { evaluateDocuments } from '../../core/lm/evaluate.ts'
import { renderCurvesSvg } from '../../core/lm/lossCurveSvg.ts'
import { worldTrainBatch } from '../../core/lm/worldBatches.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import { detokenize, EOT_ID } from '../../core/world/world.ts'
import { worldVocab } from '../../core/world/tokenizerJson.ts'
import { heldOutDocuments, type TrainState } from '../worldModelData.ts'

/** Quality gates of the TinyWorld issue: the model must clearly beat a bigram and predict forced tokens. */
export const QUALITY_GATES = { maxCeRatioToBigram: 0.7, minForcedAccuracy: 0.95 } as const

export async function finishWorldModelReport(model: HookedModel, state: TrainState, out: string) {
  // The bigram sees the same training distribution: the first training batches' tokens (≥ 500k tokens).
  const bigram = new BigramModel(model.config.vocabSize)
  const tokensPerStep = state.batch * model.config.nCtx
  for (let step = 0; step * tokensPerStep < 500_000; step++) {
    for (const row of worldTrainBatch(state.seed, step, state.batch, model.config.nCtx)) bigram.fit(row)
  }
  const docs = heldOutDocuments(30_000)
  const evaluation = await evaluateDocuments(model, docs)
  const bigramCe = bigramCrossEntropyOnDocuments(bigram, docs, model.config.nCtx)
  const ratio = evaluation.crossEntropy / bigramCe

  const vocab = worldVocab()
  const samples: string[] = []
  for (let i = 0; i < 10; i++) {
    const ids: number[] = []
    for await (const id of generate(model, [EOT_ID], { maxTokens: 120, temperature: 0.8, seed: 1000 + i, stopTokenIds: [EOT_ID] })) {
      if (id === EOT_ID) break
      ids.push(id)
    }
    samples.push(detokenize(ids.map((id) => vocab[id] ?? '<|unk|>')))
  }

  const smooth = (points: Array<[number, number]>, window: number): Array<[number, number]> =>
    points.map(([x], i) => {
      const slice = points.slice(Math.max(0, i - window + 1), i + 1)
      return [x, slice.reduce((a, [, y]) => a + y, 0) / slice.length]
    })
  const trainPoints = smooth(state.history.map((h) => [h.step, h.loss] as [number, number]), 25)
  const svg = renderCurvesSvg(
    [
      { label: 'train (smoothed)', colour: '#1f77b4', points: trainPoints },
      { label: 'held-out', colour: '#d62728', points: state.evals.map((e) => [e.step, e.heldOutCe] as [number, number]) },
      { label: 'bigram (held-out)', colour: '#7f7f7f', points: [[0, bigramCe], [state.steps, bigramCe]] },
      { label: '0.7 × bigram gate', colour: '#2ca02c', points: [[0, 0.7 * bigramCe], [state.steps, 0.7 * bigramCe]] },
    ],
    { title: 'TinyWorld GPT-2: cross-entropy', xLabel: 'step', yLabel: 'nats / token', logY: true },
  )
  await writeFile(path.join(out, 'loss_curve.svg'), svg)

  const totalTokens = state.history.length > 0 ? (state.history.at(-1)?.step ?? 0) * tokensPerStep : 0
  return {
    model: { ...model.config, parameters: [...(model.differentiable()?.parameters().values() ?? [])].reduce((a, p) => a + p.size, 0) },
    quality: {
      heldOutTokens: evaluation.tokens,
      heldOutCrossEntropy: evaluation.crossEntropy,
      bigramCrossEntropy: bigramCe,
      ratioToBigram: ratio,
      forcedTokens: evaluation.forcedTokens,
      forcedAccuracy: evaluation.forcedAccuracy,
      top1Accuracy: evaluation.accuracy,
      gates: {
        ceAtMost0_7xBigram: ratio <= QUALITY_GATES.maxCeRatioToBigram,
        forcedAccuracyAtLeast95: evaluation.forcedAccuracy >= QUALITY_GATES.minForcedAccuracy,
      },
    },
    training: {
      seed: state.seed,
      scheduledSteps: state.steps,
      trainedSteps: state.history.at(-1)?.step ?? 0,
      batch: state.batch,
      contextTokens: model.config.nCtx,
      tokensSeen: totalTokens,
      peakLr: state.peakLr,
      backend: currentBackend(),
      wallClockSeconds: Math.round(state.elapsedS),
      tokensPerSecond: totalTokens / Math.max(1, state.elapsedS),
      evals: state.evals,
    },
    samplesTemperature0_8: samples,
  }
}

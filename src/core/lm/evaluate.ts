// Held-out evaluation of a language model on documents: mean cross-entropy and top-1 accuracy, overall and
// on the tokens the world marks as forced (fully determined by the text before them).
import type { HookedModel } from '../model/hookedModel.ts'
import { evalPositions } from './crossEntropy.ts'

export interface EvalDocument {
  /** Token ids of the document, starting with the separator token that also serves as BOS. */
  ids: number[]
  /** forced[i] says whether ids[i] was determined by ids[0..i-1]; forced[0] is ignored. */
  forced: boolean[]
}

export interface LmEvaluation {
  tokens: number
  crossEntropy: number
  accuracy: number
  forcedTokens: number
  forcedAccuracy: number
}

/** Scores every predicted position of each document, truncated to the model's context. */
export async function evaluateDocuments(model: HookedModel, docs: EvalDocument[]): Promise<LmEvaluation> {
  let tokens = 0
  let nats = 0
  let hits = 0
  let forcedTokens = 0
  let forcedHits = 0
  const maxLen = model.config.nCtx + 1
  for (const doc of docs) {
    const ids = doc.ids.slice(0, maxLen)
    if (ids.length < 2) continue
    const logits = await model.forward([ids.slice(0, -1)]) // [1, pos, vocab]
    let result: { nats: Float32Array; correct: Uint8Array }
    try {
      result = await evalPositions(logits, [ids.slice(1)])
    } finally {
      logits.dispose()
    }
    for (let i = 0; i < result.nats.length; i++) {
      tokens++
      nats += result.nats[i] as number
      hits += result.correct[i] as number
      if (doc.forced[i + 1]) {
        forcedTokens++
        forcedHits += result.correct[i] as number
      }
    }
  }
  return {
    tokens,
    crossEntropy: nats / Math.max(1, tokens),
    accuracy: hits / Math.max(1, tokens),
    forcedTokens,
    forcedAccuracy: forcedHits / Math.max(1, forcedTokens),
  }
}

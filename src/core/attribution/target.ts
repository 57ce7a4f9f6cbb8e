// What an attribution explains: one number read from the logits at one position — a token's logit, the difference
// between two tokens' logits, or the next-token loss of a token. Attribution and ablation both differentiate or
// difference this number, so it is defined once here.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'

export type AttributionTarget =
  /** logits[token]: "why this token?" */
  | { kind: 'logit'; token: number }
  /** logits[token] − logits[versus]: why this token rather than that one. */
  | { kind: 'logitDiff'; token: number; versus: number }
  /** −log p(token): what makes the model more (positive effect) or less surprised by it. */
  | { kind: 'loss'; token: number }

export function checkTarget(target: AttributionTarget, vocabSize: number): void {
  const ids = target.kind === 'logitDiff' ? [target.token, target.versus] : [target.token]
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new InvalidArgumentError(`Target token ${id} is outside the vocabulary (size ${vocabSize})`)
  }
  if (target.kind === 'logitDiff' && target.token === target.versus) throw new InvalidArgumentError('A logit difference needs two different tokens')
}

/** The target per batch row, from the last position's logits [batch, 1, vocab] (or [batch, pos, vocab]) → [batch]. */
export function targetOf(logits: tf.Tensor3D, target: AttributionTarget): tf.Tensor1D {
  return tf.tidy(() => {
    const [batch, pos, vocab] = logits.shape
    const last = tf.reshape(tf.slice(logits, [0, pos - 1, 0], [batch, 1, vocab]), [batch, vocab]) // [batch, vocab]
    const column = (id: number) => tf.reshape(tf.slice(last, [0, id], [batch, 1]), [batch]) // [batch]
    switch (target.kind) {
      case 'logit':
        return column(target.token) as tf.Tensor1D
      case 'logitDiff':
        return tf.sub(column(target.token), column(target.versus)) as tf.Tensor1D
      case 'loss':
        return tf.neg(tf.reshape(tf.slice(tf.logSoftmax(last), [0, target.token], [batch, 1]), [batch])) as tf.Tensor1D
    }
  })
}

/** For messages and reports: `logit("Bridge")`, `logit("Bridge") − logit("Road")`, `loss("Bridge")`. */
export function describeTarget(target: AttributionTarget, tokenText: (id: number) => string): string {
  const t = (id: number) => JSON.stringify(tokenText(id))
  switch (target.kind) {
    case 'logit':
      return `logit(${t(target.token)})`
    case 'logitDiff':
      return `logit(${t(target.token)}) − logit(${t(target.versus)})`
    case 'loss':
      return `loss(${t(target.token)})`
  }
}

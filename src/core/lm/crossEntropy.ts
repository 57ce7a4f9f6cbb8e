// Next-token cross-entropy from logits, differentiable; the mean over every position of every sequence.
import * as tf from '@tensorflow/tfjs'

/** logits [batch, pos, vocab], targets [batch, pos] (int32) → mean cross-entropy in nats (scalar). */
export function nextTokenCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[2]
    const flat = tf.reshape(logits, [-1, vocab]) as tf.Tensor2D // [n, vocab]
    const oneHot = tf.oneHot(tf.reshape(targets, [-1]) as tf.Tensor1D, vocab) // [n, vocab]
    return tf.losses.softmaxCrossEntropy(oneHot, flat) as tf.Scalar
  })
}

/** Per-position losses without gradients, for evaluation: returns [batch * pos] nats and argmax hits. */
export async function evalPositions(logits: tf.Tensor3D, targets: number[][]): Promise<{ nats: Float32Array; correct: Uint8Array }> {
  const [batch, pos, vocab] = logits.shape
  const flatTargets = targets.flat()
  const [lossT, argmaxT] = tf.tidy(() => {
    const flat = tf.reshape(logits, [-1, vocab]) as tf.Tensor2D // [n, vocab]
    const logProbs = tf.logSoftmax(flat) // [n, vocab]
    const idx = tf.tensor1d(flatTargets, 'int32')
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(idx, vocab)), -1) // [n]
    return [tf.neg(picked), tf.argMax(flat, -1)]
  })
  let nats: Float32Array
  let argmax: Int32Array
  try {
    nats = (await lossT.data()) as Float32Array
    argmax = (await argmaxT.data()) as Int32Array
  } finally {
    tf.dispose([lossT, argmaxT])
  }
  const correct = new Uint8Array(batch * pos)
  for (let i = 0; i < correct.length; i++) correct[i] = argmax[i] === flatTargets[i] ? 1 : 0
  return { nats: Float32Array.from(nats), correct }
}

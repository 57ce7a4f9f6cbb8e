// Gradient clipping by global norm (as torch.nn.utils.clip_grad_norm_), over a map of named gradients.
import * as tf from '@tensorflow/tfjs'

/** Returns scaled copies of the gradients (caller disposes) and the norm before clipping. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  const names = Object.keys(grads)
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n] as tf.Tensor))))))
  const norm = normTensor.dataSync()[0] ?? 0
  normTensor.dispose()
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1
  const out: tf.NamedTensorMap = {}
  for (const n of names) out[n] = tf.tidy(() => tf.mul(grads[n] as tf.Tensor, scale))
  return { grads: out, norm }
}

// Gradient clipping by global norm (as torch.nn.utils.clip_grad_norm_), over a map of named gradients,
// with the clipping factor computed as the SAE trainer computes it (../optim/adam.ts).
import * as tf from '@tensorflow/tfjs'
import { clipScale } from '../optim/adam.ts'

/** Returns scaled copies of the gradients (caller disposes) and the norm before clipping. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  const names = Object.keys(grads)
  const [normTensor, scaleTensor] = tf.tidy(() => {
    const { norm, scale } = clipScale(names.map((n) => grads[n] as tf.Tensor), maxNorm)
    return [norm, scale]
  })
  const norm = normTensor.dataSync()[0] ?? 0
  const scale = scaleTensor.dataSync()[0] ?? 1
  tf.dispose([normTensor, scaleTensor])
  const out: tf.NamedTensorMap = {}
  for (const n of names) out[n] = tf.tidy(() => tf.mul(grads[n] as tf.Tensor, scale))
  return { grads: out, norm }
}

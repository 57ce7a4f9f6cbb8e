// How far apart two trainer checkpoints are: for tests that compare two ways of taking the same steps (sparse and
// dense, one thread and several).
import type { SaeCheckpoint } from '../checkpoint.ts'

/**
 * The largest max-abs difference over every tensor of two checkpoints (parameters, Adam moments, firing counters),
 * each relative to that tensor's largest magnitude in `a`, with the tensor it came from. Both must hold the same
 * tensors ('' and 0 for none).
 */
export function worstRelativeDiff(a: SaeCheckpoint, b: SaeCheckpoint): { name: string; value: number } {
  const names = Object.keys(a.tensors).sort()
  if (names.join() !== Object.keys(b.tensors).sort().join()) throw new Error(`The checkpoints hold different tensors: ${names.join(', ')} against ${Object.keys(b.tensors).sort().join(', ')}`)
  let worst = { name: '', value: 0 }
  for (const name of names) {
    const x = a.tensors[name]!.data
    const y = b.tensors[name]!.data
    let diff = 0
    let scale = 1e-6
    x.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - y[i]!))
      scale = Math.max(scale, Math.abs(v))
    })
    if (diff / scale > worst.value) worst = { name, value: diff / scale }
  }
  return worst
}

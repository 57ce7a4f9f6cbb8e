// SAE training-step suite: the issue's two shapes, every architecture, on Node's tfjs-wasm, next to the
// PyTorch figures measured on this CPU (Debian's PyTorch 1.13, 2 threads, same recipe).
import { selectBackend } from '../../src/core/backend/backend.ts'
import { timeTrainStep } from '../../src/core/sae/testing/trainStepBench.ts'
import type { TrainArchitecture } from '../../src/core/sae/types.ts'
import type { BenchRow } from '../harness.ts'

export const title = 'SAE training step (Node)'
export const intro =
  'One optimizer step of the Scaling Monosemanticity recipe (hand-derived fused gradients, Adam, clipping) on a batch of ' +
  'random activations; tokens/s = batch / median step time. PyTorch reference on the same CPU (from the issue): ' +
  '2,093 tokens/s at (256, 4096, 1024) and 512 at (768, 16384, 1024).'

const PYTORCH: Record<string, number> = { '256x4096': 2093, '768x16384': 512 }

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  await selectBackend(['wasm'])
  const shapes: Array<[number, number, number]> = opts.quick ? [[32, 256, 128]] : [[256, 4096, 1024], [768, 16384, 1024]]
  const rows: BenchRow[] = []
  for (const [dIn, dSae, batch] of shapes) {
    const archs: TrainArchitecture[] = dSae > 8192 ? ['standard'] : ['standard', 'topk', 'batchtopk', 'jumprelu', 'matryoshka_batchtopk']
    for (const arch of archs) {
      const t = await timeTrainStep(arch, dIn, dSae, batch, dSae > 8192 ? 3 : 6, 1)
      const ref = PYTORCH[`${dIn}x${dSae}`]
      rows.push({
        suite: 'sae-train',
        case: `${arch} d_in ${dIn}, d_sae ${dSae}, batch ${batch}`,
        engine: 'tfjs-wasm',
        metric: 'tokens/s',
        value: t.tokensPerSecond,
        detail: `${t.msPerStep.toFixed(0)} ms/step${ref && arch === 'standard' ? `; PyTorch 2 threads: ${ref} tokens/s` : ''}`,
      })
      process.stderr.write(`  sae-train/${arch} ${dIn}x${dSae}: ${t.msPerStep.toFixed(0)} ms/step\n`)
    }
  }
  return rows
}

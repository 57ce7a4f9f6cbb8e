// Which SAE step runs: the sparse one (work proportional to the active latents) or the dense one (matmuls over every
// latent). One decision, used by every architecture; tests and the benchmark can pin either path.
import * as tf from '@tensorflow/tfjs'

export type StepPath = 'auto' | 'sparse' | 'dense'

let pinned: StepPath = 'auto'

/** Pins the path for every following step ('auto' restores the measured choice). For tests and benchmarks. */
export function setStepPath(path: StepPath): void {
  pinned = path
}

export function stepPath(): StepPath {
  return pinned
}

/**
 * Largest fraction of d_sae active in the busiest row for which the automatic choice is the sparse step. Measured
 * with tfjs-wasm in Node (sae-train's L0 sweep, standard at (256, 4096, 1024), two runs on 2026-12-07 on a busy
 * machine): sparse ÷ dense was 1.54× and 1.18× at L0 ≈ 64 (busiest row 126 = d_sae/33), 1.37× and 1.02× at L0 ≈ 128
 * (219 = d_sae/19), 0.89× and 0.58× at L0 ≈ 256 (392 = d_sae/10). So the break-even lies near d_sae/19 to d_sae/12;
 * 1/20 takes the cautious end. The slots are sized by the busiest row, so that, not the mean L0, is what the cost
 * follows. TopK with k 32 is well inside it (2–3.8× at d_sae 4096–16384).
 */
export const SPARSE_MAX_DENSITY = 1 / 20

/** Largest [n, slots, d_in] tensor the sparse step may materialise (256 MiB of float32). */
export const SPARSE_MAX_FLOATS = 2 ** 26

/**
 * The sparse step runs on the CPU backends only (wasm, cpu), where the dense matmuls are what is slow. On WebGPU and
 * WebGL it stays dense: a GPU runs those matmuls fast, and the sparse step is untested there (tfjs-webgpu does have
 * every kernel it uses: GatherNd, GatherV2, ScatterNd, TopK, BatchMatMul, and so does tfjs-webgl).
 */
export function sparseBackend(): boolean {
  const name = tf.getBackend()
  return name === 'wasm' || name === 'cpu'
}

/** Whether the path can be sparse at all before anything is measured (false: go dense without reading counts). */
export function sparseAllowed(): boolean {
  return pinned === 'sparse' || (pinned === 'auto' && sparseBackend())
}

/** Sparse for a step whose busiest row has `slots` active latents (after sparseAllowed()). */
export function sparseFor(slots: number, n: number, dIn: number, dSae: number): boolean {
  if (pinned !== 'auto') return pinned === 'sparse'
  return sparseBackend() && slots <= dSae * SPARSE_MAX_DENSITY && n * slots * dIn <= SPARSE_MAX_FLOATS
}

// A 2-D UMAP layout of decoder directions (cosine distance) for one SAE or several jointly, seeded so that the
// same inputs and seed give the same map. The k-nearest-neighbour graph is exact, from a chunked matmul
// (cosineTopK), and handed to umap-js, which then only builds the fuzzy graph and optimises the layout:
// its own NN-descent would evaluate distances one pair at a time in JavaScript.
import * as tf from '@tensorflow/tfjs'
import { UMAP } from 'umap-js'
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import { checkpoint, throwIfAborted } from './cancel.ts'
import { FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, type FeatureMapFile } from './format.ts'
import { cosineTopK, unitRows, type DecoderSet } from './neighbours.ts'

export interface UmapOptions {
  seed: number
  /** umap-learn's default: local structure from 15 neighbours. */
  nNeighbors?: number
  /** umap-learn's default 0.1: points may pack closely, so splitting families stay visible as tight clusters. */
  minDist?: number
  spread?: number
  /** Default: umap-js's (500 epochs up to 2,500 points, fewer for more). */
  nEpochs?: number
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

export interface FeatureLayout {
  /** The SAEs laid out, in input order; `source` indexes this list. */
  saeIds: string[]
  x: Float32Array // [n]
  y: Float32Array // [n]
  source: Int32Array // [n]: which SAE each point is a feature of
  index: Int32Array // [n]: the feature's index in that SAE
  nNeighbors: number
  minDist: number
  seed: number
}

/** Share of progress for the kNN graph; the rest goes to the epochs. */
const KNN_SHARE = 0.2

export async function umapLayout(saes: readonly DecoderSet[], opts: UmapOptions): Promise<FeatureLayout> {
  if (saes.length === 0) throw new InvalidArgumentError('A layout needs at least one SAE')
  const d = saes[0]!.wDec.shape[1]
  for (const s of saes) {
    if (s.wDec.shape[1] !== d) throw new InvalidArgumentError(`SAE ${s.id} reads ${s.wDec.shape[1]}-wide vectors, ${saes[0]!.id} ${d}-wide: a joint map needs SAEs on the same hook`)
  }
  if (new Set(saes.map((s) => s.id)).size !== saes.length) throw new InvalidArgumentError('SAE ids in a joint map must be distinct')
  throwIfAborted(opts.signal)
  const n = saes.reduce((a, s) => a + s.wDec.shape[0], 0)
  const source = new Int32Array(n)
  const index = new Int32Array(n)
  let at = 0
  saes.forEach((s, i) => {
    for (let j = 0; j < s.wDec.shape[0]; j++, at++) {
      source[at] = i
      index[at] = j
    }
  })
  const minDist = opts.minDist ?? 0.1
  const layout = { saeIds: saes.map((s) => s.id), x: new Float32Array(n), y: new Float32Array(n), source, index, seed: opts.seed, minDist }
  const nNeighbors = Math.min(opts.nNeighbors ?? 15, n - 1)
  if (n <= 2) {
    layout.x.forEach((_, i) => (layout.x[i] = i)) // nothing to optimise: two points on a line
    return { ...layout, nNeighbors: Math.max(0, nNeighbors) }
  }

  const unit = tf.tidy(() => tf.concat(saes.map((s) => unitRows(s.wDec)), 0)) as tf.Tensor2D // [n, d]
  let rows: Float32Array
  let knn: Awaited<ReturnType<typeof cosineTopK>>
  try {
    knn = await cosineTopK(unit, unit, {
      k: nNeighbors - 1,
      excludeSelf: true,
      signal: opts.signal,
      onProgress: opts.onProgress && ((f) => opts.onProgress!(KNN_SHARE * f)),
    })
    rows = (await unit.data()) as Float32Array
  } finally {
    unit.dispose()
  }
  // umap-learn's convention: each list starts with the point itself at distance 0.
  const knnIndices: number[][] = []
  const knnDistances: number[][] = []
  for (let i = 0; i < n; i++) {
    const ids = [i]
    const dist = [0]
    for (let t = 0; t < knn.k; t++) {
      ids.push(knn.indices[i * knn.k + t]!)
      dist.push(Math.max(0, 1 - knn.cosines[i * knn.k + t]!))
    }
    knnIndices.push(ids)
    knnDistances.push(dist)
  }

  const rng = createRng(opts.seed)
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    spread: opts.spread ?? 1,
    ...(opts.nEpochs !== undefined ? { nEpochs: opts.nEpochs } : {}),
    random: () => rng.next(),
  })
  umap.setPrecomputedKNN(knnIndices, knnDistances)
  // The fit only reads the points' count once the kNN graph is given; zero-copy row views keep it honest anyway.
  const points = Array.from({ length: n }, (_, i) => rows.subarray(i * d, (i + 1) * d) as unknown as number[])
  const epochs = umap.initializeFit(points)
  await checkpoint(opts.signal)
  for (let e = 0; e < epochs; e++) {
    umap.step()
    if (e % 10 === 9 || e === epochs - 1) {
      opts.onProgress?.(KNN_SHARE + ((1 - KNN_SHARE) * (e + 1)) / epochs)
      await checkpoint(opts.signal)
    }
  }
  const embedding = umap.getEmbedding()
  for (let i = 0; i < n; i++) {
    layout.x[i] = embedding[i]![0]!
    layout.y[i] = embedding[i]![1]!
  }
  return { ...layout, nNeighbors }
}

export interface SplitLinks {
  from: number[]
  to: number[]
  cosine: number[]
}

/**
 * Splitting families for a joint map: each feature of every SAE but the smallest, linked to its nearest decoder
 * direction (cosine) in the next-smaller SAE. Points are numbered as in umapLayout (SAEs concatenated in order).
 */
export async function splittingLinks(saes: readonly DecoderSet[], opts: { signal?: AbortSignal } = {}): Promise<SplitLinks> {
  const offsets: number[] = []
  let total = 0
  for (const s of saes) {
    offsets.push(total)
    total += s.wDec.shape[0]
  }
  const bySize = saes.map((s, i) => ({ i, n: s.wDec.shape[0] })).sort((a, b) => a.n - b.n || a.i - b.i)
  const links: SplitLinks = { from: [], to: [], cosine: [] }
  for (let r = 1; r < bySize.length; r++) {
    const big = bySize[r]!
    const small = bySize[r - 1]!
    const [q, k] = tf.tidy(() => [unitRows(saes[big.i]!.wDec), unitRows(saes[small.i]!.wDec)]) as [tf.Tensor2D, tf.Tensor2D]
    try {
      const nearest = await cosineTopK(q, k, { k: 1, signal: opts.signal })
      for (let j = 0; j < big.n; j++) {
        links.from.push(offsets[big.i]! + j)
        links.to.push(offsets[small.i]! + nearest.indices[j]!)
        links.cosine.push(Math.round(nearest.cosines[j]! * 1e4) / 1e4)
      }
    } finally {
      tf.dispose([q, k])
    }
  }
  return links
}

/** The layout as a feature-map file (FORMAT.md). */
export function featureMapFile(layout: FeatureLayout, opts: { hookName: string | null; links?: SplitLinks }): FeatureMapFile {
  const dSae = layout.saeIds.map(() => 0)
  layout.source.forEach((s) => (dSae[s]! += 1))
  return {
    format: FEATURE_MAP_FORMAT,
    version: FEATURE_MAP_VERSION,
    metric: 'cosine',
    hook_name: opts.hookName,
    saes: layout.saeIds.map((id, i) => ({ id, d_sae: dSae[i]! })),
    seed: layout.seed,
    n_neighbors: layout.nNeighbors,
    min_dist: layout.minDist,
    points: { x: Array.from(layout.x), y: Array.from(layout.y), sae: Array.from(layout.source), index: Array.from(layout.index) },
    links: opts.links ?? { from: [], to: [], cosine: [] },
  }
}

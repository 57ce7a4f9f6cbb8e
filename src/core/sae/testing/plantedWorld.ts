// A planted mini-world for concept-evaluation tests: three languages, animal → cat (word concepts) and a
// cue-limited span concept, with activations that carry them and SAE features that absorb half the cats.
import { createWorldRng } from '../../world/prng.ts'
import type { CatalogueLike } from '../conceptEvaluation.ts'
import { SparseActsBuilder } from '../groundTruth.ts'

export const plantedCatalogue: CatalogueLike = {
  concepts: [
    { id: 0, name: 'lang_a', kind: 'language', scope: 'span', parent: null },
    { id: 1, name: 'lang_b', kind: 'language', scope: 'span', parent: null },
    { id: 2, name: 'lang_c', kind: 'language', scope: 'span', parent: null },
    { id: 3, name: 'animal', kind: 'entity', scope: 'word', parent: null },
    { id: 4, name: 'cat', kind: 'entity', scope: 'word', parent: 3 },
    { id: 5, name: 'joy', kind: 'affect', scope: 'span', parent: null },
  ],
  languages: [{ concept: 0 }, { concept: 1 }, { concept: 2 }],
}

/** Docs of 40 tokens; token ids: 10·lang + k, k < 10; cat = k 1, other animal = k 2; joy spans of 6 from a cue (k 3) at their 3rd token. */
export function plantedWorld(seed: number, dSae: number) {
  const rng = createWorldRng(seed)
  const d = 6
  const documents = Array.from({ length: 90 }, () => 40)
  const tokenIds: number[] = []
  const concepts: number[][] = []
  const unknowable: number[][] = []
  const x: number[] = []
  const dense: number[][] = []
  for (let doc = 0; doc < 90; doc++) {
    const lang = doc % 3
    let joyLeft = 0
    for (let i = 0; i < 40; i++) {
      let k = 4 + Math.floor(rng.next() * 6)
      const r = rng.next()
      if (r < 0.08) k = 1
      else if (r < 0.16) k = 2
      const set = [lang]
      if (k === 1) set.push(3, 4)
      if (k === 2) set.push(3)
      if (joyLeft === 0 && rng.next() < 0.05) joyLeft = 6
      let early = false
      if (joyLeft > 0) {
        const pos = 6 - joyLeft
        if (pos === 2) k = 3
        early = pos < 2
        set.push(5)
        joyLeft--
      }
      tokenIds.push(10 * lang + k)
      concepts.push(set.sort((a, b) => a - b))
      unknowable.push(early ? [5] : [])
      const row = Array.from({ length: d }, () => rng.next() - 0.5)
      if (set.includes(3)) row[0]! += 2 // animal: shared direction
      if (set.includes(4)) row[1]! += 2
      if (set.includes(5) && !early) row[2]! += 2
      row[3]! += lang
      x.push(...row)
      // Features: 0 animal (silent on half the cats), 1 cat, 2 joy, the rest noise.
      dense.push(Array.from({ length: dSae }, (_, j) => (j === 0 ? (k === 2 || (k === 1 && rng.next() < 0.5) ? 1 : 0) : j === 1 ? (k === 1 ? 2 : 0) : j === 2 ? (set.includes(5) && !early ? 1 : 0) : rng.next() < 0.05 ? 1 : 0)))
    }
  }
  const b = new SparseActsBuilder(dSae)
  b.addRows(Float32Array.from(dense.flat()), dense.length)
  return { acts: b.build(), x: Float32Array.from(x), d, labels: { concepts, unknowable, documents, tokenIds }, dense }
}

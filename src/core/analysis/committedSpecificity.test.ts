// The committed TinyWorld analysis carries specificity: the bridge feature that e2e/explorer.spec.ts finds (concept
// search "bridge", best AUROC) is nearly all bridge tokens in its upper activations, and mixed below them.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary, shardOf } from './featureFolder.ts'
import { conceptShareFrom } from './specificity.ts'

const DIR = 'public/analysis/tinyworld/blocks.2.hook_resid_post/standard-1024'

describe('committed specificity (standard-1024)', () => {
  it('gives every feature with a concept its concept counts, and the bridge feature a high share at the top', async () => {
    const summary = parseFeatureSummary(JSON.parse(await readFile(`${DIR}/summary.json`, 'utf8')))
    // As the list's concept search sorted by AUROC picks it.
    const bridge = summary.features.filter((f) => /bridge/.test(f.concept?.name ?? '')).sort((a, b) => b.concept!.auroc - a.concept!.auroc)[0]!
    const { shard, name } = shardOf(summary, bridge.index)
    const file = parseFeatureShard(await decodeJsonBytes(new Uint8Array(await readFile(`${DIR}/${name}`))), { saeId: summary.sae.id, shard, shardSize: summary.shard_size, dSae: summary.sae.d_sae })
    for (const f of file.features) expect(f.histogram.concept_counts === null).toBe(f.concept === null) // ≤ counts: the schema checks it

    const page = file.features.find((f) => f.index === bridge.index)!
    const top = conceptShareFrom(page.histogram, page.max_act / 2)
    const all = conceptShareFrom(page.histogram, 0)
    // Measured when committed: feature 444 (arc_bridge, AUROC 0.900): 76 of 76 tokens from half its max (100%), 328 of 728 overall (45%).
    expect(top.tokens).toBeGreaterThanOrEqual(30)
    expect(top.present / top.tokens).toBeGreaterThanOrEqual(0.9)
    expect(all.tokens).toBe(page.active_tokens)
    expect(all.present / all.tokens).toBeLessThan(0.7) // the share rises with activation: not a feature that is the concept throughout
  })
})

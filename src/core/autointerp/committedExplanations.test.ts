// The committed TinyWorld analysis opens with an explanation and a score on every live feature, and they are what
// the offline explainer writes today (a stale file fails here: re-run `npm run build:analysis`).
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary } from '../analysis/featureFolder.ts'
import { FEATURE_ANALYSIS_FORMAT, FEATURE_ANALYSIS_VERSION } from '../analysis/format.ts'
import { tinyWorldConceptWords } from '../world/conceptWords.ts'
import { explainAllOffline } from './explainAnalysis.ts'

const ROOT = 'public/analysis/tinyworld/blocks.2.hook_resid_post'

describe.each(['standard-1024', 'standard-2048', 'standard-4096', 'topk-4096'])('committed explanations of %s', (sae) => {
  it('explain every live feature with a score, as the offline explainer does now', async () => {
    const summary = parseFeatureSummary(JSON.parse(await readFile(`${ROOT}/${sae}/summary.json`, 'utf8')))
    expect(summary.random_contexts?.length).toBe(40)
    for (const row of summary.features) {
      if (row.density === 0) continue
      expect(row.explanation, `feature ${row.index}`).toMatch(/«/)
      if (row.explanation_score == null) expect(row.max_act, `feature ${row.index} has no score`).toBeGreaterThan(0) // scored unless too few examples
    }
    const scored = summary.features.filter((r) => r.explanation_score != null).length
    expect(scored / summary.features.filter((r) => r.density > 0).length).toBeGreaterThan(0.97)

    // Shard 6 (features 384–447, the bridge feature among them) re-explained from scratch.
    const shard = parseFeatureShard(await decodeJsonBytes(new Uint8Array(await readFile(`${ROOT}/${sae}/features-0006.json.gz`))))
    const { format: _f, version: _v, shard_size: _s, shards: _l, features: _rows, ...header } = summary
    const again = explainAllOffline(
      { format: FEATURE_ANALYSIS_FORMAT, version: FEATURE_ANALYSIS_VERSION, ...header, features: shard.features.map((f) => ({ ...f, explanation: null })) },
      { conceptWords: tinyWorldConceptWords(summary.ground_truth?.concepts ?? null) },
    )
    expect(again.features.map((f) => f.explanation)).toEqual(shard.features.map((f) => f.explanation))
  }, 60_000)
})

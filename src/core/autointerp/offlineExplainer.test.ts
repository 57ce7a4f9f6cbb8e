import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { explainOffline, explainPattern, scoreTextOffline } from './offlineExplainer.ts'
import type { ActivationRecord, FeatureRecords } from './records.ts'
import { formatPattern, parsePattern } from './tokenPattern.ts'
import { simulateText } from './tokenSimulator.ts'

const rec = (text: string, acts: number[]): ActivationRecord => {
  const tokens = text.split('|')
  if (tokens.length !== acts.length) throw new Error(`${tokens.length} tokens, ${acts.length} acts`)
  return { tokens, activations: acts }
}

// A planted "bridge after Golden" feature: fires on " Bridge" only after " Golden"; silent on other bridges.
const bridgeRecords: ActivationRecord[] = [
  rec('the| Golden| Arc| Bridge| is', [0, 0, 0, 5, 0]),
  rec('a| Golden| Bridge| at| dusk', [0, 0, 4.5, 0, 0]),
  rec('old| Bridge| over| water', [0, 0, 0, 0]),
  rec('the| stone| Bridge| fell', [0, 0, 0, 0]),
  rec('we| saw| Golden| Arc| Bridge', [0, 0, 0, 0.2, 4]),
]

describe('explainPattern', () => {
  it('names the firing token and the cue that separates firing from silent occurrences', () => {
    const p = explainPattern(bridgeRecords, null)
    expect(p.fires).toEqual([' Bridge'])
    expect(p.after).toEqual([' Golden'])
    expect(formatPattern(p)).toBe('«Bridge» after «Golden»')
  })

  it('names no cue when every occurrence of the token fires (no evidence that context matters)', () => {
    const p = explainPattern([rec('a| cat| sat', [0, 3, 0]), rec('the| cat| ran', [0, 2, 0])], null)
    expect(formatPattern(p)).toBe('«cat»')
  })

  it('lists several tokens by activation mass, and names a concept only at AUROC ≥ 0.9', () => {
    const records = [rec('a| cat| and| a| chat', [0, 3, 0, 0, 2]), rec('Katze| here', [2, 0])]
    expect(formatPattern(explainPattern(records, { name: 'cat', auroc: 0.95 }))).toBe('concept "cat": «cat», «chat», «Katze»')
    expect(formatPattern(explainPattern(records, { name: 'cat', auroc: 0.6 }))).toBe('«cat», «chat», «Katze»')
  })
})

describe('the token simulator', () => {
  it('predicts 1 on firing tokens with their cue, less without it, 0 elsewhere', () => {
    const pred = simulateText('«Bridge» after «Golden»', [rec('Golden| Arc| Bridge| and| then| a| Bridge', [0, 0, 0, 0, 0, 0, 0])])
    expect(pred).toEqual([[0, 0, 1, 0, 0, 0, 0.25]])
  })

  it('reads back what formatPattern writes, for any tokens (property)', () => {
    const token = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[«»"]/.test(s) && s.trim() !== '' && !s.includes(' after '))
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 4 }), fc.array(token, { maxLength: 2 }), (fires, after) => {
        const back = parsePattern(formatPattern({ fires, after, concept: null }))
        expect(back.fires).toEqual(fires.map((t) => t.trim().toLowerCase()))
        expect(back.after).toEqual(after.map((t) => t.trim().toLowerCase()))
      }),
    )
  })
})

describe('explainOffline', () => {
  const records = (explain: ActivationRecord[]): FeatureRecords => ({
    explain,
    heldOutTop: [rec('the| Golden| Bridge| shone', [0, 0, 4.8, 0]), rec('Golden| Arc| Bridge', [0, 0, 5])],
    random: [rec('old| Bridge| here', [0, 0, 0]), rec('a| cat| sat', [0, 0, 0])],
    maxAct: 5,
  })

  it('is deterministic and scores a right explanation above a token-only one (negative control)', () => {
    const a = explainOffline(records(bridgeRecords), null)!
    expect(explainOffline(records(bridgeRecords), null)).toEqual(a)
    expect(a.text).toBe('«Bridge» after «Golden»')
    expect(a.method).toBe('tokens')
    expect(a.score).toBeGreaterThan(0.9)
    // Without the silent bridges the cue cannot be learned, and the bridge in a random record costs score.
    const weaker = explainOffline(records(bridgeRecords.filter((r) => r.activations.some((v) => v > 0))), null)!
    expect(weaker.text).toBe('«Bridge»')
    expect(weaker.score!).toBeLessThan(a.score!)
    expect(weaker.detection!).toBeLessThan(a.detection!)
  })

  it('returns null for a feature that never fires', () => {
    expect(explainOffline(records([rec('a| b', [0, 0])]), null)).toBeNull()
  })

  it('scores any text as the explanations are: an edited pattern like the file\'s, prose at 0', () => {
    const a = explainOffline(records(bridgeRecords), null)!
    expect(scoreTextOffline(a.text, records(bridgeRecords))).toEqual({ score: a.score, detection: a.detection })
    // Case and spacing do not matter inside «»; prose outside the grammar predicts nothing.
    expect(scoreTextOffline('«bridge »   after «GOLDEN»', records(bridgeRecords)).score).toBe(a.score)
    expect(scoreTextOffline('the Golden Arc Bridge', records(bridgeRecords)).score).toBe(0)
    expect(scoreTextOffline('«Bridge»', { ...records(bridgeRecords), heldOutTop: [], random: [] })).toEqual({ score: null, detection: null })
  })
})

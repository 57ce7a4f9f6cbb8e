// Hash URL helpers: parse and format round-trip, SAE ids with slashes and colons survive, bad input is not a route.
import { describe, expect, it } from 'vitest'
import { formatHash, hrefs, parseFeatureSegments, parseHash } from './hashRoute.ts'

const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'

describe('hash routes', () => {
  it('round-trips feature links with slashes in the SAE id', () => {
    const href = hrefs.feature(SAE, 335)
    expect(href).toBe('#/feature/tinyworld%2Fblocks.2.hook_resid_post%2Fstandard-1024/335')
    const { segments } = parseHash(href)
    expect(segments).toEqual(['feature', SAE, '335'])
    expect(parseFeatureSegments(segments.slice(1))).toEqual({ saeId: SAE, index: 335 })
  })

  it('accepts an SAE id typed with raw slashes', () => {
    const { segments } = parseHash(`#/feature/${SAE}/7`)
    expect(parseFeatureSegments(segments.slice(1))).toEqual({ saeId: SAE, index: 7 })
  })

  it('rejects feature paths without a valid index', () => {
    for (const hash of ['#/feature', `#/feature/${SAE}`, `#/feature/${SAE}/-1`, `#/feature/${SAE}/1.5`, `#/feature/${SAE}/07`]) {
      expect(parseFeatureSegments(parseHash(hash).segments.slice(1))).toBeNull()
    }
  })

  it('reads queries and keeps steering keys intact', () => {
    const href = hrefs.steer(`hf:org/sae@v1/${SAE}:12`)
    const { segments, query } = parseHash(href)
    expect(segments).toEqual(['steer'])
    expect(query.get('feature')).toBe(`hf:org/sae@v1/${SAE}:12`)
  })

  it('handles empty and malformed hashes', () => {
    expect(parseHash('').segments).toEqual([])
    expect(parseHash('#/').segments).toEqual([])
    expect(parseHash('#/map/').segments).toEqual(['map'])
    expect(parseHash('#/bad%zz').segments).toEqual(['bad%zz'])
    expect(formatHash(['features'])).toBe('#/features')
  })
})

import { describe, expect, it } from 'vitest'
import { defaultMatryoshkaWidths, MATRYOSHKA_WIDTHS_METADATA_KEY, matryoshkaLevelOf, matryoshkaWidthsOf, matryoshkaWidthsProblem, parseMatryoshkaWidths } from './matryoshka.ts'

describe('matryoshka widths', () => {
  it('defaults to d_sae/32, /8, /4 and d_sae, dropping empty or repeated levels', () => {
    expect(defaultMatryoshkaWidths(4096)).toEqual([128, 512, 1024, 4096])
    expect(defaultMatryoshkaWidths(512)).toEqual([16, 64, 128, 512])
    expect(defaultMatryoshkaWidths(8)).toEqual([1, 2, 8])
    expect(defaultMatryoshkaWidths(1)).toEqual([1])
    for (const d of [1, 2, 5, 31, 100, 4096]) expect(matryoshkaWidthsProblem(defaultMatryoshkaWidths(d), d)).toBeNull()
  })

  it('accepts strictly ascending integers ending at d_sae, one level included', () => {
    expect(matryoshkaWidthsProblem([12], 12)).toBeNull()
    expect(matryoshkaWidthsProblem([3, 7, 12], 12)).toBeNull()
  })

  it('parses a typed comma list (blank: the default for d_sae) and says what is wrong with a bad one', () => {
    expect(parseMatryoshkaWidths('128, 512,1024 ,4096', 4096)).toEqual({ widths: [128, 512, 1024, 4096], problem: null })
    expect(parseMatryoshkaWidths('  ', 4096)).toEqual({ widths: [128, 512, 1024, 4096], problem: null })
    expect(parseMatryoshkaWidths('100,300,700', 700)).toEqual({ widths: [100, 300, 700], problem: null })
    expect(parseMatryoshkaWidths('128,,4096', 4096).problem).toMatch(/whole numbers separated by commas/)
    expect(parseMatryoshkaWidths('1e2,4096', 4096).problem).toMatch(/whole numbers/)
    expect(parseMatryoshkaWidths('-1,4096', 4096).problem).toMatch(/whole numbers/)
    expect(parseMatryoshkaWidths('512,128,4096', 4096).problem).toMatch(/strictly ascending/)
    expect(parseMatryoshkaWidths('128,512', 4096).problem).toMatch(/last matryoshka width must be d_sae \(4096\)/)
  })

  it.each([
    [[], /non-empty/],
    ['4,12', /non-empty/],
    [[4, 8], /last matryoshka width must be d_sae/],
    [[4, 16], /last matryoshka width must be d_sae/],
    [[4, 4, 12], /strictly ascending/],
    [[8, 4, 12], /strictly ascending/],
    [[0, 12], /positive integers/],
    [[2.5, 12], /positive integers/],
    [[NaN, 12], /positive integers/],
  ])('rejects %j', (widths, message) => {
    expect(matryoshkaWidthsProblem(widths, 12)).toMatch(message)
  })

  it('places each latent in the first level that holds it, and reads only valid widths from metadata', () => {
    const widths = [64, 256, 512, 1024]
    expect(matryoshkaLevelOf(0, widths)).toEqual({ level: 1, levels: 4, start: 0, end: 64 })
    expect(matryoshkaLevelOf(63, widths)).toEqual({ level: 1, levels: 4, start: 0, end: 64 })
    expect(matryoshkaLevelOf(64, widths)).toEqual({ level: 2, levels: 4, start: 64, end: 256 })
    expect(matryoshkaLevelOf(1023, widths)).toEqual({ level: 4, levels: 4, start: 512, end: 1024 })
    expect(() => matryoshkaLevelOf(1024, widths)).toThrow(RangeError)
    expect(matryoshkaWidthsOf({ [MATRYOSHKA_WIDTHS_METADATA_KEY]: widths }, 1024)).toEqual(widths)
    expect(matryoshkaWidthsOf({ [MATRYOSHKA_WIDTHS_METADATA_KEY]: widths }, 2048)).toBeNull()
    expect(matryoshkaWidthsOf({ [MATRYOSHKA_WIDTHS_METADATA_KEY]: '64,1024' }, 1024)).toBeNull()
    expect(matryoshkaWidthsOf({}, 1024)).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { LlmReplyError } from '../../errors.ts'
import { MAX_EXPLANATION_CHARS, parseDetection, parseExplanation, parseSimulation } from './replies.ts'

describe('parseExplanation', () => {
  it.each([
    ['words about bridges.', 'words about bridges'],
    ['  "words about bridges."  \nMore text', 'words about bridges'],
    ['"words about bridges".', 'words about bridges'],
    ['the main thing this neuron does is find words about bridges.', 'words about bridges'],
    ['Explanation of neuron 1 behavior: the main thing this neuron does is find: rivers', 'rivers'],
    ['\n\nthe token "bridge".', 'the token "bridge"'], // inner quotes stay
    ['"bridge" and "arch"', '"bridge" and "arch"'], // not one wrapping pair
    ['`code`', 'code'],
  ])('%j → %j', (reply, text) => expect(parseExplanation(reply)).toBe(text))

  it('caps long replies on a word boundary', () => {
    const text = parseExplanation(`${'word '.repeat(100)}`)
    expect(text.length).toBeLessThanOrEqual(MAX_EXPLANATION_CHARS)
    expect(text.endsWith('word…')).toBe(true)
  })

  it.each(['', '   \n  ', '"."', 'the main thing this neuron does is find'])('refuses the empty reply %j', (reply) => {
    expect(() => parseExplanation(reply)).toThrow(LlmReplyError)
  })
})

describe('parseSimulation', () => {
  const records = [{ tokens: [' a', ' b', ' c'] }, { tokens: [' d', ' e'] }]

  it('reads a well-formed reply', () => {
    expect(parseSimulation('<start>\n a\t0\n b\t10\n c\t3\n<end>\n<start>\n d\t0\n e\t7\n<end>', records)).toEqual([
      [0, 10, 3],
      [0, 7],
    ])
  })

  it('aligns by position: short blocks read 0, extra lines and blocks are ignored, garbage reads 0, values are clamped', () => {
    const reply = 'Sure! Here you go:\n<start>\n a\t5\n\n b\tunknown\n<end>\n<start>\n d\t42\n e\t-3\n extra\t9\n<end>\n<start>\n z\t9\n<end>'
    expect(parseSimulation(reply, records)).toEqual([
      [5, 0, 0],
      [10, 0],
    ])
  })

  it('predicts 0 for a record with no block, and reads a block left open to the end', () => {
    expect(parseSimulation('<start>\n a\t1\n b\t2\n c\t3', records)).toEqual([
      [1, 2, 3],
      [0, 0],
    ])
  })

  it('reads a reply without <start> markers as one stream of tab lines over all tokens', () => {
    expect(parseSimulation(' a\t1\nnoise\n b\t2\n c\t3\n d\t4', records)).toEqual([
      [1, 2, 3],
      [4, 0],
    ])
  })

  it('uses the last field when the tab was lost', () => {
    expect(parseSimulation('<start>\na 6\nb: 7\nc\n<end>', [records[0]!])).toEqual([[6, 7, 0]])
  })
})

describe('parseDetection', () => {
  const order = [2, 0, 3, 1] // shown number k + 1 is record order[k]

  it('maps shown numbers back to record indices', () => {
    expect(parseDetection('[1, 3]', order)).toEqual([false, false, true, true])
    expect(parseDetection('Examples 2 and 4 contain it.', order)).toEqual([true, true, false, false])
  })
  it('takes the first list, ignoring numbers outside it and out of range', () => {
    expect(parseDetection('Of the 4 examples: [4, 9, 0]. Maybe 1.', order)).toEqual([false, true, false, false])
  })
  it('reads [] and "none" as picking nothing', () => {
    expect(parseDetection('[]', order)).toEqual([false, false, false, false])
    expect(parseDetection('None of them.', order)).toEqual([false, false, false, false])
  })
  it('refuses a reply that does not answer', () => {
    expect(() => parseDetection('I cannot tell.', order)).toThrow(LlmReplyError)
  })
})

// `?hub=`: an http(s) endpoint is taken (trailing slashes dropped); anything else is refused with a message that
// says the default Hub is used instead. `?dtype=` and `?threads=` take only what they can use.
import { describe, expect, it } from 'vitest'
import { parseThreads, readUrlState, parseHubParam } from './urlState.ts'

describe('?hub=', () => {
  it('takes an http(s) endpoint and refuses anything else with a clear message', () => {
    expect(parseHubParam(null)).toEqual({ hub: null, hubError: null })
    expect(parseHubParam('  ')).toEqual({ hub: null, hubError: null })
    expect(parseHubParam('http://127.0.0.1:9000/')).toEqual({ hub: 'http://127.0.0.1:9000', hubError: null })
    expect(parseHubParam('https://hf-mirror.com')).toEqual({ hub: 'https://hf-mirror.com', hubError: null })
    expect(parseHubParam('ftp://x')).toMatchObject({ hub: null, hubError: expect.stringMatching(/must be http\(s\).*huggingface\.co/) })
    expect(parseHubParam('not a url')).toMatchObject({ hub: null, hubError: expect.stringMatching(/not a URL/) })
  })
})

describe('?dtype= and ?threads=', () => {
  it("take transformers.js's dtype names and thread counts 1 … 16, and ignore anything else", () => {
    expect(readUrlState('?dtype=q8&threads=2')).toMatchObject({ dtype: 'q8', threads: 2 })
    expect(readUrlState('?dtype=fp64&threads=0')).toMatchObject({ dtype: null, threads: null })
    expect([parseThreads(null), parseThreads('1'), parseThreads('16'), parseThreads('17'), parseThreads('2.5'), parseThreads('x')]).toEqual([null, 1, 16, null, null, null])
  })
})

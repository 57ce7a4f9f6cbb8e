// `?hub=`: an http(s) endpoint is taken (trailing slashes dropped); anything else is refused with a message that
// says the default Hub is used instead.
import { describe, expect, it } from 'vitest'
import { parseHubParam } from './urlState.ts'

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

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startStandInLlmServer, type StandInLlmServer } from '../core/autointerp/llm/testing/standInLlmServer.ts'
import { syntheticFeature } from '../core/autointerp/llm/testing/syntheticFeatures.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { openExplanationFileCache } from './explanationFileCache.ts'
import { explainWithLlm, llmProgressLine, parseLlmExplainOptions } from './llmExplainOptions.ts'

const KEY = 'sk-test-CLI-aaaabbbbccccddddeeeeffff'

describe('parseLlmExplainOptions', () => {
  it('is null without LLM flags (the offline explainer runs)', () => {
    expect(parseLlmExplainOptions({})).toBeNull()
  })

  it('reads the key from the named environment variable, defaulting to OPENAI_API_KEY', () => {
    const a = parseLlmExplainOptions({ endpoint: 'http://127.0.0.1:1/v1', 'llm-model': 'm' }, { OPENAI_API_KEY: KEY })!
    expect(a.client.apiKey).toBe(KEY)
    expect(a.client).toMatchObject({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', concurrency: 4 })
    expect(a.cacheFile).toBeNull()
    const b = parseLlmExplainOptions({ endpoint: 'http://h/v1', 'llm-model': 'm', 'api-key-env': 'MY_KEY', concurrency: '2', cache: 'c.json' }, { MY_KEY: 'k2' })!
    expect(b.client.apiKey).toBe('k2')
    expect(b.client.concurrency).toBe(2)
    expect(b.cacheFile).toBe('c.json')
    // No key at all is fine for local servers.
    expect(parseLlmExplainOptions({ endpoint: 'http://h/v1', 'llm-model': 'm' }, {})!.client.apiKey).toBeNull()
  })

  it('keeps the key out of printed and serialised options', () => {
    const options = parseLlmExplainOptions({ endpoint: 'http://h/v1', 'llm-model': 'm' }, { OPENAI_API_KEY: KEY })!
    expect(JSON.stringify(options) + inspect(options, { depth: null })).not.toContain(KEY)
  })

  it.each([
    [{ 'llm-model': 'm' }, /needs --endpoint/],
    [{ endpoint: 'http://h/v1' }, /needs --llm-model/],
    [{ endpoint: 'http://h/v1', 'llm-model': 'm', 'api-key-env': 'UNSET_VAR' }, /UNSET_VAR: that environment variable is not set/],
    [{ endpoint: 'http://h/v1', 'llm-model': 'm', concurrency: '0' }, /--concurrency must be an integer ≥ 1/],
    [{ endpoint: 'ftp://h/v1', 'llm-model': 'm' }, /must be http/],
  ])('refuses %j', (values, message) => {
    expect(() => parseLlmExplainOptions(values, {})).toThrow(message)
  })

  it('does not echo a key pasted into --api-key-env', () => {
    let err: unknown
    try {
      parseLlmExplainOptions({ endpoint: 'http://h/v1', 'llm-model': 'm', 'api-key-env': KEY }, {})
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InvalidArgumentError)
    expect((err as Error).message).not.toContain(KEY)
  })

  it('formats a progress line', () => {
    expect(llmProgressLine({ done: 3, total: 10, etaSeconds: 11.2, feature: 4 })).toBe('explained 3/10 features (~12 s left)')
    expect(llmProgressLine({ done: 10, total: 10, etaSeconds: 0, feature: 9 })).toBe('explained 10/10 features')
  })
})

describe('explainWithLlm with a cache file', () => {
  let server: StandInLlmServer
  let dir: string
  beforeEach(async () => {
    server = await startStandInLlmServer({ apiKey: KEY })
    dir = await mkdtemp(join(tmpdir(), 'monoscope-llm-'))
  })
  afterEach(async () => {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('explains, writes the cache file, and a second run sends no request', async () => {
    const cache = join(dir, 'explanations.json')
    const options = { ...parseLlmExplainOptions({ endpoint: server.url, 'llm-model': 'stand-in-1', cache }, { OPENAI_API_KEY: KEY })!, saeHash: 'deadbeef' }
    const features = [0, 1, 2].map((i) => syntheticFeature(i))
    const first = await explainWithLlm(features, options)
    expect(first.every((r) => r.ok && !r.cached)).toBe(true)
    const sent = server.requests.length
    expect(sent).toBe(9)
    const file = await readFile(cache, 'utf8')
    expect(file).not.toContain(KEY)
    expect(JSON.parse(file)).toMatchObject({ format: 'monoscope.explanation-cache', version: 1 })
    expect((await openExplanationFileCache(cache)).size).toBe(3)

    const second = await explainWithLlm(features, options)
    expect(server.requests.length).toBe(sent)
    expect(second.every((r) => r.ok && r.cached)).toBe(true)
  })

  it('refuses a cache file that is not one, with a typed error', async () => {
    const cache = join(dir, 'bad.json')
    await writeFile(cache, '{"format": "something-else"}')
    await expect(openExplanationFileCache(cache)).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})

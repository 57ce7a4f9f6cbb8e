import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startStandInLlmServer, type StandInLlmServer } from './standInLlmServer.ts'

let server: StandInLlmServer
beforeEach(async () => {
  server = await startStandInLlmServer({ apiKey: 'k-123' })
})
afterEach(() => server.close())

const post = (body: unknown, key: string | null = 'k-123') =>
  fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) })

describe('stand-in LLM server', () => {
  it('answers a CORS preflight without a key, and sets CORS headers on answers', async () => {
    const pre = await fetch(`${server.url}/chat/completions`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    const res = await post({ messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('refuses a missing or wrong key with 401 (CORS headers included, so a browser can read it)', async () => {
    for (const key of [null, 'wrong']) {
      const res = await post({ messages: [] }, key)
      expect(res.status).toBe(401)
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
    }
  })

  it('logs method, url, headers and body of every request', async () => {
    await post({ messages: [{ role: 'user', content: 'hi' }] })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer k-123' } })
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ messages: [{ role: 'user', content: 'hi' }] })
  })

  it('names the top-activating token when asked to explain, and predicts it when asked to simulate', async () => {
    const explain = await (await post({ messages: [{ role: 'user', content: 'Activations:\n<start>\n a\t0\n bridge\t10\n<end>\n\nExplanation of neuron 1 behavior: the main thing this neuron does is find' }] })).json()
    expect(explain.choices[0].message.content).toBe('the token "bridge".')
    const simulate = await (await post({ messages: [{ role: 'user', content: 'the main thing this neuron does is find the token "bridge".\n<start>\n a\tunknown\n bridge\tunknown\n<end>' }] })).json()
    expect(simulate.choices[0].message.content).toBe('<start>\n a\t0\n bridge\t10\n<end>')
    const detect = await (await post({ messages: [{ role: 'user', content: 'Feature explanation: the token "bridge"\n\nExamples:\nExample 1:  a cat\nExample 2:  the bridge' }] })).json()
    expect(detect.choices[0].message.content).toBe('[2]')
  })
})

// The worker client against a fake port: replies find their requests, errors keep their codes, a dead worker fails fast.
import { describe, expect, it } from 'vitest'
import { ModelWorkerClient, WorkerRequestError, type WorkerPort } from './client.ts'
import type { WorkerRequest, WorkerResponse } from './protocol.ts'

/** A worker stand-in: records requests; the test plays the worker's replies. */
function fakePort() {
  const listeners: Record<string, ((event: never) => void)[]> = {}
  const sent: WorkerRequest[] = []
  const port: WorkerPort = {
    postMessage: (message) => void sent.push(message),
    addEventListener: (type: string, listener: (event: never) => void) => void (listeners[type] ??= []).push(listener),
    terminate: () => {},
  } as WorkerPort
  const reply = (data: WorkerResponse) => listeners.message?.forEach((l) => l({ data } as never))
  const crash = (message: string) => listeners.error?.forEach((l) => l({ message, preventDefault() {} } as never))
  return { port, sent, reply, crash }
}

describe('ModelWorkerClient', () => {
  it('resolves each request with its final reply and streams the rest to callbacks', async () => {
    const { port, sent, reply } = fakePort()
    const client = new ModelWorkerClient(port)
    const tokens: number[] = []
    const handle = client.generate(
      { type: 'generate', prompt: { kind: 'text', text: 'hi' }, sampling: { temperature: 0, topK: 0, topP: 1 }, seed: 0, maxTokens: 2, stopAtEos: true },
      { onToken: (t) => tokens.push(t.id) },
    )
    const tokenized = client.tokenize('hi')
    const [gen, tok] = sent
    expect(gen?.type).toBe('generate')
    expect(tok?.requestId).not.toBe(gen?.requestId)
    reply({ type: 'tokens', requestId: tok!.requestId, ids: [5], pieces: ['hi'] })
    reply({ type: 'tokens', requestId: gen!.requestId, ids: [5], pieces: ['hi'] })
    reply({ type: 'token', requestId: gen!.requestId, index: 0, id: 7, text: '!' })
    reply({ type: 'done', requestId: gen!.requestId, reason: 'maxTokens', generated: 1, elapsedMs: 1, numTensors: 0 })
    await expect(tokenized).resolves.toMatchObject({ ids: [5] })
    await expect(handle.done).resolves.toMatchObject({ reason: 'maxTokens' })
    expect(tokens).toEqual([7])
  })

  it('rejects with the worker error code', async () => {
    const { port, sent, reply } = fakePort()
    const client = new ModelWorkerClient(port)
    const load = client.loadModel({ type: 'loadModel', source: 'hf:', backend: 'auto' })
    reply({ type: 'error', requestId: sent[0]!.requestId, code: 'SOURCE_SPEC', message: 'bad spec' })
    await expect(load).rejects.toMatchObject({ code: 'SOURCE_SPEC', message: 'bad spec', requestType: 'loadModel' })
  })

  it('fails everything pending, and everything after, when the worker dies', async () => {
    const { port, crash } = fakePort()
    const client = new ModelWorkerClient(port)
    const pending = client.tokenize('x')
    crash('boom')
    await expect(pending).rejects.toBeInstanceOf(WorkerRequestError)
    await expect(pending).rejects.toMatchObject({ code: 'WORKER' })
    expect(client.alive).toBe(false)
    await expect(client.tokenize('y')).rejects.toMatchObject({ code: 'WORKER' })
  })
})

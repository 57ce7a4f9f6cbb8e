// A local stand-in for an OpenAI-compatible chat-completions server, for unit and e2e tests: deterministic answers to
// the explain / simulate / detect prompts, scriptable failures, a required key and a log of every request.
// Node only and never imported by app code. It reads the prompts' text format on its own, sharing no code with
// prompts.ts, so a change to the format that breaks parsing shows up as failing tests.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type PromptKind = 'explain' | 'simulate' | 'detect' | 'other'

export interface LoggedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface ScriptedFailure {
  status: number
  /** Sent as the Retry-After header. */
  retryAfter?: string
  body?: string
}

interface Message {
  role: string
  content: string
}

export interface StandInLlmServer {
  /** The API base, e.g. http://127.0.0.1:43210/v1: chat completions are at `${url}/chat/completions`. */
  url: string
  /** Every request, OPTIONS included, in arrival order. */
  requests: LoggedRequest[]
  /** The next chat requests (after the key check) fail with these statuses, one each, in order. */
  failNext(failures: ReadonlyArray<number | ScriptedFailure>): void
  /** Every chat request whose messages contain `text` fails, e.g. a token only one feature's records hold. */
  failWhen(text: string, failure: number | ScriptedFailure): void
  /** Replaces the deterministic answer where it returns a string (garbled replies, wrong explanations). */
  override: ((kind: PromptKind, messages: readonly Message[]) => string | undefined) | null
  /** Wait before answering, in ms (cancellation tests). */
  delayMs: number
  close(): Promise<void>
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Retry-After',
}

export function promptKind(messages: readonly Message[]): PromptKind {
  const user = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n')
  if (/the main thing this neuron does is find\s*$/.test(user)) return 'explain'
  if (/\tunknown$/m.test(user)) return 'simulate'
  if (/^Example \d+: /m.test(user)) return 'detect'
  return 'other'
}

/** Quoted strings in an explanation, trimmed: the tokens it "mentions". */
const mentioned = (explanation: string): Set<string> => new Set([...explanation.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.trim()).filter((t) => t.length > 0))

function explainAnswer(user: string): string {
  const lines = [...user.matchAll(/^(.*)\t(\d+)$/gm)].map((m) => ({ token: m[1]!.trim(), value: Number(m[2]) }))
  const top = Math.max(0, ...lines.map((l) => l.value))
  const tokens = [...new Set(lines.filter((l) => top > 0 && l.value === top).map((l) => l.token))]
  if (tokens.length === 0) return 'nothing in particular'
  return tokens.length === 1 ? `the token "${tokens[0]}".` : `the tokens ${tokens.map((t) => `"${t}"`).join(', ')}.`
}

function simulateAnswer(user: string): string {
  const said = mentioned(/the main thing this neuron does is find (.*)$/m.exec(user)?.[1] ?? '')
  const body = user.slice(user.indexOf('<start>'))
  return body
    .split('\n')
    .map((line) => {
      const m = /^(.*)\tunknown$/.exec(line)
      return m ? `${m[1]}\t${said.has(m[1]!.trim()) ? 10 : 0}` : line
    })
    .join('\n')
}

function detectAnswer(user: string): string {
  const said = mentioned(/^Feature explanation: (.*)$/m.exec(user)?.[1] ?? '')
  const hits = [...user.matchAll(/^Example (\d+): (.*)$/gm)].filter((m) => m[2]!.split(/\s+/).some((w) => said.has(w))).map((m) => Number(m[1]))
  return `[${hits.join(', ')}]`
}

function answer(kind: PromptKind, messages: readonly Message[]): string {
  const user = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n')
  switch (kind) {
    case 'explain':
      return explainAnswer(user)
    case 'simulate':
      return simulateAnswer(user)
    case 'detect':
      return detectAnswer(user)
    case 'other':
      return 'I am a stand-in for an LLM.'
  }
}

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

const asFailure = (f: number | ScriptedFailure): ScriptedFailure => (typeof f === 'number' ? { status: f } : f)

/** Starts the stand-in on 127.0.0.1 (a free port). With `apiKey`, requests without `Authorization: Bearer apiKey` get 401. */
export async function startStandInLlmServer(options: { apiKey?: string | null; delayMs?: number } = {}): Promise<StandInLlmServer> {
  const queue: ScriptedFailure[] = []
  const rules: Array<{ text: string; failure: ScriptedFailure }> = []
  const timers = new Set<ReturnType<typeof setTimeout>>()

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return // the client gave up (cancelled or timed out)
    res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  const sendFailure = (res: http.ServerResponse, f: ScriptedFailure) =>
    send(res, f.status, f.body ?? { error: { message: `scripted failure ${f.status}`, type: 'stand_in' } }, f.retryAfter === undefined ? {} : { 'Retry-After': f.retryAfter })

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req)
    state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Max-Age': '600' })
      return res.end()
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } })
    }
    if (req.method !== 'POST' || !/^\/v1\/chat\/completions\/?$/.test(req.url ?? '')) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } })
    let messages: Message[]
    try {
      messages = (JSON.parse(body) as { messages: Message[] }).messages
      if (!Array.isArray(messages)) throw new Error('no messages')
    } catch {
      return send(res, 400, { error: { message: 'body is not a chat request' } })
    }
    const scripted = queue.shift()
    if (scripted) return sendFailure(res, scripted)
    const text = messages.map((m) => m.content).join('\n')
    const rule = rules.find((r) => text.includes(r.text))
    if (rule) return sendFailure(res, rule.failure)
    const kind = promptKind(messages)
    const content = state.override?.(kind, messages) ?? answer(kind, messages)
    const reply = { id: 'stand-in', object: 'chat.completion', model: 'stand-in', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }
    if (state.delayMs <= 0) return send(res, 200, reply)
    const timer = setTimeout(() => {
      timers.delete(timer)
      send(res, 200, reply)
    }, state.delayMs)
    timers.add(timer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const state: StandInLlmServer = {
    url: `http://127.0.0.1:${port}/v1`,
    requests: [],
    failNext: (failures) => void queue.push(...failures.map(asFailure)),
    failWhen: (text, failure) => void rules.push({ text, failure: asFailure(failure) }),
    override: null,
    delayMs: options.delayMs ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t)
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
  return state
}

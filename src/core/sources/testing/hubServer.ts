// A local stand-in for the Hugging Face Hub (and any static host) for unit and e2e tests: nothing reaches the internet.
// Node only, and never imported by app code.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Keys are `owner/name/path/in/repo` (revision main) or `owner/name@rev/path/in/repo`. Each file is served twice:
 * in the Hub layout `/{owner}/{name}/resolve/{rev}/{path}` and in a plain layout at `/{key}`.
 */
export type HubFiles = Record<string, Uint8Array | string>

export interface HubServerOptions {
  /** Bytes per write, so clients see several progress events (default 16 KiB). */
  chunkSize?: number
  /** Pause between chunks in ms, to test cancelling mid-download (default 0). */
  chunkDelayMs?: number
  /** Send content-length (default true); without it clients cannot know the total in advance. */
  contentLength?: boolean
  /** Answer Hub requests for .safetensors/.onnx/.bin with a 302 to another path, as the Hub does for LFS files. */
  redirectLfs?: boolean
  /** Force a status for a request path (as sent, e.g. '/o/n/resolve/main/config.json'), to test server errors. */
  status?: Record<string, number>
}

export interface HubServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43210: use it as the Hub endpoint or a URL source's base. */
  url: string
  /** Every request seen, in order, so tests can assert what was (not) downloaded. */
  requests: Array<{ method: string; path: string }>
  close(): Promise<void>
}

const LFS_PREFIX = '/__lfs/'
// Tests load from here into a cross-origin-isolated app (COEP require-corp), so every answer allows that, errors included.
const CORS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-headers': '*',
  'access-control-expose-headers': 'content-length, x-error-code, x-repo-commit',
}

type Lookup = { kind: 'file'; key: string; lfs: boolean } | { kind: 'error'; status: number; hubCode?: string }

export async function startHubServer(files: HubFiles, opts: HubServerOptions = {}): Promise<HubServer> {
  const bodies = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]))
  const requests: HubServer['requests'] = []

  const server = http.createServer((req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!
    const method = req.method ?? 'GET'
    requests.push({ method, path: rawPath })
    if (method === 'OPTIONS') return void res.writeHead(204, CORS).end()
    if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405, CORS).end()

    const forced = opts.status?.[rawPath]
    if (forced !== undefined) return void res.writeHead(forced, CORS).end(`status ${forced}`)

    const found = lookup(rawPath, bodies)
    if (found.kind === 'error') {
      const headers = found.hubCode ? { ...CORS, 'x-error-code': found.hubCode } : CORS
      return void res.writeHead(found.status, headers).end(found.hubCode ?? 'Not found')
    }
    if (found.lfs && opts.redirectLfs) {
      return void res.writeHead(302, { ...CORS, location: LFS_PREFIX + encodeURIComponent(found.key) }).end()
    }
    void send(res, bodies.get(found.key)!, method === 'HEAD', opts)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections() // keep-alive sockets would otherwise hold close() open
        server.close(() => resolve())
      }),
  }
}

function lookup(rawPath: string, bodies: Map<string, Uint8Array>): Lookup {
  let segments: string[]
  try {
    segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    return { kind: 'error', status: 400 }
  }
  if (rawPath.startsWith(LFS_PREFIX)) {
    const key = segments.slice(1).join('/')
    return bodies.has(key) ? { kind: 'file', key, lfs: false } : { kind: 'error', status: 404 }
  }
  // Hub layout: the repo id is one segment (legacy names such as gpt2) or two, followed by 'resolve'.
  const at = segments[2] === 'resolve' ? 2 : segments[1] === 'resolve' ? 1 : -1
  if (at > 0 && segments.length > at + 2) {
    const repoId = segments.slice(0, at).join('/')
    const revision = segments[at + 1]!
    const file = segments.slice(at + 2).join('/')
    const keys = [`${repoId}@${revision}/${file}`, ...(revision === 'main' ? [`${repoId}/${file}`] : [])]
    const key = keys.find((k) => bodies.has(k))
    if (key) return { kind: 'file', key, lfs: /\.(safetensors|onnx|bin)$/.test(file) }
    // Mirror the Hub's answers: unknown repos get 401 (it does not reveal private ones), the rest 404 with a code.
    const all = [...bodies.keys()]
    if (!all.some((k) => k.startsWith(`${repoId}/`) || k.startsWith(`${repoId}@`))) return { kind: 'error', status: 401, hubCode: 'RepoNotFound' }
    const hasRevision = revision === 'main' ? all.some((k) => k.startsWith(`${repoId}/`)) : false
    if (!hasRevision && !all.some((k) => k.startsWith(`${repoId}@${revision}/`))) return { kind: 'error', status: 404, hubCode: 'RevisionNotFound' }
    return { kind: 'error', status: 404, hubCode: 'EntryNotFound' }
  }
  const key = segments.join('/')
  return bodies.has(key) ? { kind: 'file', key, lfs: false } : { kind: 'error', status: 404 }
}

async function send(res: http.ServerResponse, body: Uint8Array, headOnly: boolean, opts: HubServerOptions): Promise<void> {
  const headers: Record<string, string> = { ...CORS, 'content-type': 'application/octet-stream' }
  if (opts.contentLength !== false) headers['content-length'] = String(body.length)
  res.writeHead(200, headers)
  if (headOnly) return void res.end()
  const chunkSize = opts.chunkSize ?? 16 * 1024
  for (let offset = 0; offset < body.length; offset += chunkSize) {
    if (res.destroyed) return // the client hung up (e.g. it aborted)
    res.write(body.subarray(offset, offset + chunkSize))
    // Yield between chunks so they reach the client as separate reads.
    await new Promise((resolve) => (opts.chunkDelayMs ? setTimeout(resolve, opts.chunkDelayMs) : setImmediate(resolve)))
  }
  res.end()
}

// A stand-in Hugging Face Hub and a plain static host for the browser tests (which never reach the internet),
// served cross-origin with the CORS and CORP headers a cross-origin-isolated page needs.
//   /<owner>/<repo>/resolve/<revision>/<path>  Hub layout. Repos: `monoscope/tinyworld` (the committed model),
//     `monoscope/tinyworld-saes` (the committed SAEs' folder), `monoscope/broken` (the SAEs, every weights file cut
//     in half: a complete but damaged file) and `monoscope/cut` (the SAEs, the connection dropped halfway through
//     each weights file), `monoscope/tiny-llama-onnx` (an ONNX decoder and its SAE). Anything else is a 404 with the Hub's `X-Error-Code`.
//   /files/<path>  the committed SAEs' folder as a plain static host, plus `/files/standard-1024.zip` (zipped by hand,
//     as a user would: one folder inside).
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { zipSync } from 'fflate'

const SAE_FOLDER = path.resolve('public/saes/tinyworld/blocks.2.hook_resid_post')
const MODEL_FOLDER = path.resolve('public/models/tinyworld')
type Damage = 'none' | 'truncate' | 'drop'
const REPOS: Record<string, { folder: string; damage: Damage }> = {
  'monoscope/tinyworld': { folder: MODEL_FOLDER, damage: 'none' },
  'monoscope/tinyworld-saes': { folder: SAE_FOLDER, damage: 'none' },
  'monoscope/broken': { folder: SAE_FOLDER, damage: 'truncate' },
  'monoscope/cut': { folder: SAE_FOLDER, damage: 'drop' },
  // A tiny random Llama (RoPE, RMSNorm, SwiGLU, GQA) exported to ONNX by scripts/onnx-fixtures, with its SAE in sae/.
  'monoscope/tiny-llama-onnx': { folder: path.resolve('test-fixtures/onnx/llama'), damage: 'none' },
}
const ZIP_NAME = 'standard-1024.zip'

/** A download paused halfway: the server has sent half the body once `reached` resolves, the rest after `release()`. */
export interface HeldDownload {
  reached: Promise<void>
  release(): void
}

export interface HubServer {
  url: string
  /** Paths requested so far (to prove files came from this server). */
  requests: string[]
  /** Pauses the next GET of `pathname` halfway, so a test can look at the progress display. */
  hold(pathname: string): HeldDownload
  close(): Promise<void>
}

interface Hold {
  reached: () => void
  released: Promise<void>
}

function cors(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*')
  res.setHeader('Access-Control-Allow-Headers', '*')
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, ETag, X-Error-Code')
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin')
}

function notFound(res: ServerResponse, hubCode: 'RepoNotFound' | 'EntryNotFound' | null): void {
  res.writeHead(404, { 'Content-Type': 'text/plain', ...(hubCode ? { 'X-Error-Code': hubCode } : {}) }).end(hubCode ?? 'Not found')
}

/** The file a path names inside `folder`, or null when it would escape it. */
function inside(folder: string, relative: string): string | null {
  const file = path.resolve(folder, decodeURIComponent(relative))
  return file.startsWith(folder + path.sep) ? file : null
}

async function zipOfSae(): Promise<Buffer> {
  const dir = path.join(SAE_FOLDER, 'standard-1024')
  const entries: Record<string, Uint8Array> = {}
  for (const name of ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors']) entries[`standard-1024/${name}`] = await readFile(path.join(dir, name))
  return Buffer.from(zipSync(entries, { level: 1 }))
}

/** `extra` adds repos served from folders made at test time (owner/name → folder), e.g. a random GPT-2 small. */
export async function startHubServer(extra: Record<string, string> = {}): Promise<HubServer> {
  const repos: Record<string, { folder: string; damage: Damage }> = { ...REPOS, ...Object.fromEntries(Object.entries(extra).map(([name, folder]) => [name, { folder: path.resolve(folder), damage: 'none' as const }])) }
  const requests: string[] = []
  const holds = new Map<string, Hold>()
  const zip = await zipOfSae()

  async function send(req: IncomingMessage, res: ServerResponse, body: Buffer, damage: Damage, pathname: string): Promise<void> {
    if (damage === 'truncate') body = body.subarray(0, body.length >> 1)
    res.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' })
    if (req.method === 'HEAD') return void res.end()
    const half = body.length >> 1
    if (damage === 'drop') {
      res.write(body.subarray(0, half))
      return void setTimeout(() => res.destroy(), 50)
    }
    const hold = holds.get(pathname)
    if (!hold) return void res.end(body)
    holds.delete(pathname)
    res.write(body.subarray(0, half))
    hold.reached()
    await hold.released
    res.end(body.subarray(half))
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    cors(res)
    if (req.method === 'OPTIONS') return void res.writeHead(204).end()
    const { pathname } = new URL(req.url ?? '/', 'http://hub.test')
    requests.push(pathname)
    if (pathname === `/files/${ZIP_NAME}`) return send(req, res, zip, 'none', pathname)
    const plain = /^\/files\/(.+)$/.exec(pathname)
    const hub = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(pathname)
    const repo = hub ? repos[hub[1]!] : undefined
    if (hub && !repo) return notFound(res, 'RepoNotFound')
    const file = plain ? inside(SAE_FOLDER, plain[1]!) : hub && repo ? inside(repo.folder, hub[3]!) : null
    let body: Buffer
    try {
      if (!file) throw new Error('outside')
      body = await readFile(file)
    } catch {
      return notFound(res, hub ? 'EntryNotFound' : null)
    }
    const damage = repo && file!.endsWith('sae_weights.safetensors') ? repo.damage : 'none'
    return send(req, res, body, damage, pathname)
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold(pathname) {
      let reached!: () => void
      let release!: () => void
      const held: HeldDownload = { reached: new Promise<void>((r) => (reached = r)), release: () => release() }
      holds.set(pathname, { reached, released: new Promise<void>((r) => (release = r)) })
      return held
    },
    close: () =>
      new Promise((resolve) => {
        // A test that failed while a download was held must not keep the server (and the run) alive.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

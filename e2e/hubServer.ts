// A stand-in Hugging Face Hub for the browser tests (which never reach the internet): `/<owner>/<repo>/resolve/
// <revision>/<path>` serves files from a local folder, cross-origin (the app is cross-origin isolated, so CORS
// headers are required). Repos: `monoscope/tinyworld-saes` (the committed SAEs' folder) and `monoscope/broken`
// (the same, with every weights file cut in half). Anything else is a 404, as the Hub answers.
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const SAE_FOLDER = path.resolve('public/saes/tinyworld/blocks.2.hook_resid_post')
const REPOS: Record<string, { folder: string; truncateWeights: boolean }> = {
  'monoscope/tinyworld-saes': { folder: SAE_FOLDER, truncateWeights: false },
  'monoscope/broken': { folder: SAE_FOLDER, truncateWeights: true },
}

export interface HubServer {
  url: string
  /** Paths requested so far (to prove files came from this server). */
  requests: string[]
  close(): Promise<void>
}

function cors(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*')
  res.setHeader('Access-Control-Allow-Headers', '*')
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, ETag')
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin')
}

async function answer(req: IncomingMessage, res: ServerResponse, requests: string[]): Promise<void> {
  cors(res)
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end()
    return
  }
  const url = new URL(req.url ?? '/', 'http://hub.test')
  requests.push(url.pathname)
  const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname)
  const repo = m ? REPOS[m[1]!] : undefined
  const file = m ? path.resolve(repo?.folder ?? '/', decodeURIComponent(m[3]!)) : ''
  if (!m || !repo || !file.startsWith(repo.folder + path.sep)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Entry not found')
    return
  }
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Entry not found')
    return
  }
  if (repo.truncateWeights && file.endsWith('sae_weights.safetensors')) body = body.subarray(0, body.length >> 1)
  res.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' })
  res.end(req.method === 'HEAD' ? undefined : body)
}

export async function startHubServer(): Promise<HubServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    answer(req, res, requests).catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

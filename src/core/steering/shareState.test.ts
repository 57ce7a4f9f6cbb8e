// Share links: states round-trip exactly; malformed, wrong-version, oversized and zip-bomb links fail with their
// reason and a clear message; credentials never go into a link, nor come out of one.
import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from './compress.ts'
import { inflateCapped } from '../formats/inflateCapped.ts'
import { findSourceSecret } from './secrets.ts'
import {
  buildShareUrl,
  decodeShareState,
  encodeShareState,
  interventionsFromShareState,
  steerOptionsFromShareState,
  MAX_ENCODED_CHARS,
  readShareUrl,
  ShareStateError,
  type ShareState,
  type ShareStateReason,
} from './shareState.ts'

const state: ShareState = {
  version: 1,
  model: 'models/tinyworld',
  sae: { source: 'hf:monoscope/tinyworld-saes@main', id: 'tinyworld/blocks.2.hook_resid_post/1024', hook: 'blocks.2.hook_resid_post' },
  prompt: 'The keeper said "the bridge is 𝔰𝔢𝔠𝔯𝔢𝔱" — ünïcödé, too.',
  interventions: [
    { index: 37, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5, maxAct: 3.0625 } },
    { index: 12, mode: 'clamp', strength: { kind: 'absolute', value: -2.5 } },
    { index: 90, mode: 'add', strength: { kind: 'absolute', value: 0.1 + 0.2 } },
  ],
  positions: 'all',
  steerBos: false,
  sampling: { temperature: 0.8, topK: 40, topP: 0.95, maxTokens: 64 },
  seed: 1234567,
  backend: 'wasm',
}

/** Decoding `text` fails with `reason` and a message matching `message`. */
async function rejects(text: string, reason: ShareStateReason, message: RegExp, limits?: { maxEncodedChars?: number }): Promise<void> {
  const err = await decodeShareState(text, limits).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ShareStateError)
  expect((err as ShareStateError).reason).toBe(reason)
  expect((err as ShareStateError).code).toBe('SHARE_STATE')
  expect((err as Error).message).toMatch(message)
}

const pack = (value: unknown, prefix = 'v1.'): string => prefix + toBase64Url(deflateRawSync(Buffer.from(JSON.stringify(value))))

describe('share state', () => {
  it('round-trips exactly, through a URL too', async () => {
    const text = await encodeShareState(state)
    expect(text).toMatch(/^v1\.[A-Za-z0-9_-]+$/)
    expect(text.length).toBeLessThan(600)
    expect(await decodeShareState(text)).toEqual(state)
    const url = await buildShareUrl('https://example.org/monoscope/?backend=wasm', state)
    expect(new URL(url).searchParams.get('backend')).toBe('wasm')
    expect(await readShareUrl(url)).toEqual(state)
    expect(await readShareUrl('https://example.org/monoscope/')).toBeNull()
    const minimal: ShareState = { ...state, sae: { ...state.sae, id: null, hook: null }, prompt: '', interventions: [], backend: null }
    expect(await decodeShareState(await encodeShareState(minimal))).toEqual(minimal)
  })

  it('hands the interventions and recorded max activations to the steering core', () => {
    const { interventions, maxActs } = interventionsFromShareState(state)
    expect(interventions[0]).toEqual({ index: 37, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5 } })
    expect(interventions[2]).toEqual({ index: 90, mode: 'add', strength: { kind: 'absolute', value: 0.1 + 0.2 } })
    expect([...maxActs]).toEqual([[37, 3.0625]])
    expect(steerOptionsFromShareState(state)).toMatchObject({ sampling: { temperature: 0.8, topK: 40, topP: 0.95 }, seed: 1234567, maxTokens: 64, positions: 'all', steerBos: false, hook: 'blocks.2.hook_resid_post' })
  })

  it('rejects malformed links with a reason and a message', async () => {
    const good = await encodeShareState(state)
    await rejects('', 'MALFORMED', /no steering state/)
    await rejects('hello', 'MALFORMED', /not in Monoscope's format/)
    await rejects('v1.abc$def', 'MALFORMED', /base64url/)
    await rejects('v1.a', 'MALFORMED', /base64url/)
    await rejects(good.slice(0, good.length - 12), 'MALFORMED', /damaged/)
    await rejects('v1.' + toBase64Url(Uint8Array.from([255, 255, 255, 1, 2])), 'MALFORMED', /damaged/)
    await rejects('v1.' + toBase64Url(deflateRawSync(Buffer.from('{"version": 1,'))), 'MALFORMED', /damaged \(not valid JSON/)
    await rejects('v1.' + toBase64Url(deflateRawSync(Buffer.from([0x22, 0xff, 0x22]))), 'MALFORMED', /damaged \(not UTF-8\)/)
    await rejects(pack({ ...state, seed: 1.5 }), 'INVALID', /seed/)
    await rejects(pack({ ...state, extra: true }), 'INVALID', /extra/)
    await rejects(pack({ ...state, positions: 'everywhere' }), 'INVALID', /positions/)
    await rejects(pack({ ...state, interventions: [{ index: 1, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5 } }] }), 'INVALID', /maxAct/)
    const twice = [
      { index: 1, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5, maxAct: 2 } },
      { index: 1, mode: 'add', strength: { kind: 'maxMultiple', multiple: 1, maxAct: 3 } },
    ]
    await rejects(pack({ ...state, interventions: twice }), 'INVALID', /two different max activations/)
  })

  it('rejects other versions', async () => {
    await rejects(pack(state, 'v2.'), 'VERSION', /newer Monoscope .*v2/)
    await rejects(pack({ ...state, version: 2 }), 'VERSION', /version 2/)
  })

  it('rejects oversized links and zip bombs quickly', async () => {
    await rejects('v1.' + 'A'.repeat(MAX_ENCODED_CHARS), 'TOO_LARGE', /limit is 8192/)
    await expect(encodeShareState({ ...state, prompt: Array.from({ length: 3900 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('') })).rejects.toMatchObject({ reason: 'TOO_LARGE' })
    // 1 MiB of '{' squeezed into ~1 KiB: inside the character limit, refused once inflating passes 64 KiB.
    const small = 'v1.' + toBase64Url(deflateRawSync(Buffer.alloc(1 << 20, 0x7b)))
    expect(small.length).toBeLessThan(MAX_ENCODED_CHARS)
    await rejects(small, 'TOO_LARGE', /inflates to more than 65536 bytes/)
    // 64 MiB from ~64 KiB with the character limit lifted: the streaming cap stops it after the first slices.
    const bomb = toBase64Url(deflateRawSync(Buffer.alloc(64 << 20)))
    await rejects('v1.' + bomb, 'TOO_LARGE', /inflates/, { maxEncodedChars: Infinity })
    const capped = await inflateCapped(fromBase64Url(bomb)!, 'deflate-raw', 1 << 20)
    expect(capped).toMatchObject({ ok: false, reason: 'too-large' })
  })

  it('never puts credentials in a link, and refuses links that carry them', async () => {
    const refused = async (patch: Partial<ShareState>, field: RegExp) => {
      await expect(encodeShareState({ ...state, ...patch })).rejects.toMatchObject({ reason: 'SECRET', message: expect.stringMatching(field) })
      await rejects(pack({ ...state, ...patch }), 'SECRET', field)
    }
    await refused({ model: 'https://alice:hunter2@models.example.org/tinyworld' }, /model source.*user name or password/)
    await refused({ model: 'https://models.example.org/tinyworld?token=abc' }, /model source.*"token"/)
    await refused({ sae: { ...state.sae, source: 'https://bucket.s3.amazonaws.com/sae?X-Amz-Signature=ff&X-Amz-Credential=x' } }, /SAE source/)
    await refused({ sae: { ...state.sae, source: 'https://host/sae#access_token=abc' } }, /SAE source.*access_token/)
    await refused({ prompt: 'my key is hf_abcdefghijklmnopqrstuvwxyzABCDEFGH ok' }, /prompt.*Hugging Face token/)
    await refused({ sae: { ...state.sae, id: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }, /SAE id.*GitHub token/)
    expect(findSourceSecret('https://huggingface.co/monoscope/tinyworld/resolve/main?download=true')).toBeNull()
    expect(findSourceSecret('hf:owner/name@refs/pr/1')).toBeNull()
    expect(findSourceSecret('models/tinyworld')).toBeNull()
  })
})

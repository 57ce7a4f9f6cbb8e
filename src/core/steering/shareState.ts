// The whole steering demo as a versioned, validated, compressed string for a share link:
// `v1.` + base64url(deflate-raw(JSON)). Decoding checks sizes (encoded and inflated), the version, the schema
// and credentials, and fails with a ShareStateError whose `reason` says which.
import { z } from 'zod'
import type { BackendName } from '../backend/backend.ts'
import { MonoscopeError } from '../errors.ts'
import { deflateRaw, fromBase64Url, toBase64Url } from './compress.ts'
import { inflateCapped } from '../formats/inflateCapped.ts'
import type { Intervention } from './interventions.ts'
import type { SteerOptions } from './steer.ts'
import { POSITION_POLICIES, type PositionPolicy } from './positions.ts'
import { findSecretToken, findSourceSecret } from './secrets.ts'
import { describeValue, parseJsonChecked } from '../formats/safeJson.ts'

export const SHARE_STATE_VERSION = 1
/** Query parameter that carries the state (the app's other link state is in the query too: ?model=, ?backend=). */
export const SHARE_STATE_PARAM = 'steer'
/** 8 KiB of URL: safe in every browser, chat app and server log line; a full state with a long prompt is ~1–3 KiB. */
export const MAX_ENCODED_CHARS = 8192
/** Above any valid state's JSON (prompt 4,000 characters, 64 features); caps what a hostile link can make us inflate. */
export const MAX_INFLATED_BYTES = 64 * 1024
export const MAX_PROMPT_CHARS = 4000
export const MAX_INTERVENTIONS = 64
const MAX_SOURCE_CHARS = 512

/** backend.ts's names, repeated as data: the main thread reads links, and importing backend.ts would pull tfjs in. */
const SHARE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const satisfies readonly BackendName[]

const source = z.string().trim().min(1).max(MAX_SOURCE_CHARS)

const strength = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absolute'), value: z.number() }),
  // The max activation used when the link was made travels with it, so the demo does not depend on the opener's
  // dashboards having been computed (or computed on the same sample).
  z.strictObject({ kind: z.literal('maxMultiple'), multiple: z.number(), maxAct: z.number().positive() }),
])

const shareStateSchemaV1 = z.strictObject({
  version: z.literal(SHARE_STATE_VERSION),
  /** A resolveSource spec: hf:owner/name[@rev], an http(s) URL, or a folder next to the page (models/tinyworld). */
  model: source,
  sae: z.strictObject({
    source,
    /** The SAE's id in feature keys (featureKey.ts), when it has one. */
    id: z.string().min(1).max(256).nullable(),
    /** null: the SAE's own cfg.json hook. */
    hook: z.string().regex(/^[a-z0-9_.]{1,100}$/, 'a TransformerLens hook name').nullable(),
  }),
  prompt: z.string().max(MAX_PROMPT_CHARS),
  interventions: z
    .array(z.strictObject({ index: z.number().int().min(0).max(2 ** 24), mode: z.enum(['clamp', 'add']), strength }))
    .max(MAX_INTERVENTIONS),
  positions: z.enum(POSITION_POLICIES as [PositionPolicy, ...PositionPolicy[]]),
  steerBos: z.boolean(),
  sampling: z.strictObject({
    temperature: z.number().min(0).max(100),
    topK: z.number().int().min(0),
    topP: z.number().min(0).max(1),
    maxTokens: z.number().int().min(0).max(4096),
  }),
  seed: z.number().int(),
  /** The backend the demo ran on: identical tokens are promised only there. */
  backend: z.enum(SHARE_BACKENDS).nullable(),
})

export type ShareState = z.infer<typeof shareStateSchemaV1>

export type ShareStateReason = 'MALFORMED' | 'TOO_LARGE' | 'VERSION' | 'INVALID' | 'SECRET'

/**
 * A share state that cannot be encoded or decoded. Its code is INVALID_ARGUMENT (errors.ts has no share code yet);
 * `reason` tells the UI which message and way out to show.
 */
export class ShareStateError extends MonoscopeError {
  readonly reason: ShareStateReason

  constructor(reason: ShareStateReason, message: string) {
    super('SHARE_STATE', message)
    this.reason = reason
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'state'}: ${i.message}`)
    .join('; ')
}

/** Schema, then credentials. Returns the parsed (trimmed, key-ordered) state. */
function checkState(value: unknown, action: 'share' | 'open'): ShareState {
  const parsed = shareStateSchemaV1.safeParse(value)
  if (!parsed.success) {
    const version = (value as { version?: unknown } | null)?.version
    if (action === 'open' && version !== SHARE_STATE_VERSION) {
      throw new ShareStateError('VERSION', `This link's steering state has version ${describeValue(version)}; this Monoscope reads version ${SHARE_STATE_VERSION}`)
    }
    throw new ShareStateError('INVALID', `${action === 'share' ? 'Cannot share this steering state' : "This link's steering state is invalid"}: ${describeIssues(parsed.error)}`)
  }
  const state = parsed.data
  const maxActs = new Map<number, number>()
  for (const { index, strength: s } of state.interventions) {
    if (s.kind !== 'maxMultiple') continue
    if (maxActs.has(index) && maxActs.get(index) !== s.maxAct) {
      throw new ShareStateError('INVALID', `${action === 'share' ? 'Cannot share this steering state' : "This link's steering state is invalid"}: feature ${index} has two different max activations`)
    }
    maxActs.set(index, s.maxAct)
  }
  const found: [string, string | null][] = [
    ['model source', findSourceSecret(state.model)],
    ['SAE source', findSourceSecret(state.sae.source)],
    ['SAE id', state.sae.id === null ? null : findSecretToken(state.sae.id)],
    ['prompt', findSecretToken(state.prompt)],
  ]
  for (const [field, why] of found) {
    if (why) {
      throw new ShareStateError('SECRET', action === 'share'
        ? `Not sharing: the ${field} would put a credential in the link (${why}). Use a public source, or remove it`
        : `Refusing this link: its ${field} carries a credential (${why})`)
    }
  }
  return state
}

/** `v1.` + base64url(deflate-raw(JSON)). Throws ShareStateError (INVALID, SECRET, TOO_LARGE). */
export async function encodeShareState(state: ShareState): Promise<string> {
  const checked = checkState(state, 'share')
  const json = new TextEncoder().encode(JSON.stringify(checked))
  const text = `v${SHARE_STATE_VERSION}.${toBase64Url(await deflateRaw(json))}`
  if (text.length > MAX_ENCODED_CHARS) {
    throw new ShareStateError('TOO_LARGE', `The steering state needs ${text.length} characters, over the link limit of ${MAX_ENCODED_CHARS}: shorten the prompt or steer fewer features`)
  }
  return text
}

export interface DecodeLimits {
  maxEncodedChars?: number
  maxInflatedBytes?: number
}

/** The inverse of encodeShareState. Throws ShareStateError with a reason for every kind of bad input. */
export async function decodeShareState(text: string, limits: DecodeLimits = {}): Promise<ShareState> {
  const maxChars = limits.maxEncodedChars ?? MAX_ENCODED_CHARS
  const maxBytes = limits.maxInflatedBytes ?? MAX_INFLATED_BYTES
  if (typeof text !== 'string' || text.trim() === '') throw new ShareStateError('MALFORMED', 'The link has no steering state')
  const trimmed = text.trim()
  if (trimmed.length > maxChars) throw new ShareStateError('TOO_LARGE', `The link's steering state is ${trimmed.length} characters; the limit is ${maxChars}`)
  const match = /^v(\d{1,6})\.(.*)$/s.exec(trimmed)
  if (!match) throw new ShareStateError('MALFORMED', 'The link\'s steering state is not in Monoscope\'s format (expected "v1." and base64url data); was the link cut short?')
  const version = Number(match[1])
  if (version !== SHARE_STATE_VERSION) {
    throw new ShareStateError('VERSION', `This link was made by a ${version > SHARE_STATE_VERSION ? 'newer' : 'different'} Monoscope (state format v${version}); this one reads v${SHARE_STATE_VERSION}`)
  }
  const bytes = fromBase64Url(match[2]!)
  if (!bytes) throw new ShareStateError('MALFORMED', "The link's steering state has characters outside base64url; was the link cut short or changed?")
  const inflated = await inflateCapped(bytes, 'deflate-raw', maxBytes)
  if (!inflated.ok) {
    throw inflated.reason === 'too-large'
      ? new ShareStateError('TOO_LARGE', `The link's steering state inflates to more than ${maxBytes} bytes; refusing it`)
      : new ShareStateError('MALFORMED', `The link's steering state is damaged (${inflated.detail}); was the link cut short?`)
  }
  let json: string
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflated.bytes)
  } catch {
    throw new ShareStateError('MALFORMED', "The link's steering state is damaged (not UTF-8)")
  }
  const value = parseJsonChecked(json, (detail) => {
    throw new ShareStateError('MALFORMED', `The link's steering state is damaged (${detail})`)
  })
  return checkState(value, 'open')
}

/** `baseUrl` with ?steer= set (other parameters kept). */
export async function buildShareUrl(baseUrl: string, state: ShareState): Promise<string> {
  const url = new URL(baseUrl)
  url.searchParams.set(SHARE_STATE_PARAM, await encodeShareState(state))
  return url.toString()
}

/** The state in a share URL, or null when it has no ?steer=. Throws ShareStateError when it has a bad one. */
export async function readShareUrl(url: string | URL, limits?: DecodeLimits): Promise<ShareState | null> {
  const text = new URL(url).searchParams.get(SHARE_STATE_PARAM)
  return text === null ? null : decodeShareState(text, limits)
}

/** The interventions and max activations to pass to generateSteered. */
export function interventionsFromShareState(state: ShareState): { interventions: Intervention[]; maxActs: Map<number, number> } {
  const maxActs = new Map<number, number>()
  const interventions = state.interventions.map(({ index, mode, strength: s }): Intervention => {
    if (s.kind === 'absolute') return { index, mode, strength: { kind: 'absolute', value: s.value } }
    maxActs.set(index, s.maxAct)
    return { index, mode, strength: { kind: 'maxMultiple', multiple: s.multiple } }
  })
  return { interventions, maxActs }
}

/** Everything generateSteered needs from a state except the signal and the model's stop tokens. */
export function steerOptionsFromShareState(state: ShareState): SteerOptions {
  const { interventions, maxActs } = interventionsFromShareState(state)
  const { temperature, topK, topP, maxTokens } = state.sampling
  return {
    interventions,
    maxActs,
    sampling: { temperature, topK, topP },
    seed: state.seed,
    maxTokens,
    positions: state.positions,
    steerBos: state.steerBos,
    ...(state.sae.hook !== null ? { hook: state.sae.hook } : {}),
  }
}

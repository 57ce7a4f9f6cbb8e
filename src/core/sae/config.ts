// Reads SAELens `cfg.json` files, both the 6.x layout (sizes at the top, provenance under `metadata`) and the
// flat pre-6.0 one (`hook_point`, boolean `normalize_activations`, `activation_fn_str`, …), and writes the 6.x
// layout back. Field names follow SAELens (sae_lens/saes/sae.py, sae_lens/loading/pretrained_sae_loaders.py).
import { z } from 'zod'
import { SaeFormatError } from '../errors.ts'
import { emptyMetadata, NORMALIZE_ACTIVATIONS, type NormalizeActivations, type SaeConfig, type SaeMetadata } from './types.ts'
import { describeValue } from '../formats/safeJson.ts'
import { parseJsonChecked } from '../formats/safeJson.ts'

export interface ParsedSaeLensConfig {
  config: SaeConfig
  /** Which layout the file used. */
  layout: '6.x' | 'pre-6.0'
  /** Pre-6.0 only: the weights may carry a `scaling_factor` [d_sae] multiplying activations before decoding. */
  finetuningScalingFactor: boolean
}

/** SAELens writes this version when a file has none (see saeConfigToJson): the version whose layout we write. */
export const SAELENS_LAYOUT_VERSION = '6.0.0'

// SAELens's DTYPE_MAP: the dtypes it accepts in cfg.json.
const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'torch.float32', 'torch.float64', 'torch.float16', 'torch.bfloat16'] as const

const positiveInt = z.number().int().positive()
const nullableString = z.string().nullable().optional()

const metadataSchema = z.looseObject({
  model_name: nullableString,
  hook_name: nullableString,
  hook_head_index: z.number().int().nonnegative().nullable().optional(),
  prepend_bos: z.boolean().nullable().optional(),
  context_size: positiveInt.nullable().optional(),
  dataset_path: nullableString,
  neuronpedia_id: nullableString,
  sae_lens_version: nullableString,
  sae_lens_training_version: nullableString,
})
const METADATA_FIELDS = new Set(Object.keys(metadataSchema.shape))

const modernSchema = z.looseObject({
  architecture: z.string(),
  d_in: positiveInt,
  d_sae: positiveInt,
  dtype: z.enum(DTYPES).optional(),
  device: z.string().optional(),
  apply_b_dec_to_input: z.boolean().optional(),
  normalize_activations: z.enum(NORMALIZE_ACTIVATIONS as [NormalizeActivations, ...NormalizeActivations[]]).optional(),
  reshape_activations: z.enum(['none', 'hook_z']).optional(),
  k: positiveInt.optional(),
  rescale_acts_by_decoder_norm: z.boolean().optional(),
  metadata: metadataSchema,
})

const legacySchema = z.looseObject({
  architecture: z.string().optional(),
  d_in: positiveInt,
  d_sae: positiveInt.optional(),
  expansion_factor: z.number().positive().optional(),
  hook_point: z.string().optional(),
  hook_name: z.string().optional(),
  hook_point_layer: z.number().int().nonnegative().optional(),
  hook_layer: z.number().int().nonnegative().optional(),
  hook_point_head_index: z.number().int().nonnegative().nullable().optional(),
  hook_head_index: z.number().int().nonnegative().nullable().optional(),
  model_name: nullableString,
  dtype: z.enum(DTYPES).optional(),
  device: z.string().optional(),
  apply_b_dec_to_input: z.boolean().optional(),
  normalize_activations: z
    .union([z.boolean(), z.enum(NORMALIZE_ACTIVATIONS as [NormalizeActivations, ...NormalizeActivations[]])])
    .nullable()
    .optional(),
  activation_fn_str: z.string().optional(),
  activation_fn: z.string().optional(),
  activation_fn_kwargs: z.looseObject({ k: positiveInt.optional() }).nullable().optional(),
  finetuning_scaling_factor: z.boolean().optional(),
  // Pre-6.0 configs carry these metadata fields flat, with the same types as 6.x's metadata block.
  ...metadataSchema.pick({
    prepend_bos: true,
    context_size: true,
    dataset_path: true,
    neuronpedia_id: true,
    sae_lens_version: true,
    sae_lens_training_version: true,
  }).shape,
})

// Flat pre-6.0 keys SAELens moves into `metadata` (its LLM_METADATA_KEYS) beyond the typed ones above.
const LEGACY_EXTRA_METADATA_KEYS = ['model_class_name', 'model_from_pretrained_kwargs', 'exclude_special_tokens', 'seqpos_slice']

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function fail(message: string): never {
  throw new SaeFormatError(`Invalid SAE cfg.json: ${message}`)
}

function describeIssues(json: unknown, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((issue) => {
      let v: unknown = json
      for (const key of issue.path) v = isRecord(v) ? v[key as string] : undefined
      const got = v === undefined ? 'missing' : `got ${describeValue(v)}`
      return `${issue.path.join('.') || '(root)'}: ${issue.message.replace(/^Invalid input: /, '')} (${got})`
    })
    .join('; ')
}

/** Major version of a SAELens version string such as '6.0.0-rc.0' or '3.13.1'; null when unparseable. */
function majorVersion(version: string | null | undefined): number | null {
  const m = /^v?(\d+)\./.exec(version ?? '')
  return m ? Number(m[1]) : null
}

function checkArchitecture(arch: string): SaeConfig['architecture'] {
  switch (arch) {
    case 'standard':
    case 'topk':
    case 'jumprelu':
      return arch
    case 'batchtopk':
    case 'matryoshka_batchtopk':
      return fail(`architecture "${arch}" is a SAELens training checkpoint; SAELens saves such SAEs for inference as "jumprelu" (save_inference_model)`)
    case 'gated':
      return fail('architecture "gated" is not supported; Monoscope reads standard, topk and jumprelu SAEs')
    default:
      return fail(`unknown architecture "${arch}"; Monoscope reads standard, topk and jumprelu SAEs`)
  }
}

/** `blocks.{l}.…` → l, else null. */
function layerOfHook(hookName: string): number | null {
  const m = /^blocks\.(\d+)\./.exec(hookName)
  return m ? Number(m[1]) : null
}

function checkTopK(architecture: SaeConfig['architecture'], k: number | undefined, dSae: number): number | null {
  if (architecture !== 'topk') return null
  if (k === undefined) fail('a topk SAE needs k (the number of latents kept per input)')
  if (k > dSae) fail(`k (${k}) must not exceed d_sae (${dSae})`)
  return k
}

function metadataFrom(raw: Record<string, unknown>, typed: z.infer<typeof metadataSchema>, extraKeys: Iterable<string>): SaeMetadata {
  const extra: Record<string, unknown> = {}
  for (const key of extraKeys) if (raw[key] !== undefined) extra[key] = raw[key]
  return {
    ...emptyMetadata(),
    modelName: typed.model_name ?? null,
    hookName: typed.hook_name ?? null,
    hookHeadIndex: typed.hook_head_index ?? null,
    prependBos: typed.prepend_bos ?? null,
    contextSize: typed.context_size ?? null,
    datasetPath: typed.dataset_path ?? null,
    neuronpediaId: typed.neuronpedia_id ?? null,
    saeLensVersion: typed.sae_lens_version ?? null,
    saeLensTrainingVersion: typed.sae_lens_training_version ?? null,
    extra,
  }
}

function parseModern(json: Record<string, unknown>): ParsedSaeLensConfig {
  const parsed = modernSchema.safeParse(json)
  if (!parsed.success) fail(describeIssues(json, parsed.error.issues))
  const c = parsed.data
  const architecture = checkArchitecture(c.architecture)
  const rawMeta = json.metadata as Record<string, unknown>
  const metadata = metadataFrom(rawMeta, c.metadata, Object.keys(rawMeta).filter((k) => !METADATA_FIELDS.has(k)))
  return {
    layout: '6.x',
    finetuningScalingFactor: false,
    config: {
      architecture,
      dIn: c.d_in,
      dSae: c.d_sae,
      dtype: c.dtype ?? 'float32',
      device: c.device ?? 'cpu',
      applyBDecToInput: c.apply_b_dec_to_input ?? true,
      normalizeActivations: c.normalize_activations ?? 'none',
      reshapeActivations: c.reshape_activations ?? 'none',
      k: checkTopK(architecture, c.k, c.d_sae),
      rescaleActsByDecoderNorm: architecture === 'topk' ? (c.rescale_acts_by_decoder_norm ?? false) : false,
      metadata,
    },
  }
}

function parseLegacy(json: Record<string, unknown>): ParsedSaeLensConfig {
  const parsed = legacySchema.safeParse(json)
  if (!parsed.success) fail(describeIssues(json, parsed.error.issues))
  const c = parsed.data

  if (c.hook_point !== undefined && c.hook_name !== undefined && c.hook_point !== c.hook_name) {
    fail(`hook_point "${c.hook_point}" and hook_name "${c.hook_name}" disagree`)
  }
  const hookName = c.hook_name ?? c.hook_point ?? null
  const declaredLayer = c.hook_point_layer ?? c.hook_layer
  if (hookName !== null && declaredLayer !== undefined) {
    const layer = layerOfHook(hookName)
    if (layer !== null && layer !== declaredLayer) fail(`hook_point_layer ${declaredLayer} disagrees with hook point "${hookName}" (layer ${layer})`)
  }

  let dSae = c.d_sae
  if (dSae === undefined) {
    if (c.expansion_factor === undefined) fail('d_sae is missing (and there is no expansion_factor to derive it from)')
    dSae = c.d_in * c.expansion_factor
    if (!Number.isInteger(dSae)) fail(`d_in (${c.d_in}) × expansion_factor (${c.expansion_factor}) is not an integer`)
  }

  // SAELens's handle_pre_6_0_config: activation_fn_str → activation_fn; 'topk' with kwargs.k makes a topk SAE.
  const activationFn = c.activation_fn ?? c.activation_fn_str ?? 'relu'
  let architectureName = c.architecture ?? 'standard'
  const kwargsK = c.activation_fn_kwargs?.k
  if (activationFn === 'topk') {
    if (kwargsK === undefined) fail('activation_fn "topk" needs activation_fn_kwargs.k')
    architectureName = 'topk'
  } else if (activationFn !== 'relu') {
    fail(`activation_fn "${activationFn}" is not supported; pre-6.0 SAEs must use relu or topk`)
  }
  const architecture = checkArchitecture(architectureName)

  const norm = c.normalize_activations
  const normalizeActivations: NormalizeActivations = norm === true ? 'expected_average_only_in' : norm === false || norm === null || norm === undefined ? 'none' : norm

  const typedMeta = metadataSchema.parse({
    model_name: c.model_name,
    hook_name: hookName,
    hook_head_index: c.hook_head_index ?? c.hook_point_head_index ?? null,
    prepend_bos: c.prepend_bos ?? true, // SAELens's pre-6.0 default
    context_size: c.context_size,
    dataset_path: c.dataset_path,
    neuronpedia_id: c.neuronpedia_id,
    sae_lens_version: c.sae_lens_version,
    sae_lens_training_version: c.sae_lens_training_version,
  })
  return {
    layout: 'pre-6.0',
    finetuningScalingFactor: c.finetuning_scaling_factor ?? false,
    config: {
      architecture,
      dIn: c.d_in,
      dSae,
      dtype: c.dtype ?? 'float32',
      device: c.device ?? 'cpu',
      applyBDecToInput: c.apply_b_dec_to_input ?? true,
      normalizeActivations,
      reshapeActivations: hookName?.endsWith('hook_z') ? 'hook_z' : 'none',
      k: checkTopK(architecture, kwargsK, dSae),
      rescaleActsByDecoderNorm: false,
      metadata: metadataFrom(json, typedMeta, LEGACY_EXTRA_METADATA_KEYS),
    },
  }
}

/**
 * Parses a SAELens cfg.json (text or parsed JSON). A file with a `metadata` object uses the 6.x layout; one
 * without uses the flat pre-6.0 layout. Throws SaeFormatError naming the offending field.
 */
export function parseSaeLensConfig(input: string | unknown): ParsedSaeLensConfig {
  let json: unknown = input
  if (typeof input === 'string') {
    json = parseJsonChecked(input, fail)
  }
  if (!isRecord(json)) fail(`must be a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`)
  if (json.metadata !== undefined && !isRecord(json.metadata)) fail('metadata must be an object')
  const meta = json.metadata
  const modern = isRecord(meta)
  if (modern) {
    const major = majorVersion(meta.sae_lens_version as string | undefined)
    if (major !== null && major < 6) fail(`metadata.sae_lens_version is ${String(meta.sae_lens_version)}, but the metadata object is the 6.x layout`)
  }
  return modern ? parseModern(json) : parseLegacy(json)
}

/**
 * The 6.x cfg.json object for `config`, as SAELens's save_inference_model writes it. `metadata.sae_lens_version`
 * is always present: SAELens reads a file without one as pre-6.0 and would drop the metadata object.
 */
export function saeConfigToJson(config: SaeConfig): Record<string, unknown> {
  const m = config.metadata
  const major = majorVersion(m.saeLensVersion)
  const metadata: Record<string, unknown> = {
    ...m.extra,
    sae_lens_version: major !== null && major >= 6 ? m.saeLensVersion : SAELENS_LAYOUT_VERSION,
    sae_lens_training_version: m.saeLensTrainingVersion,
    model_name: m.modelName,
    hook_name: m.hookName,
    hook_head_index: m.hookHeadIndex,
    prepend_bos: m.prependBos,
    context_size: m.contextSize,
    dataset_path: m.datasetPath,
    neuronpedia_id: m.neuronpediaId,
  }
  const json: Record<string, unknown> = {
    d_in: config.dIn,
    d_sae: config.dSae,
    dtype: config.dtype,
    device: config.device,
    apply_b_dec_to_input: config.applyBDecToInput,
    normalize_activations: config.normalizeActivations,
    reshape_activations: config.reshapeActivations,
    metadata,
  }
  if (config.architecture === 'topk') {
    json.k = config.k
    json.rescale_acts_by_decoder_norm = config.rescaleActsByDecoderNorm
  }
  json.architecture = config.architecture
  return json
}

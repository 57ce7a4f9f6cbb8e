// TransformerLens hook names, built from functions so nobody types `blocks.3.hook_resid_post` by hand.
import { HookNameError } from '../errors.ts'

export type BlockHookSuffix =
  | 'hook_resid_pre'
  | 'hook_resid_mid'
  | 'hook_resid_post'
  | 'attn.hook_pattern'
  | 'hook_attn_out'
  | 'mlp.hook_post'
  | 'hook_mlp_out'

export type GlobalHookName = 'hook_embed' | 'hook_pos_embed' | 'ln_final.hook_normalized'
export type BlockHookName = `blocks.${number}.${BlockHookSuffix}`
export type HookName = GlobalHookName | BlockHookName

const BLOCK_SUFFIXES: readonly BlockHookSuffix[] = [
  'hook_resid_pre',
  'attn.hook_pattern',
  'hook_attn_out',
  'hook_resid_mid',
  'mlp.hook_post',
  'hook_mlp_out',
  'hook_resid_post',
]

const block = (layer: number, suffix: BlockHookSuffix): BlockHookName => {
  if (!Number.isInteger(layer) || layer < 0) throw new HookNameError(`Layer must be a non-negative integer, got ${layer}`)
  return `blocks.${layer}.${suffix}`
}

export const hookName = {
  embed: (): GlobalHookName => 'hook_embed',
  posEmbed: (): GlobalHookName => 'hook_pos_embed',
  residPre: (layer: number) => block(layer, 'hook_resid_pre'),
  residMid: (layer: number) => block(layer, 'hook_resid_mid'),
  residPost: (layer: number) => block(layer, 'hook_resid_post'),
  attnPattern: (layer: number) => block(layer, 'attn.hook_pattern'),
  attnOut: (layer: number) => block(layer, 'hook_attn_out'),
  mlpPost: (layer: number) => block(layer, 'mlp.hook_post'),
  mlpOut: (layer: number) => block(layer, 'hook_mlp_out'),
  lnFinalNormalized: (): GlobalHookName => 'ln_final.hook_normalized',
} as const

/** Every hook point of a model with `nLayers` blocks, in execution order. */
export function allHookNames(nLayers: number): HookName[] {
  const names: HookName[] = [hookName.embed(), hookName.posEmbed()]
  for (let l = 0; l < nLayers; l++) for (const suffix of BLOCK_SUFFIXES) names.push(block(l, suffix))
  names.push(hookName.lnFinalNormalized())
  return names
}

const BLOCK_PATTERN = /^blocks\.(\d+)\.(.+)$/

/** Parses and validates a user-supplied hook name against a model with `nLayers` blocks. */
export function parseHookName(text: string, nLayers: number): HookName {
  const trimmed = text.trim()
  if (trimmed === 'hook_embed' || trimmed === 'hook_pos_embed' || trimmed === 'ln_final.hook_normalized') return trimmed
  const match = BLOCK_PATTERN.exec(trimmed)
  if (match) {
    const layer = Number(match[1])
    const suffix = match[2] as BlockHookSuffix
    if (!BLOCK_SUFFIXES.includes(suffix)) {
      throw new HookNameError(`Unknown hook "${trimmed}": block hooks are ${BLOCK_SUFFIXES.join(', ')}`)
    }
    if (layer >= nLayers) throw new HookNameError(`Hook "${trimmed}" names layer ${layer}, but the model has ${nLayers} layers`)
    return block(layer, suffix)
  }
  throw new HookNameError(`Unknown hook "${trimmed}"; try e.g. ${hookName.residPost(0)}`)
}

/** The layer a hook belongs to, or null for the embedding and final-norm hooks. */
export function hookLayer(name: HookName): number | null {
  const match = BLOCK_PATTERN.exec(name)
  return match ? Number(match[1]) : null
}

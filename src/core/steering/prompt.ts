// The token ids a steered generation starts from. Both sides of a share link (the CLI and the browser) build them
// here, so the same prompt text gives the same ids and the same tokens.

export interface SteeringPromptModel {
  readonly bosTokenId: number | null
}

/**
 * The prompt's ids with the model's BOS in front when the SAE was trained on BOS-prefixed windows (SAELens
 * `prepend_bos`, true unless the cfg says otherwise): the SAE then sees activations like those it was trained on,
 * and steering leaves that BOS position alone (positions.ts). An empty prompt is just the BOS.
 */
export function steeringPromptIds(ids: readonly number[], model: SteeringPromptModel, prependBos: boolean | null | undefined): number[] {
  const bos = model.bosTokenId
  if (bos === null || prependBos === false) return [...ids]
  return ids[0] === bos ? [...ids] : [bos, ...ids]
}

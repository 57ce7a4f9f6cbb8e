// Public surface of steering: feature keys, interventions on an SAE's hook, steered and side-by-side generation,
// and share-link state.
export { asFeatureIndex, asSaeId, featureId, featureKey, parseFeatureKey, type FeatureId, type FeatureIndex, type SaeId } from './featureKey.ts'
export { positionWindow, windowSlice, POSITION_POLICIES, type PositionPolicy, type PositionWindow } from './positions.ts'
export { steerActivation, type CompiledSteering } from './steerActivation.ts'
export {
  buildSteeringHooks,
  compileInterventions,
  resolveInterventions,
  STEERING_MODES,
  type Intervention,
  type MaxActs,
  type ResolvedIntervention,
  type SteeringHookOptions,
  type SteeringMode,
  type Strength,
} from './interventions.ts'
export {
  divergenceIndex,
  generateSideBySide,
  generateSteered,
  runSideBySide,
  steeringHooksFor,
  type SideBySideResult,
  type SideBySideStep,
  type SteerOptions,
} from './steer.ts'
export {
  buildShareUrl,
  decodeShareState,
  encodeShareState,
  interventionsFromShareState,
  readShareUrl,
  steerOptionsFromShareState,
  MAX_ENCODED_CHARS,
  MAX_INFLATED_BYTES,
  MAX_INTERVENTIONS,
  MAX_PROMPT_CHARS,
  SHARE_STATE_PARAM,
  SHARE_STATE_VERSION,
  ShareStateError,
  type DecodeLimits,
  type ShareState,
  type ShareStateReason,
} from './shareState.ts'
export { findSecretToken, findSourceSecret } from './secrets.ts'

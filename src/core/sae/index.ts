// Public surface of the SAE core: architectures, SAELens files, the trainer and metrics.
export type { NormalizeActivations, SaeArchitecture, SaeArrays, SaeConfig, SaeMetadata, TrainArchitecture } from './types.ts'
export { defaultSaeConfig, emptyMetadata, isBatchTopKFamily, SAE_ARCHITECTURES, TRAIN_ARCHITECTURES, usesK } from './types.ts'
export { defaultMatryoshkaWidths, MATRYOSHKA_WIDTHS_METADATA_KEY, matryoshkaWidthsProblem, parseMatryoshkaWidths } from './matryoshka.ts'
export { Sae, type SaeOutputs, type SaeTensors } from './sae.ts'
export { decoderRowNorms, foldInputScale, renormaliseDecoder } from './fold.ts'
export { inputScaleFromMeanNorm, sumOfRowNorms } from './normalization.ts'
export { parseSaeLensConfig, saeConfigToJson, type ParsedSaeLensConfig } from './config.ts'
export {
  fetchSaeLensFolder,
  loadSaeLens,
  readSaeLensFolder,
  saeLensFiles,
  saeToSaeLensFiles,
  SAE_CFG_FILENAME,
  SAE_WEIGHTS_FILENAME,
  SPARSITY_FILENAME,
  type LoadSaeOptions,
  type ReadSaeOptions,
  type SaeFolderData,
  type SaeLensFiles,
} from './saelens.ts'
export { resolveTrainerConfig, type SaeTrainerConfig, type SaeTrainerOptions } from './trainerConfig.ts'
export {
  SaeTrainer,
  SaeTrainingDivergedError,
  type BatchSource,
  type RunOptions,
  type SaeTrainerCallbacks,
  type TrainLogEntry,
  type TrainStepResult,
} from './trainer.ts'
export { checkpointFromBytes, checkpointToBytes, type SaeCheckpoint } from './checkpoint.ts'
export { exportTrainedSae, type ExportedSae } from './export.ts'
export {
  addReconstructionSums,
  ceLossRecovered,
  deadFraction,
  denseFraction,
  featureDensity,
  fireCounts,
  l0,
  logDensityHistogram,
  logSparsity,
  reconstructionMetrics,
  reconstructionMetricsOf,
  reconstructionSums,
  type LogDensityHistogram,
  type ReconstructionMetrics,
  type ReconstructionSums,
} from './metrics.ts'
export {
  ActivationStore,
  createTokenWindows,
  documentWindows,
  windowActivations,
  type ActivationCorpus,
  type ActivationStoreOptions,
  type ActivationStoreProgress,
  type TokenWindowOptions,
  type TokenWindows,
} from './activationStore.ts'
export { resolveSaeHook, spliceCrossEntropy, type SpliceCrossEntropy, type SpliceOptions } from './splice.ts'
export {
  conceptFeatureStats,
  conceptHierarchy,
  RECOVERED_AUROC,
  scoreConcepts,
  SparseActsBuilder,
  splittingEvidence,
  type ConceptFeatureStats,
  type ConceptScore,
  type GroundTruthReport,
  type SparseFeatureActs,
  type SplitEvidence,
  type SplitSide,
} from './groundTruth.ts'

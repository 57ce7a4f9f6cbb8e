// Public surface of the analysis engine: feature pages (analyzeSae), their parts, the UMAP map and the file formats.
export { analyzeSae, DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type AnalysisPhase, type AnalyzeSaeArgs } from './analyze.ts'
export { computeFeatureStats, type FeatureStats, type FeatureStatsArgs, type FeatureStatsOptions, type QuantileExamples } from './featureStats.ts'
export type { ContextExample } from './contexts.ts'
export { checkAnalysisInputs, encodeWindows, type TokenWindow } from './encodeWindows.ts'
export { DEFAULT_HISTOGRAM, histogramBins, type HistogramBins, type HistogramSpec } from './histogram.ts'
export { logitEffects, modelUnembedding, type LogitEffectOptions, type LogitEffects, type Unembedding } from './logitEffects.ts'
export { cosineTopK, decoderNeighbours, unitRows, type CosineTopK, type DecoderSet, type NeighbourList } from './neighbours.ts'
export { featureMapFile, splittingLinks, umapLayout, type FeatureLayout, type SplitLinks, type UmapOptions } from './umap.ts'
export {
  DEFAULT_SHARD_SIZE,
  decodeJsonBytes,
  FEATURE_SHARD_FORMAT,
  FEATURE_SUMMARY_FORMAT,
  parseFeatureShard,
  parseFeatureSummary,
  shardFileName,
  shardOf,
  splitFeatureAnalysis,
  SUMMARY_FILENAME,
  summaryRow,
  type FeatureShardFile,
  type FeatureSummaryFile,
  type FeatureSummaryRow,
} from './featureFolder.ts'
export { parseSaeIndex, saesBySize, SAE_INDEX_FORMAT, type SaeIndex, type SaeIndexEntry } from './saeIndex.ts'
export {
  AnalysisFormatError,
  FEATURE_ANALYSIS_FORMAT,
  FEATURE_ANALYSIS_VERSION,
  FEATURE_MAP_FORMAT,
  FEATURE_MAP_VERSION,
  featureAnalysisSchema,
  featureMapSchema,
  parseFeatureAnalysis,
  parseFeatureMap,
  type ExampleRecord,
  type FeatureAnalysisFile,
  type FeatureMapFile,
  type FeatureRecord,
} from './format.ts'

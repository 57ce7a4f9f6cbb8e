// TinyWorld: a seeded synthetic world whose text carries ground-truth concept labels and forced-token flags.
export { conceptCatalogue, catalogueJson, type CatalogueConcept, type ConceptCatalogue } from './catalogue.ts'
export { CONCEPT_KINDS, CONCEPTS, conceptId, type ConceptId, type ConceptKind, type ConceptScope } from './concepts.ts'
export {
  createWorldStream,
  docTypeNames,
  generateDocument,
  MAX_DOC_TOKENS,
  MIN_DOC_TOKENS,
  sampleLabelled,
  type GenerateOptions,
  type LabelledRecord,
  type TokenChunk,
  type WorldDocument,
  type WorldStream,
} from './generator.ts'
export { LANGUAGES, type LanguageId } from './lexicon.ts'
export { createWorldRng, type WorldRng } from './prng.ts'
export { buildTokenizerJson, worldVocab } from './tokenizerJson.ts'
export { detokenize, EOT_ID, EOT_TOKEN, UNK_ID, UNK_TOKEN } from './world.ts'
export { writeWorldFiles, type WorldFiles } from './files.ts'

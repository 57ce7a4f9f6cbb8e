// Public surface of generation: seeded sampling and the KV-cache generation loop.
export { createRng, type Rng } from './rng.ts'
export { argmax, sampleToken, validateSampleOptions, type SampleOptions } from './sample.ts'
export { generate, type GenerateOptions } from './generate.ts'

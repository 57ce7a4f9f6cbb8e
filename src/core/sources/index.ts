// Public surface of the file sources: where models, tokenizers and SAEs are read from.
export type { FetchOptions, FileSource, ProgressEvent } from './types.ts'
export { resolveSource, type ResolveSourceOptions } from './resolveSource.ts'
export { createFolderSource } from './folderSource.ts'
export { createUrlSource } from './urlSource.ts'
export { createHubSource, DEFAULT_HUB_ENDPOINT, HUB_ENDPOINT_ENV, type HubSourceOptions } from './hubSource.ts'
export { formatHubSpec, isValidRepoId, parseHubSpec, type HubRepo } from './hubSpec.ts'
export { HUB_CACHE_NAME } from './hubCache.ts'

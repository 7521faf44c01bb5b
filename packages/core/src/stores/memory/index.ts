/**
 * `@tessera/core/memory`: stores kept in process memory, for tests and development.
 */
export { createMemoryStores } from './memory-stores.js'

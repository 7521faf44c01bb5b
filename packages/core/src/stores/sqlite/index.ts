/**
 * `@tessera/core/sqlite`: the stores in a SQLite file through better-sqlite3 (an optional peer
 * dependency, loaded only by {@link openSqliteDatabase}).
 */
export { type BetterSqlite3Database, openSqliteDatabase } from './sqlite-database.js'
export { createSqliteStores, type SqliteStoresOptions } from './sqlite-stores.js'

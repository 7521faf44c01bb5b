/** The SQL backends the shared stores support; the few differences branch on this flag. */
export type SqlDialect = 'sqlite' | 'postgres'

/** Column types per dialect, for the schema builder. */
export interface SqlColumnTypes {
  /** An auto-increment integer primary key (never reused, so stale tokens never find a new user). */
  readonly serial: 'bigserial' | 'integer'
  /** A reference to such a key. */
  readonly key: 'bigint' | 'integer'
  /** Epoch seconds, fractions allowed. */
  readonly time: 'double precision' | 'real'
  readonly bool: 'boolean' | 'integer'
}

/** The column types of `dialect`. */
export function columnTypes(dialect: SqlDialect): SqlColumnTypes {
  return dialect === 'postgres'
    ? { serial: 'bigserial', key: 'bigint', time: 'double precision', bool: 'boolean' }
    : { serial: 'integer', key: 'integer', time: 'real', bool: 'integer' }
}

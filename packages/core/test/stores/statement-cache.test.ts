import type { SqliteStatement } from 'kysely'
import { describe, expect, it } from 'vitest'
import { cachingStatements } from '../../src/stores/sqlite/statement-cache.js'

/** A stand-in connection counting how often each SQL text is prepared. */
function countingDatabase() {
  const prepared: string[] = []
  let closed = false
  return {
    prepared,
    closed: () => closed,
    database: {
      prepare(sql: string): SqliteStatement {
        prepared.push(sql)
        return {
          reader: sql.startsWith('select'),
          all: () => [],
          run: () => ({ changes: 0, lastInsertRowid: 0 }),
          iterate: () => [][Symbol.iterator](),
        }
      },
      close() {
        closed = true
      },
    },
  }
}

describe('cachingStatements', () => {
  it('prepares each SQL text once and hands back the same statement', () => {
    const fake = countingDatabase()
    const database = cachingStatements(fake.database)
    const first = database.prepare('select 1')
    expect(database.prepare('select 1')).toBe(first)
    database.prepare('select 2')
    expect(fake.prepared).toEqual(['select 1', 'select 2'])
  })

  it('starts over past 500 texts instead of growing without bound, and closes the connection', () => {
    const fake = countingDatabase()
    const database = cachingStatements(fake.database)
    for (let i = 0; i < 501; i++) database.prepare(`select ${i}`)
    database.prepare('select 0')
    expect(fake.prepared.filter((sql) => sql === 'select 0')).toHaveLength(2)
    database.close()
    expect(fake.closed()).toBe(true)
  })
})

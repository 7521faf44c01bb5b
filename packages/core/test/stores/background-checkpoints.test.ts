import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteDatabase } from '@tessera/core/sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { startBackgroundCheckpoints } from '../../src/stores/sqlite/background-checkpoints.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ckpt-'))
  dirs.push(dir)
  const path = join(dir, 'db.sqlite3')
  const database = await openSqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  database.prepare('create table t (x blob)').run([])
  return { database, path }
}

describe('startBackgroundCheckpoints', () => {
  it('checkpoints from its own thread while commits on this one no longer do', async () => {
    const { database, path } = await walDatabase()
    const checkpoints = await startBackgroundCheckpoints(database, 100)
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    const sizeBefore = statSync(path).size
    const insert = database.prepare('insert into t values (randomblob(4000))')
    for (let i = 0; i < 500; i++) insert.run([])
    // The pages land in the main file only when a checkpoint copies them there.
    const deadline = Date.now() + 5000
    while (statSync(path).size < sizeBefore + 1_000_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 1_000_000)
    await checkpoints?.stop()
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    database.close()
  })

  it('does nothing for an in-memory database', async () => {
    const database = await openSqliteDatabase(':memory:')
    expect(await startBackgroundCheckpoints(database)).toBeUndefined()
    database.close()
  })
})

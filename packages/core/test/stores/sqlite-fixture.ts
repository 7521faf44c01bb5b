import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BetterSqlite3Database, openSqliteDatabase } from '@tessera/core/sqlite'

/** A fresh SQLite file in its own temporary directory, and how to remove it. */
export interface TempSqliteFile {
  readonly path: string
  /** Opens another connection to the file (the caller closes it). */
  open(): Promise<BetterSqlite3Database>
  /** Closes the connections opened through `open` and deletes the directory. */
  remove(): Promise<void>
}

/** Creates an empty directory under os.tmpdir() holding `tessera.sqlite3` (not yet created). */
export async function createTempSqliteFile(): Promise<TempSqliteFile> {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-sqlite-'))
  const path = join(directory, 'tessera.sqlite3')
  const opened: BetterSqlite3Database[] = []
  return {
    path,
    async open() {
      const database = await openSqliteDatabase(path)
      opened.push(database)
      return database
    },
    async remove() {
      for (const database of opened) database.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

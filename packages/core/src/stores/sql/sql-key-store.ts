import { type Kysely, type Selectable, sql } from 'kysely'
import type { AsymmetricAlgorithm } from '../../keys/algorithms.js'
import type { KeyStatus } from '../../keys/signing-key.js'
import {
  KeyExistsError,
  type KeyRotation,
  type KeyStore,
  type StoredKey,
  type StoredPublicJwk,
} from '../key-store.js'
import { byKeyAge, checkInsertableKey, checkKeyRecord, checkTimes } from '../store-input.js'
import { ONE_CURRENT_KEY_INDEX, SIGNING_KEYS_PK } from './migration-0003-signing-keys.js'
import type { SqlContext } from './sql-context.js'
import type { Database, SigningKeysTable } from './sql-database.js'
import { guard, isUniqueViolation } from './sql-errors.js'

/** The outcome of one key write: whether it changed a key, and what the method returns. */
interface Outcome<T> {
  readonly changed: boolean
  readonly value: T
}

/** Thrown inside a key write that changed nothing: rolls back the counter's bump. */
class Unchanged extends Error {
  readonly value: unknown

  constructor(value: unknown) {
    super('unchanged')
    this.value = value
  }
}

function toStoredKey(row: Selectable<SigningKeysTable>): StoredKey {
  return {
    kid: row.kid,
    alg: row.alg as AsymmetricAlgorithm,
    status: row.status as KeyStatus,
    publicJwk: JSON.parse(row.public_jwk) as StoredPublicJwk,
    privateKey: row.private_key,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
    verifyUntil: row.verify_until,
  }
}

function toRow(key: StoredKey): SigningKeysTable {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    public_jwk: JSON.stringify(key.publicJwk),
    private_key: key.privateKey,
    created_at: key.createdAt,
    activated_at: key.activatedAt,
    retired_at: key.retiredAt,
    verify_until: key.verifyUntil,
  }
}

function isKidTaken(error: unknown): boolean {
  return isUniqueViolation(error, SIGNING_KEYS_PK, 'signing_keys.kid')
}

function isSecondCurrent(error: unknown): boolean {
  return isUniqueViolation(error, ONE_CURRENT_KEY_INDEX, 'signing_keys.status')
}

async function currentKid(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('status', '=', 'current')
    .executeTakeFirst()
  return row?.kid ?? null
}

/**
 * The signing keys in SQL. Every write runs in one transaction that first bumps the change
 * counter: on PostgreSQL that row lock serializes key writes across connections (and READ
 * COMMITTED gives each later statement a fresh snapshot, so the checks see the previous
 * writer's commit); on SQLite BEGIN IMMEDIATE does. A write that changes nothing rolls back.
 */
export function createSqlKeyStore(context: SqlContext): KeyStore {
  const { db } = context

  /** Runs one key write; `recover` sees the driver's own error, before `guard` drops it. */
  function write<T>(
    work: (db: Kysely<Database>) => Promise<Outcome<T>>,
    recover: (error: unknown) => T = (error) => {
      throw error
    },
  ): Promise<T> {
    return guard(async () => {
      try {
        return await context.writeTransaction(async (trx) => {
          await trx
            .updateTable('signing_key_version')
            .set({ version: sql<string>`version + 1` })
            .where('id', '=', 1)
            .execute()
          const outcome = await work(trx)
          if (!outcome.changed) throw new Unchanged(outcome.value)
          return outcome.value
        })
      } catch (error) {
        if (error instanceof Unchanged) return error.value as T
        return recover(error)
      }
    })
  }

  return {
    list: () =>
      guard(async () => {
        const rows = await db.selectFrom('signing_keys').selectAll().execute()
        // Sorted here, not by ORDER BY: ties on kid would follow the database's collation.
        return rows.map(toStoredKey).sort(byKeyAge)
      }),

    async insert(key: StoredKey) {
      checkInsertableKey(key)
      await write(
        async (trx) => {
          await trx.insertInto('signing_keys').values(toRow(key)).execute()
          return { changed: true, value: undefined }
        },
        (error) => {
          throw isKidTaken(error) ? new KeyExistsError(key.kid) : error
        },
      )
    },

    async insertFirstCurrent(key: StoredKey) {
      if (key.status !== 'current') throw new RangeError('insertFirstCurrent stores a current key')
      checkKeyRecord(key)
      return write(
        async (trx) => {
          if ((await currentKid(trx)) !== null) return { changed: false, value: false }
          await trx.insertInto('signing_keys').values(toRow(key)).execute()
          return { changed: true, value: true }
        },
        (error) => {
          if (isKidTaken(error)) throw new KeyExistsError(key.kid)
          // Unreachable while writes are serialized; the unique index is the last line.
          if (isSecondCurrent(error)) return false
          throw error
        },
      )
    },

    async insertFirstNext(key: StoredKey) {
      if (key.status !== 'next') throw new RangeError('insertFirstNext stores a next key')
      checkInsertableKey(key)
      return write(
        async (trx) => {
          const next = await trx
            .selectFrom('signing_keys')
            .select('kid')
            .where('status', '=', 'next')
            .executeTakeFirst()
          if (next !== undefined) return { changed: false, value: false }
          await trx.insertInto('signing_keys').values(toRow(key)).execute()
          return { changed: true, value: true }
        },
        (error) => {
          throw isKidTaken(error) ? new KeyExistsError(key.kid) : error
        },
      )
    },

    async rotate({ expectedCurrentKid, nextKid, at, verifyUntil }: KeyRotation) {
      checkTimes(at, verifyUntil)
      return write(async (trx) => {
        const unchanged = { changed: false, value: false }
        const current = await currentKid(trx)
        if (current !== expectedCurrentKid) return unchanged
        const next = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('kid', '=', nextKid)
          .where('status', '=', 'next')
          .executeTakeFirst()
        if (next === undefined) return unchanged
        // Retire first: the unique index admits one current key at every statement.
        if (current !== null) {
          await trx
            .updateTable('signing_keys')
            .set({ status: 'retired', retired_at: at, verify_until: verifyUntil })
            .where('kid', '=', current)
            .execute()
        }
        await trx
          .updateTable('signing_keys')
          .set({ status: 'current', activated_at: at })
          .where('kid', '=', nextKid)
          .execute()
        return { changed: true, value: true }
      })
    },

    async retire(kid: string, at: number, verifyUntil: number) {
      checkTimes(at, verifyUntil)
      return write(async (trx) => {
        const result = await trx
          .updateTable('signing_keys')
          .set({ status: 'retired', retired_at: at, verify_until: verifyUntil })
          .where('kid', '=', kid)
          .where('status', '=', 'next')
          .executeTakeFirst()
        const changed = result.numUpdatedRows > 0n
        return { changed, value: changed }
      })
    },

    replacePrivateKey: (kid: string, from: string, to: string) =>
      write(async (trx) => {
        const result = await trx
          .updateTable('signing_keys')
          .set({ private_key: to })
          .where('kid', '=', kid)
          .where('private_key', '=', from)
          .executeTakeFirst()
        const changed = result.numUpdatedRows > 0n
        return { changed, value: changed }
      }),

    deleteExpired: (now: number) =>
      write(async (trx) => {
        const result = await trx
          .deleteFrom('signing_keys')
          .where('status', '=', 'retired')
          .where('verify_until', '<', now)
          .executeTakeFirst()
        const count = Number(result.numDeletedRows)
        return { changed: count > 0, value: count }
      }),

    version: () =>
      guard(async () => {
        const row = await db
          .selectFrom('signing_key_version')
          .select('version')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow()
        return String(row.version)
      }),
  }
}

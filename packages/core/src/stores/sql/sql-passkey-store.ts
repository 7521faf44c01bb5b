import { isStorableText } from '../../users/char-field.js'
import type {
  PasskeyChallenge,
  PasskeyChallengePurpose,
  PasskeyDeviceType,
  PasskeyRecord,
  PasskeyStore,
} from '../passkey-store.js'
import { isDecimalId } from '../store-input.js'
import { type SqlContext, toSqlBool } from './sql-context.js'
import type { PasskeyChallengesTable, PasskeysTable } from './sql-database.js'
import { guard, missingReference } from './sql-errors.js'

function toPasskey(row: PasskeysTable): PasskeyRecord {
  return {
    id: row.id,
    userId: String(row.user_id),
    publicKey: row.public_key,
    // pg returns bigint as a decimal string.
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    deviceType: row.device_type as PasskeyDeviceType,
    backedUp: Boolean(row.backed_up),
    clonedAt: row.cloned_at,
  }
}

function toChallenge(row: PasskeyChallengesTable): PasskeyChallenge {
  return {
    challenge: row.challenge,
    purpose: row.purpose as PasskeyChallengePurpose,
    userId: row.user_id === null ? null : String(row.user_id),
    expiresAt: row.expires_at,
  }
}

function checkCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError('counter must be an integer >= 0')
  }
}

/**
 * Passkeys in SQL. The single-use writes are one statement each: `DELETE ... RETURNING` hands a
 * challenge's row to one deleter, and PostgreSQL re-checks an UPDATE's WHERE on the row it waited
 * for while SQLite runs one writer at a time, so one caller moves a counter past a value.
 */
export function createSqlPasskeyStore(context: SqlContext): PasskeyStore {
  const { db } = context
  return {
    async createPasskey(record) {
      if (!isDecimalId(record.userId)) throw missingReference()
      checkCounter(record.counter)
      return guard(async () => {
        const rows = await db
          .insertInto('passkeys')
          .values({
            id: record.id,
            user_id: record.userId,
            public_key: record.publicKey,
            counter: record.counter,
            transports: JSON.stringify(record.transports),
            name: record.name,
            device_type: record.deviceType,
            backed_up: toSqlBool(context, record.backedUp),
            created_at: record.createdAt,
            last_used_at: null,
            cloned_at: null,
          })
          .onConflict((conflict) => conflict.column('id').doNothing())
          .returning('id')
          .execute()
        return rows.length === 1
      })
    },

    findPasskey: (id) =>
      guard(async () => {
        if (!isStorableText(id)) return undefined
        const row = await db
          .selectFrom('passkeys')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        return row && toPasskey(row)
      }),

    async listPasskeys(userId) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).execute(),
      )
      // Sorted here: ties on text ids would follow the database's collation.
      return rows.map(toPasskey).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    },

    async renamePasskey(userId, id, name) {
      if (!isDecimalId(userId) || !isStorableText(id)) return false
      return guard(async () => {
        const result = await db
          .updateTable('passkeys')
          .set({ name })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async deletePasskey(userId, id) {
      if (!isDecimalId(userId) || !isStorableText(id)) return false
      return guard(async () => {
        const result = await db
          .deleteFrom('passkeys')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst()
        return result.numDeletedRows > 0n
      })
    },

    async deleteUserPasskeys(userId) {
      if (!isDecimalId(userId)) return 0
      return guard(async () => {
        const result = await db
          .deleteFrom('passkeys')
          .where('user_id', '=', userId)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      })
    },

    async usePasskey(id, counter, backedUp, now) {
      checkCounter(counter)
      if (!isStorableText(id)) return false
      return guard(async () => {
        // WebAuthn 6.1.1: a counter must grow, unless the authenticator keeps none (both 0).
        const result = await db
          .updateTable('passkeys')
          .set({ counter, backed_up: toSqlBool(context, backedUp), last_used_at: now })
          .where('id', '=', id)
          .where('cloned_at', 'is', null)
          .where('counter', counter === 0 ? '=' : '<', counter)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async flagPasskeyCloned(id, now) {
      if (!isStorableText(id)) return false
      return guard(async () => {
        const flagged = await db
          .updateTable('passkeys')
          .set({ cloned_at: now })
          .where('id', '=', id)
          .where('cloned_at', 'is', null)
          .executeTakeFirst()
        if (flagged.numUpdatedRows > 0n) return true
        const row = await db
          .selectFrom('passkeys')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst()
        return row !== undefined
      })
    },

    async saveChallenge(challenge) {
      if (challenge.userId !== null && !isDecimalId(challenge.userId)) throw missingReference()
      await guard(async () => {
        await db
          .insertInto('passkey_challenges')
          .values({
            challenge: challenge.challenge,
            purpose: challenge.purpose,
            user_id: challenge.userId,
            expires_at: challenge.expiresAt,
          })
          .execute()
      })
    },

    async consumeChallenge(value, now) {
      if (!isStorableText(value)) return undefined
      return guard(async () => {
        // One statement: of concurrent deleters, one gets the row back.
        const row = await db
          .deleteFrom('passkey_challenges')
          .where('challenge', '=', value)
          .returningAll()
          .executeTakeFirst()
        return row !== undefined && row.expires_at > now ? toChallenge(row) : undefined
      })
    },

    flushExpired: (now) =>
      guard(async () => {
        const result = await db
          .deleteFrom('passkey_challenges')
          .where('expires_at', '<', now)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      }),
  }
}

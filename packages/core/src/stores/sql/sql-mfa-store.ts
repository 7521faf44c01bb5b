import type { ExpressionBuilder, Kysely } from 'kysely'
import { isStorableText } from '../../users/char-field.js'
import type { MfaStore, TotpRecord, TrustedDeviceRecord } from '../mfa-store.js'
import { isDecimalId } from '../store-input.js'
import type { SqlContext } from './sql-context.js'
import type { Database, MfaTotpTable, MfaTrustedDevicesTable } from './sql-database.js'
import { guard, missingReference } from './sql-errors.js'

function toTotp(row: MfaTotpTable): TotpRecord {
  return {
    userId: String(row.user_id),
    secret: row.secret,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    // pg returns bigint as a decimal string.
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  }
}

function toDevice(row: MfaTrustedDevicesTable): TrustedDeviceRecord {
  return {
    id: row.id,
    userId: String(row.user_id),
    tokenHash: row.token_hash,
    device: row.device,
    ip: row.ip,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  }
}

/** Replaces a user's recovery codes with `hashes`, in the caller's transaction. */
async function writeRecoveryCodes(
  trx: Kysely<Database>,
  userId: string,
  hashes: readonly string[],
  now: number,
): Promise<void> {
  await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute()
  if (hashes.length === 0) return
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: now, used_at: null })),
    )
    .execute()
}

/** A step is used once, and never one older than the last used: the UPDATE's guard. */
const stepIsNew = (step: number) => (eb: ExpressionBuilder<Database, 'mfa_totp'>) =>
  eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)])

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError('step must be an integer >= 0')
}

/**
 * Second factors in SQL. The single-use writes are one conditional statement each: PostgreSQL
 * re-checks an UPDATE's WHERE on the row it waited for, SQLite runs one writer at a time, so of
 * concurrent callers exactly one sees its row changed (or its insert land).
 */
export function createSqlMfaStore(context: SqlContext): MfaStore {
  const { db } = context
  return {
    findTotp: (userId) =>
      guard(async () => {
        if (!isDecimalId(userId)) return undefined
        const row = await db
          .selectFrom('mfa_totp')
          .selectAll()
          .where('user_id', '=', userId)
          .executeTakeFirst()
        return row && toTotp(row)
      }),

    async saveTotpSetup(userId, secret, now) {
      if (!isDecimalId(userId)) throw missingReference()
      return guard(() =>
        context.writeTransaction(async (trx) => {
          // One statement: a confirmed authenticator is never replaced, even by a racing setup.
          const rows = await trx
            .insertInto('mfa_totp')
            .values({
              user_id: userId,
              secret,
              created_at: now,
              confirmed_at: null,
              last_used_step: null,
            })
            .onConflict((conflict) =>
              conflict
                .column('user_id')
                .doUpdateSet({ secret, created_at: now, last_used_step: null })
                .where('mfa_totp.confirmed_at', 'is', null),
            )
            .returning('user_id')
            .execute()
          if (rows.length === 0) return false
          await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute()
          return true
        }),
      )
    },

    async confirmTotp(userId, step, hashes, now) {
      checkStep(step)
      if (!isDecimalId(userId)) return false
      return guard(() =>
        context.writeTransaction(async (trx) => {
          const result = await trx
            .updateTable('mfa_totp')
            .set({ confirmed_at: now, last_used_step: step })
            .where('user_id', '=', userId)
            .where('confirmed_at', 'is', null)
            .where(stepIsNew(step))
            .executeTakeFirst()
          if (result.numUpdatedRows === 0n) return false
          await writeRecoveryCodes(trx, userId, hashes, now)
          return true
        }),
      )
    },

    async useTotpStep(userId, step) {
      checkStep(step)
      if (!isDecimalId(userId)) return false
      return guard(async () => {
        const result = await db
          .updateTable('mfa_totp')
          .set({ last_used_step: step })
          .where('user_id', '=', userId)
          .where('confirmed_at', 'is not', null)
          .where(stepIsNew(step))
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async deleteTotp(userId) {
      if (!isDecimalId(userId)) return false
      return guard(() =>
        context.writeTransaction(async (trx) => {
          await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute()
          const result = await trx
            .deleteFrom('mfa_totp')
            .where('user_id', '=', userId)
            .executeTakeFirst()
          return result.numDeletedRows > 0n
        }),
      )
    },

    async replaceRecoveryCodes(userId, hashes, now) {
      if (!isDecimalId(userId)) throw missingReference()
      await guard(() =>
        context.writeTransaction((trx) => writeRecoveryCodes(trx, userId, hashes, now)),
      )
    },

    async useRecoveryCode(userId, hash, now) {
      if (!isDecimalId(userId) || !isStorableText(hash)) return false
      return guard(async () => {
        const result = await db
          .updateTable('mfa_recovery_codes')
          .set({ used_at: now })
          .where('user_id', '=', userId)
          .where('code_hash', '=', hash)
          .where('used_at', 'is', null)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async countRecoveryCodes(userId) {
      if (!isDecimalId(userId)) return 0
      return guard(async () => {
        const row = await db
          .selectFrom('mfa_recovery_codes')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow()
        return Number(row.count)
      })
    },

    async consumeMfaToken(jti, userId, expiresAt) {
      if (!isStorableText(jti) || !isStorableText(userId)) return false
      return guard(async () => {
        const rows = await db
          .insertInto('mfa_used_tokens')
          .values({ jti, user_id: userId, expires_at: expiresAt })
          .onConflict((conflict) => conflict.column('jti').doNothing())
          .returning('jti')
          .execute()
        return rows.length === 1
      })
    },

    async createTrustedDevice(device) {
      if (!isDecimalId(device.userId)) throw missingReference()
      await guard(async () => {
        await db
          .insertInto('mfa_trusted_devices')
          .values({
            id: device.id,
            user_id: device.userId,
            token_hash: device.tokenHash,
            device: device.device,
            ip: device.ip,
            created_at: device.createdAt,
            expires_at: device.expiresAt,
            revoked_at: null,
          })
          .execute()
      })
    },

    findTrustedDeviceByTokenHash: (tokenHash) =>
      guard(async () => {
        if (!isStorableText(tokenHash)) return undefined
        const row = await db
          .selectFrom('mfa_trusted_devices')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst()
        return row && toDevice(row)
      }),

    async listTrustedDevices(userId, now) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db
          .selectFrom('mfa_trusted_devices')
          .selectAll()
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .execute(),
      )
      // Sorted here: ties on text ids would follow the database's collation.
      return rows.map(toDevice).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    },

    async revokeTrustedDevice(userId, id, now) {
      if (!isDecimalId(userId) || !isStorableText(id)) return false
      return guard(async () => {
        const result = await db
          .updateTable('mfa_trusted_devices')
          .set({ revoked_at: now })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async revokeUserTrustedDevices(userId, now) {
      if (!isDecimalId(userId)) return 0
      return guard(async () => {
        const result = await db
          .updateTable('mfa_trusted_devices')
          .set({ revoked_at: now })
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        return Number(result.numUpdatedRows)
      })
    },

    flushExpired: (now) =>
      guard(() =>
        context.writeTransaction(async (trx) => {
          const tokens = await trx
            .deleteFrom('mfa_used_tokens')
            .where('expires_at', '<', now)
            .executeTakeFirst()
          const devices = await trx
            .deleteFrom('mfa_trusted_devices')
            .where('expires_at', '<', now)
            .executeTakeFirst()
          return Number(tokens.numDeletedRows) + Number(devices.numDeletedRows)
        }),
      ),
  }
}

import type { ConsumeResult, NewSession, SessionStore } from '../session-store.js'
import { bySessionAge, checkNewSession, isDecimalId } from '../store-input.js'
import { consumeRefreshToken, type Successor } from './sql-consume.js'
import type { SqlContext } from './sql-context.js'
import { guard, missingReference } from './sql-errors.js'
import { toRefreshToken, toSession } from './sql-session-rows.js'

/** Sessions (refresh-token families) and their tokens in SQL. */
export function createSqlSessionStore(context: SqlContext): SessionStore {
  const { db } = context
  return {
    async createSession({ session, token }: NewSession) {
      checkNewSession({ session, token })
      if (!isDecimalId(session.userId)) throw missingReference()
      await guard(() =>
        context.writeTransaction(async (trx) => {
          await trx
            .insertInto('sessions')
            .values({
              id: session.id,
              user_id: session.userId,
              created_at: session.createdAt,
              last_used_at: session.lastUsedAt,
              expires_at: session.expiresAt,
              device: session.device,
              ip: session.ip,
              revoked_at: null,
              revoke_reason: null,
            })
            .execute()
          await trx
            .insertInto('refresh_tokens')
            .values({
              jti: token.jti,
              family_id: session.id,
              user_id: session.userId,
              issued_at: token.issuedAt,
              expires_at: token.expiresAt,
              consumed_at: null,
              replaced_by: null,
            })
            .execute()
        }),
      )
    },

    consumeRefreshToken: (jti, now, successor: Successor, audit): Promise<ConsumeResult> =>
      guard(() => consumeRefreshToken(context, jti, now, successor, audit)),

    findRefreshToken: (jti: string) =>
      guard(async () => {
        const row = await db
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('jti', '=', jti)
          .executeTakeFirst()
        return row && toRefreshToken(row)
      }),

    findSession: (id: string) =>
      guard(async () => {
        const row = await db
          .selectFrom('sessions')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        return row && toSession(row)
      }),

    async listSessions(userId: string, now: number) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db
          .selectFrom('sessions')
          .selectAll()
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .execute(),
      )
      // Sorted here, not by ORDER BY: ties on text ids would follow the database's collation.
      return rows.map(toSession).sort(bySessionAge)
    },

    revokeSession: (id: string, now: number, reason: string) =>
      guard(async () => {
        const result = await db
          .updateTable('sessions')
          .set({ revoked_at: now, revoke_reason: reason })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      }),

    async revokeUserSessions(userId: string, now: number, reason: string) {
      if (!isDecimalId(userId)) return 0
      return guard(async () => {
        const result = await db
          .updateTable('sessions')
          .set({ revoked_at: now, revoke_reason: reason })
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst()
        return Number(result.numUpdatedRows)
      })
    },

    flushExpired: (now: number) =>
      guard(() =>
        context.writeTransaction(async (trx) => {
          // Count the tokens here: those the family cascade removes would not be reported.
          const tokens = await trx
            .deleteFrom('refresh_tokens')
            .where((eb) =>
              eb.or([
                eb('expires_at', '<', now),
                eb(
                  'family_id',
                  'in',
                  eb.selectFrom('sessions').select('id').where('expires_at', '<', now),
                ),
              ]),
            )
            .executeTakeFirst()
          await trx.deleteFrom('sessions').where('expires_at', '<', now).execute()
          return Number(tokens.numDeletedRows)
        }),
      ),
  }
}

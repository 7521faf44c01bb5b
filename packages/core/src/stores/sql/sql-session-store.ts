import { isStorableText } from '../../users/char-field.js'
import type { ConsumeResult, NewSession, SessionStore } from '../session-store.js'
import { bySessionAge, checkNewSession, isDecimalId } from '../store-input.js'
import { consumeRefreshToken, type Successor } from './sql-consume.js'
import type { SqlContext } from './sql-context.js'
import { guard, missingReference } from './sql-errors.js'
import { fixedQuery } from './sql-fixed-query.js'
import { toRefreshToken, toSession } from './sql-session-rows.js'

// Every login starts a session: written out (see fixedQuery).
const INSERT_SESSION = fixedQuery<never>(
  'insert into {sessions} ("id", "user_id", "created_at", "last_used_at", "expires_at", ' +
    '"device", "ip", "revoked_at", "revoke_reason") values (?, ?, ?, ?, ?, ?, ?, null, null)',
)
const INSERT_REFRESH_TOKEN = fixedQuery<never>(
  'insert into {refresh_tokens} ("jti", "family_id", "user_id", "issued_at", "expires_at", ' +
    '"consumed_at", "replaced_by") values (?, ?, ?, ?, ?, null, null)',
)

/** Sessions (refresh-token families) and their tokens in SQL. */
export function createSqlSessionStore(context: SqlContext): SessionStore {
  const { db } = context
  return {
    async createSession({ session, token }: NewSession) {
      checkNewSession({ session, token })
      if (!isDecimalId(session.userId)) throw missingReference()
      await guard(() =>
        context.writeTransaction(async (trx) => {
          await INSERT_SESSION(trx, context, [
            session.id,
            session.userId,
            session.createdAt,
            session.lastUsedAt,
            session.expiresAt,
            session.device,
            session.ip,
          ])
          await INSERT_REFRESH_TOKEN(trx, context, [
            token.jti,
            session.id,
            session.userId,
            token.issuedAt,
            token.expiresAt,
          ])
        }),
      )
    },

    consumeRefreshToken: (jti, now, successor: Successor, audit): Promise<ConsumeResult> =>
      guard(() => consumeRefreshToken(context, jti, now, successor, audit)),

    findRefreshToken: (jti: string) =>
      guard(async () => {
        // No row holds such an id; PostgreSQL would refuse the query (22021), not answer.
        if (!isStorableText(jti)) return undefined
        const row = await db
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('jti', '=', jti)
          .executeTakeFirst()
        return row && toRefreshToken(row)
      }),

    findSession: (id: string) =>
      guard(async () => {
        if (!isStorableText(id)) return undefined
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
        if (!isStorableText(id)) return false
        const result = await db
          .updateTable('sessions')
          .set({ revoked_at: now, revoke_reason: reason })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      }),

    async revokeUserSessions(userId: string, now: number, reason: string) {
      if (!isDecimalId(userId)) return []
      return guard(async () => {
        const rows = await db
          .updateTable('sessions')
          .set({ revoked_at: now, revoke_reason: reason })
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('id')
          .execute()
        return rows.map((row) => row.id)
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

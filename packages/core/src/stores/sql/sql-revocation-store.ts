import type { Kysely } from 'kysely'
import type { LiveRevocations, RevocationStore } from '../revocation-store.js'
import type { SqlContext } from './sql-context.js'
import type { Database } from './sql-database.js'
import { guard } from './sql-errors.js'
import { fixedQuery } from './sql-fixed-query.js'

/** Reads revoked tokens, sessions and cut-offs; the filters stay in SQL so indexes serve them. */
async function loadRevocations(
  db: Kysely<Database>,
  now: number,
  since: number | undefined,
): Promise<LiveRevocations> {
  let tokens = db
    .selectFrom('revoked_access_tokens')
    .select(['jti', 'user_id', 'expires_at'])
    .where('expires_at', '>', now)
  let sessions = db
    .selectFrom('revoked_sessions')
    .select(['session_id', 'user_id', 'expires_at'])
    .where('expires_at', '>', now)
  let cutoffs = db.selectFrom('user_token_cutoffs').select(['user_id', 'not_before'])
  if (since !== undefined) {
    tokens = tokens.where('created_at', '>', since)
    sessions = sessions.where('created_at', '>', since)
    cutoffs = cutoffs.where('updated_at', '>', since)
  }
  const [tokenRows, sessionRows, cutoffRows] = await Promise.all([
    tokens.execute(),
    sessions.execute(),
    cutoffs.execute(),
  ])
  return {
    accessTokens: tokenRows.map((row) => ({
      jti: row.jti,
      userId: row.user_id,
      expiresAt: row.expires_at,
    })),
    sessions: sessionRows.map((row) => ({
      sessionId: row.session_id,
      userId: row.user_id,
      expiresAt: row.expires_at,
    })),
    cutoffs: cutoffRows.map((row) => ({ userId: row.user_id, notBefore: row.not_before })),
  }
}

// Read on a refresh or logout of a token without a session: written out (see fixedQuery).
const CUTOFF_OF_USER = fixedQuery<{ not_before: number }>(
  'select "not_before" from {user_token_cutoffs} where "user_id" = ?',
)

/** Access-token and session revocations and per-user cut-offs in SQL; every write is one upsert. */
export function createSqlRevocationStore(context: SqlContext): RevocationStore {
  const { db, dialect } = context
  // Two-argument MAX is SQLite's scalar maximum; PostgreSQL calls it GREATEST.
  const greatest = dialect === 'postgres' ? 'greatest' : 'max'
  return {
    revokeAccessToken: (entry, now) =>
      guard(async () => {
        await db
          .insertInto('revoked_access_tokens')
          .values({
            jti: entry.jti,
            user_id: entry.userId,
            expires_at: entry.expiresAt,
            created_at: now,
          })
          .onConflict((conflict) => conflict.column('jti').doNothing())
          .execute()
      }),

    revokeSessions: (entry, now) =>
      guard(async () => {
        if (entry.sessionIds.length === 0) return
        await db
          .insertInto('revoked_sessions')
          .values(
            entry.sessionIds.map((sessionId) => ({
              session_id: sessionId,
              user_id: entry.userId,
              expires_at: entry.expiresAt,
              created_at: now,
            })),
          )
          .onConflict((conflict) => conflict.column('session_id').doNothing())
          .execute()
      }),

    setCutoff: (userId, notBefore, now) =>
      guard(async () => {
        // One statement: the row lock (PostgreSQL) or the write lock (SQLite) orders concurrent
        // callers, and GREATEST keeps the latest cut-off whatever order they arrive in.
        const row = await db
          .insertInto('user_token_cutoffs')
          .values({ user_id: userId, not_before: notBefore, updated_at: now })
          .onConflict((conflict) =>
            conflict.column('user_id').doUpdateSet((eb) => {
              const current = eb.ref('user_token_cutoffs.not_before')
              const proposed = eb.ref('excluded.not_before')
              const moves = eb(proposed, '>', current)
              return {
                not_before: eb.fn<number>(greatest, [current, proposed]),
                updated_at: eb
                  .case()
                  .when(moves)
                  .then(eb.ref('excluded.updated_at'))
                  .else(eb.ref('user_token_cutoffs.updated_at'))
                  .end(),
              }
            }),
          )
          .returning('not_before')
          .executeTakeFirstOrThrow()
        return row.not_before
      }),

    getCutoff: (userId) =>
      guard(async () => {
        const [row] = await CUTOFF_OF_USER(db, context, [userId])
        return row?.not_before
      }),

    loadLive: (now) => guard(() => loadRevocations(db, now, undefined)),

    loadChangedSince: (since, now) => guard(() => loadRevocations(db, now, since)),

    flushExpired: (now) =>
      guard(async () => {
        let count = 0
        for (const table of ['revoked_access_tokens', 'revoked_sessions'] as const) {
          const result = await db.deleteFrom(table).where('expires_at', '<', now).executeTakeFirst()
          count += Number(result.numDeletedRows)
        }
        return count
      }),
  }
}

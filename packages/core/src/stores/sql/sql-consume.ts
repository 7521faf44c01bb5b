import type { Kysely } from 'kysely'
import type { AuditEvent } from '../audit-store.js'
import type { ConsumeResult, RefreshTokenRecord, SessionRecord } from '../session-store.js'
import { insertAuditEvent } from './sql-audit-store.js'
import type { SqlContext } from './sql-context.js'
import type { Database } from './sql-database.js'
import { toRefreshToken, toSession } from './sql-session-rows.js'

/** Successor fields the caller gives; the family and user come from the consumed token. */
export type Successor = Omit<
  RefreshTokenRecord,
  'familyId' | 'userId' | 'consumedAt' | 'replacedBy'
>

/** Why the conditional UPDATE matched nothing, read in the same transaction. */
async function classify(db: Kysely<Database>, jti: string, now: number): Promise<ConsumeResult> {
  const tokenRow = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('jti', '=', jti)
    .executeTakeFirst()
  if (!tokenRow) return { outcome: 'unknown' }
  const sessionRow = await db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', tokenRow.family_id)
    .executeTakeFirst()
  // The foreign key cascades, so a token without its family can only be mid-deletion.
  if (!sessionRow) return { outcome: 'unknown' }
  const found = { token: toRefreshToken(tokenRow), session: toSession(sessionRow) }
  if (found.session.revokedAt !== null) return { outcome: 'revoked', ...found }
  if (found.token.consumedAt !== null) return { outcome: 'consumed', ...found }
  if (found.token.expiresAt <= now) return { outcome: 'expired', ...found }
  // Only reachable if the token was inserted after the UPDATE looked (PostgreSQL reads each
  // statement afresh): it did not exist for this call.
  return { outcome: 'unknown' }
}

/**
 * Rotation: ONE conditional UPDATE decides the winner (of N concurrent callers, on any number of
 * connections, only one sees `consumed_at IS NULL`: PostgreSQL re-checks the WHERE after waiting
 * on the row lock, SQLite's BEGIN IMMEDIATE serializes writers), then the successor INSERT and
 * the family's move happen in the same transaction, so a failure leaves the token unconsumed.
 */
export function consumeRefreshToken(
  context: SqlContext,
  jti: string,
  now: number,
  successor: Successor,
  audit?: (session: SessionRecord) => AuditEvent,
): Promise<ConsumeResult> {
  return context.writeTransaction(async (db) => {
    const consumed = await db
      .updateTable('refresh_tokens')
      .set({ consumed_at: now, replaced_by: successor.jti })
      .where('jti', '=', jti)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('sessions')
            .select('sessions.id')
            .whereRef('sessions.id', '=', 'refresh_tokens.family_id')
            .where('sessions.revoked_at', 'is', null),
        ),
      )
      .returningAll()
      .executeTakeFirst()
    if (!consumed) return classify(db, jti, now)
    await db
      .insertInto('refresh_tokens')
      .values({
        jti: successor.jti,
        family_id: consumed.family_id,
        user_id: consumed.user_id,
        issued_at: successor.issuedAt,
        expires_at: successor.expiresAt,
        consumed_at: null,
        replaced_by: null,
      })
      .execute()
    const session = await db
      .updateTable('sessions')
      .set({ last_used_at: now, expires_at: successor.expiresAt })
      .where('id', '=', consumed.family_id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const moved = toSession(session)
    if (audit !== undefined) await insertAuditEvent(db, audit(moved))
    return { outcome: 'rotated', token: toRefreshToken(consumed), session: moved }
  })
}

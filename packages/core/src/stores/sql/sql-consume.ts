import type { Kysely, Selectable } from 'kysely'
import type { AuditEvent } from '../audit-store.js'
import type { ConsumeResult, RefreshTokenRecord, SessionRecord } from '../session-store.js'
import { insertAuditEvent } from './sql-audit-store.js'
import type { SqlContext } from './sql-context.js'
import type { Database, RefreshTokensTable, SessionsTable } from './sql-database.js'
import { fixedQuery } from './sql-fixed-query.js'
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
    const [consumed] = await CONSUME(db, context, [now, successor.jti, jti, now])
    if (!consumed) return classify(db, jti, now)
    await INSERT_SUCCESSOR(db, context, [
      successor.jti,
      consumed.family_id,
      consumed.user_id,
      successor.issuedAt,
      successor.expiresAt,
    ])
    const [session] = await MOVE_FAMILY(db, context, [now, successor.expiresAt, consumed.family_id])
    // The family exists: the consumed token's foreign key holds it in this transaction.
    const moved = toSession(session as Selectable<SessionsTable>)
    if (audit !== undefined) await insertAuditEvent(db, audit(moved), context)
    return { outcome: 'rotated', token: toRefreshToken(consumed), session: moved }
  })
}

// The rotation's statements, written out (see fixedQuery). The conditional UPDATE is the one
// the contract describes: unconsumed, unexpired, family live, in one statement.
const CONSUME = fixedQuery<Selectable<RefreshTokensTable>>(
  'update {refresh_tokens} set "consumed_at" = ?, "replaced_by" = ? ' +
    'where "jti" = ? and "consumed_at" is null and "expires_at" > ? and exists (' +
    'select "sessions"."id" from {sessions} where "sessions"."id" = "refresh_tokens"."family_id" ' +
    'and "sessions"."revoked_at" is null) returning *',
)

const INSERT_SUCCESSOR = fixedQuery<never>(
  'insert into {refresh_tokens} ("jti", "family_id", "user_id", "issued_at", "expires_at", ' +
    '"consumed_at", "replaced_by") values (?, ?, ?, ?, ?, null, null)',
)

const MOVE_FAMILY = fixedQuery<Selectable<SessionsTable>>(
  'update {sessions} set "last_used_at" = ?, "expires_at" = ? where "id" = ? returning *',
)

import type { Selectable } from 'kysely'
import type { RefreshTokenRecord, SessionRecord } from '../session-store.js'
import type { RefreshTokensTable, SessionsTable } from './sql-database.js'

/** A sessions row as the contract's record. */
export function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: String(row.user_id),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    device: row.device,
    ip: row.ip,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  }
}

/** A refresh_tokens row as the contract's record. */
export function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    jti: row.jti,
    familyId: row.family_id,
    userId: String(row.user_id),
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    replacedBy: row.replaced_by,
  }
}

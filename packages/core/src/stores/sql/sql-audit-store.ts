import type { Kysely, Selectable } from 'kysely'
import type { JsonValue } from '../../tokens/token-types.js'
import {
  type AuditEvent,
  type AuditEventType,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  checkAuditQuery,
} from '../audit-store.js'
import { checkLimit } from '../store-input.js'
import type { SqlContext } from './sql-context.js'
import type { AuditEventsTable, Database } from './sql-database.js'
import { guard } from './sql-errors.js'
import { fixedQuery } from './sql-fixed-query.js'

const INSERT_EVENT = fixedQuery<never>(
  'insert into {audit_events} ("at", "type", "user_id", "ip", "data") values (?, ?, ?, ?, ?)',
)

/** Inserts `event` on `db` (a transaction's connection, inside other stores' atomic steps). */
export async function insertAuditEvent(
  db: Kysely<Database>,
  event: AuditEvent,
  context: Pick<SqlContext, 'dialect' | 'schema'>,
): Promise<void> {
  await INSERT_EVENT(db, context, [
    event.at,
    event.type,
    event.userId,
    event.ip,
    JSON.stringify(event.data),
  ])
}

/** The append-only audit log in SQL; the (user_id, id) index serves per-user listings. */
export function createSqlAuditStore(context: SqlContext): AuditStore {
  const { db } = context
  return {
    record: (event: AuditEvent) => guard(() => insertAuditEvent(db, event, context)),

    async listEvents({ limit, userId }: { limit: number; userId?: string }) {
      checkLimit(limit)
      return guard(async () => {
        let query = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit)
        if (userId !== undefined) query = query.where('user_id', '=', userId)
        return (await query.execute()).map(toRecord)
      })
    },

    async queryEvents(query: AuditQuery) {
      checkAuditQuery(query)
      const { userId, types, since, until } = query
      if (types !== undefined && types.length === 0) return { count: 0, items: [] }
      return guard(async () => {
        let base = db.selectFrom('audit_events')
        if (userId !== undefined) base = base.where('user_id', '=', userId)
        if (types !== undefined) base = base.where('type', 'in', [...types])
        if (since !== undefined) base = base.where('at', '>=', since)
        if (until !== undefined) base = base.where('at', '<', until)
        const counted = await base
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        const rows = await base
          .selectAll()
          .orderBy('id', 'desc')
          .limit(query.limit)
          .offset(query.offset)
          .execute()
        return { count: Number(counted.count), items: rows.map(toRecord) }
      })
    },
  }
}

function toRecord(row: Selectable<AuditEventsTable>): AuditRecord {
  return {
    id: String(row.id),
    type: row.type as AuditEventType,
    at: row.at,
    userId: row.user_id,
    ip: row.ip,
    data: JSON.parse(row.data) as Record<string, JsonValue>,
  }
}

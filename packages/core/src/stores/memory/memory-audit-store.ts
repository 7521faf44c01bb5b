import {
  type AuditEvent,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  checkAuditQuery,
} from '../audit-store.js'
import { checkLimit } from '../store-input.js'
import { pageOf } from '../store-page.js'
import { cloneJson, type MemoryState } from './memory-state.js'

/** Appends `event` to the log in `state` (also used inside other stores' atomic steps). */
export function appendAuditEvent(state: MemoryState, event: AuditEvent): void {
  state.sequences.audit += 1
  const { type, at, userId, ip, data } = event
  state.audit.push({
    id: String(state.sequences.audit),
    type,
    at,
    userId,
    ip,
    data: cloneJson(data),
  })
}

/** The append-only audit log held in `state`. */
export function createMemoryAuditStore(state: MemoryState): AuditStore {
  const { audit } = state
  return {
    async record(event: AuditEvent) {
      appendAuditEvent(state, event)
    },

    async listEvents({ limit, userId }: { limit: number; userId?: string }) {
      checkLimit(limit)
      const found: AuditRecord[] = []
      for (let index = audit.length - 1; index >= 0 && found.length < limit; index -= 1) {
        const event = audit[index]
        if (event && (userId === undefined || event.userId === userId)) {
          found.push({ ...event, data: cloneJson(event.data) })
        }
      }
      return found
    },

    async queryEvents(query: AuditQuery) {
      checkAuditQuery(query)
      const { userId, types, since, until } = query
      const matching = audit
        .filter(
          (event) =>
            (userId === undefined || event.userId === userId) &&
            (types === undefined || types.includes(event.type)) &&
            (since === undefined || event.at >= since) &&
            (until === undefined || event.at < until),
        )
        .reverse()
      const page = pageOf(matching, query)
      return {
        count: page.count,
        items: page.items.map((event) => ({ ...event, data: cloneJson(event.data) })),
      }
    },
  }
}

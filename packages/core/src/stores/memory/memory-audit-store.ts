import type { AuditEvent, AuditRecord, AuditStore } from '../audit-store.js'
import { checkLimit } from '../store-input.js'
import { cloneJson, type MemoryState } from './memory-state.js'

/** The append-only audit log held in `state`. */
export function createMemoryAuditStore(state: MemoryState): AuditStore {
  const { audit } = state
  return {
    async record(event: AuditEvent) {
      state.sequences.audit += 1
      const { type, at, userId, ip, data } = event
      audit.push({ id: String(state.sequences.audit), type, at, userId, ip, data: cloneJson(data) })
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
  }
}

import type { RevocationBus, RevocationStore, RevocationWriter } from '@tessera/core'

/**
 * Revocations written by a process that serves no requests (the CLI): store first, then the
 * bus, so running servers apply them at once. A failed publish is reported, not thrown: the
 * store holds the revocation and servers read it at their next reconciliation. A user change
 * is only published (the servers' user caches drop the row; nothing is stored).
 */
export function publishingRevocationWriter(
  store: RevocationStore,
  bus: RevocationBus,
  onPublishError: (error: unknown) => void,
): RevocationWriter {
  const now = () => Date.now() / 1000
  const publish = (event: Parameters<RevocationBus['publish']>[0]) =>
    bus.publish(event).catch(onPublishError)
  return {
    async revokeAccessToken(entry) {
      await store.revokeAccessToken(entry, now())
      await publish({ kind: 'access', ...entry })
    },
    async revokeSessions(entry) {
      if (entry.sessionIds.length === 0) return
      await store.revokeSessions(entry, now())
      await publish({ kind: 'sessions', ...entry })
    },
    async setCutoff(userId, notBefore) {
      const effective = await store.setCutoff(userId, notBefore, now())
      await publish({ kind: 'cutoff', userId, notBefore: effective })
      return effective
    },
    async userChanged(userId) {
      await publish({ kind: 'user', userId })
    },
    onUserChange() {
      // Nothing here caches users.
    },
  }
}

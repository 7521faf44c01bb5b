/**
 * Ids remembered until an expiry (epoch seconds), then swept: the revoked jtis and sessions of
 * a {@link RevocationView}. `has` is one Map lookup; sweeping costs what it removes plus the
 * distinct expiry seconds held, as ids are bucketed by the second they expire in. Internal.
 */
export class ExpiringIds {
  /** id -> expiry. */
  readonly #expiries = new Map<string, number>()
  /** floor(expiry) -> ids expiring in that second. */
  readonly #buckets = new Map<number, string[]>()

  has(id: string): boolean {
    return this.#expiries.has(id)
  }

  get size(): number {
    return this.#expiries.size
  }

  /** Remembers `id` until `expiresAt`; a later expiry for a known id extends it. */
  add(id: string, expiresAt: number): void {
    const known = this.#expiries.get(id)
    if (known !== undefined && known >= expiresAt) return
    this.#expiries.set(id, expiresAt)
    const second = Math.floor(expiresAt)
    const bucket = this.#buckets.get(second)
    if (bucket === undefined) this.#buckets.set(second, [id])
    else bucket.push(id)
  }

  /** Forgets every id whose expiry is before `limit`; returns how many went. */
  sweep(limit: number): number {
    let removed = 0
    for (const [second, ids] of this.#buckets) {
      // Bucket `second` holds expiries in [second, second + 1): nothing in it is due before it.
      if (second >= limit) continue
      const kept: string[] = []
      for (const id of ids) {
        const expiry = this.#expiries.get(id)
        // Extended since (now in a later bucket) or swept already: not this bucket's to keep.
        if (expiry === undefined || Math.floor(expiry) !== second) continue
        if (expiry < limit) {
          this.#expiries.delete(id)
          removed++
        } else kept.push(id)
      }
      if (kept.length === 0) this.#buckets.delete(second)
      else this.#buckets.set(second, kept)
    }
    return removed
  }
}

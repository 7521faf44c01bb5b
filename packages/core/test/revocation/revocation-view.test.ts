import { RevocationView } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { frozenClock, T0, token } from './bus-fixture.js'

/** A view that has loaded (an empty store): sure from the start. */
function sureView(options: ConstructorParameters<typeof RevocationView>[0] = {}) {
  const view = new RevocationView(options)
  view.markSure()
  return view
}

describe('RevocationView: revoked access tokens', () => {
  it('refuses a revoked jti and accepts others, whatever the signature bytes', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock })
    view.apply({ kind: 'access', jti: 'jti-1', userId: 'u1', expiresAt: T0 + 300 })
    expect(view.isRevoked(token())).toBe(true)
    expect(view.isRevoked(token({ jti: 'jti-2' }))).toBe(false)
    // Keyed by jti, not user: another token of the same user stays valid.
    expect(view.isRevoked(token({ jti: 'jti-3', userId: 'u1' }))).toBe(false)
  })

  it('is idempotent: applying or merging the same revocation twice changes nothing', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock })
    const event = { kind: 'access', jti: 'a', userId: 'u1', expiresAt: T0 + 60 } as const
    view.apply(event)
    view.apply(event)
    view.merge({
      accessTokens: [{ jti: 'a', userId: 'u1', expiresAt: T0 + 60 }],
      sessions: [],
      cutoffs: [],
    })
    expect(view.size).toEqual({ accessTokens: 1, sessions: 0, cutoffs: 0 })
  })

  it('does not store a revocation of a token already past exp + leeway', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, leewaySeconds: 10 })
    view.apply({ kind: 'access', jti: 'old', userId: 'u1', expiresAt: T0 - 11 })
    view.apply({ kind: 'access', jti: 'in-leeway', userId: 'u1', expiresAt: T0 - 5 })
    expect(view.size.accessTokens).toBe(1)
    expect(view.isRevoked(token({ jti: 'in-leeway' }))).toBe(true)
  })
})

describe('RevocationView: expiry sweep', () => {
  it('keeps a jti until exp + leeway, then sweeps it', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, leewaySeconds: 5, sweepIntervalSeconds: 3600 })
    view.apply({ kind: 'access', jti: 'a', userId: 'u1', expiresAt: T0 + 10 })
    view.apply({ kind: 'access', jti: 'b', userId: 'u1', expiresAt: T0 + 100.5 })
    time.set(T0 + 15)
    // exp + leeway == now: the verifier may still accept it, so it stays.
    expect(view.sweep()).toBe(0)
    expect(view.isRevoked(token({ jti: 'a' }))).toBe(true)
    time.set(T0 + 15.5)
    expect(view.sweep()).toBe(1)
    expect(view.size.accessTokens).toBe(1)
    expect(view.isRevoked(token({ jti: 'b' }))).toBe(true)
    time.set(T0 + 106)
    expect(view.sweep()).toBe(1)
    expect(view.size.accessTokens).toBe(0)
  })

  it('sweeps lazily on writes once the sweep interval has passed', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, sweepIntervalSeconds: 60 })
    for (let i = 0; i < 1000; i++) {
      view.apply({ kind: 'access', jti: `j${i}`, userId: 'u1', expiresAt: T0 + 30 + (i % 20) })
    }
    expect(view.size.accessTokens).toBe(1000)
    time.advance(61)
    view.apply({ kind: 'access', jti: 'fresh', userId: 'u1', expiresAt: T0 + 400 })
    expect(view.size.accessTokens).toBe(1)
  })

  it('holds memory bounded by revocation rate x lifetime under a steady stream', () => {
    // 10 revocations per second of 300 s tokens for an hour: never more than
    // 10 x (300 + 60 sweep interval) entries. Measured separately (node --expose-gc, 1e6 jtis
    // of 36-char ids, Node 20 x64): about 145 bytes per revoked jti, the jti string included.
    const time = frozenClock()
    const view = sureView({ clock: time.clock, sweepIntervalSeconds: 60 })
    let peak = 0
    for (let second = 0; second < 3600; second++) {
      for (let i = 0; i < 10; i++) {
        view.apply({
          kind: 'access',
          jti: `${second}-${i}`,
          userId: 'u1',
          expiresAt: T0 + second + 300,
        })
      }
      peak = Math.max(peak, view.size.accessTokens)
      time.advance(1)
    }
    expect(peak).toBeLessThanOrEqual(10 * (300 + 60 + 1))
  })
})

describe('RevocationView: revoked sessions', () => {
  it('refuses every token naming a revoked session, whatever its type; others pass', () => {
    const view = sureView({ clock: () => T0 })
    view.apply({ kind: 'sessions', userId: 'u1', sessionIds: ['s1', 's2'], expiresAt: T0 + 305 })
    for (const type of ['access', 'refresh', 'sliding']) {
      expect(view.isRevoked(token({ type, jti: `${type}-a`, sessionId: 's1' }))).toBe(true)
      expect(view.isRevoked(token({ type, jti: `${type}-b`, sessionId: 's2' }))).toBe(true)
      expect(view.isRevoked(token({ type, jti: `${type}-c`, sessionId: 's3' }))).toBe(false)
    }
    // A token without a session is judged by its jti and cut-off only.
    expect(view.isRevoked(token({ sessionId: undefined }))).toBe(false)
    expect(view.size).toEqual({ accessTokens: 0, sessions: 2, cutoffs: 0 })
  })

  it('keeps a session until its expiresAt + leeway, then sweeps it; merges are idempotent', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, leewaySeconds: 5, sweepIntervalSeconds: 3600 })
    const live = { sessionId: 's1', userId: 'u1', expiresAt: T0 + 10 }
    view.merge({ accessTokens: [], sessions: [live, live], cutoffs: [] })
    view.apply({ kind: 'sessions', userId: 'u1', sessionIds: ['s1'], expiresAt: T0 + 10 })
    view.apply({ kind: 'sessions', userId: 'u1', sessionIds: ['old'], expiresAt: T0 - 6 })
    expect(view.size.sessions).toBe(1)
    time.set(T0 + 15)
    expect(view.sweep()).toBe(0)
    expect(view.isRevoked(token({ sessionId: 's1', exp: T0 + 20 }))).toBe(true)
    time.set(T0 + 15.5)
    expect(view.sweep()).toBe(1)
    expect(view.size.sessions).toBe(0)
  })

  it('ignores events that revoke nothing (user changes, key rotations)', () => {
    const view = sureView({ clock: () => T0 })
    view.apply({ kind: 'user', userId: 'u1' })
    view.apply({ kind: 'keys' })
    expect(view.size).toEqual({ accessTokens: 0, sessions: 0, cutoffs: 0 })
    expect(view.isRevoked(token({ sessionId: 's1' }))).toBe(false)
  })
})

describe('RevocationView: per-user cut-offs', () => {
  it('refuses iat <= notBefore and tokens without iat, accepts later ones', () => {
    const view = sureView({ clock: () => T0 })
    view.apply({ kind: 'cutoff', userId: 'u1', notBefore: T0 })
    expect(view.isRevoked(token({ iat: T0 - 1 }))).toBe(true)
    expect(view.isRevoked(token({ iat: T0 }))).toBe(true)
    expect(view.isRevoked(token({ iat: undefined }))).toBe(true)
    expect(view.isRevoked(token({ iat: T0 + 1 }))).toBe(false)
    // Other users, and tokens without a user id, are untouched.
    expect(view.isRevoked(token({ userId: 'u2', iat: T0 - 100 }))).toBe(false)
    expect(view.isRevoked(token({ userId: undefined, iat: undefined }))).toBe(false)
  })

  it('a token of a session is cut off for earlier seconds only: its own session covers the cut-off second', () => {
    const view = sureView({ clock: () => T0 + 0.7 })
    view.apply({ kind: 'cutoff', userId: 'u1', notBefore: T0 + 0.4 })
    // Issued in the cut-off's second: before it (then its session was revoked with the
    // cut-off) or after it (a new login, accepted at once).
    expect(view.isRevoked(token({ iat: T0, sessionId: 'new' }))).toBe(false)
    expect(view.isRevoked(token({ iat: T0 - 1, sessionId: 'old' }))).toBe(true)
    expect(view.isRevoked(token({ iat: undefined, sessionId: 'old' }))).toBe(true)
    view.apply({ kind: 'sessions', userId: 'u1', sessionIds: ['old'], expiresAt: T0 + 305 })
    expect(view.isRevoked(token({ iat: T0, sessionId: 'old' }))).toBe(true)
    // Without a session, the cut-off's second fails closed.
    expect(view.isRevoked(token({ iat: T0, sessionId: undefined }))).toBe(true)
    expect(view.isRevoked(token({ iat: T0 + 1, sessionId: undefined }))).toBe(false)
  })

  it("an mfa token's auth_time (milliseconds) tells the cut-off's own second apart", () => {
    const view = sureView({ clock: () => T0 + 0.7 })
    view.apply({ kind: 'cutoff', userId: 'u1', notBefore: T0 + 0.4 })
    const mfa = (authTime: unknown, iat: number | undefined = T0) =>
      token({ type: 'mfa', iat, claims: { auth_time: authTime as number } })
    expect(view.isRevoked(mfa(T0 + 0.3))).toBe(true)
    expect(view.isRevoked(mfa(T0 + 0.4))).toBe(true)
    expect(view.isRevoked(mfa(T0 + 0.5))).toBe(false)
    // Not a number, or past its iat's second (not a token Tessera issued): the fail-closed rule.
    expect(view.isRevoked(mfa('later'))).toBe(true)
    expect(view.isRevoked(mfa(T0 + 1.5))).toBe(true)
    expect(
      view.isRevoked(token({ type: 'mfa', iat: undefined, claims: { auth_time: T0 + 0.5 } })),
    ).toBe(true)
  })

  it('only moves a cut-off forward, whatever the order of events', () => {
    const view = sureView({ clock: () => T0 })
    view.apply({ kind: 'cutoff', userId: 'u1', notBefore: T0 + 10 })
    view.apply({ kind: 'cutoff', userId: 'u1', notBefore: T0 })
    view.merge({ accessTokens: [], sessions: [], cutoffs: [{ userId: 'u1', notBefore: T0 + 5 }] })
    expect(view.isRevoked(token({ iat: T0 + 10 }))).toBe(true)
    expect(view.isRevoked(token({ iat: T0 + 11 }))).toBe(false)
  })
})

describe('RevocationView: fail-closed window', () => {
  it('refuses every token until it has loaded', async () => {
    const view = new RevocationView({ clock: () => T0 })
    expect(view.sure).toBe(false)
    expect(view.isRevoked(token())).toBe(true)
    const store = {
      loadLive: async () => ({
        accessTokens: [{ jti: 'jti-9', userId: 'u1', expiresAt: T0 + 60 }],
        sessions: [{ sessionId: 's-9', userId: 'u1', expiresAt: T0 + 60 }],
        cutoffs: [],
      }),
    }
    await view.load(store)
    expect(view.sure).toBe(true)
    expect(view.isRevoked(token())).toBe(false)
    expect(view.isRevoked(token({ jti: 'jti-9' }))).toBe(true)
    expect(view.isRevoked(token({ sessionId: 's-9' }))).toBe(true)
  })

  it('answers from its state for graceSeconds after markUnsure, then refuses everything', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, graceSeconds: 2 })
    view.markUnsure(T0)
    expect(view.isRevoked(token())).toBe(false)
    time.set(T0 + 2)
    expect(view.isRevoked(token())).toBe(false)
    time.set(T0 + 2.001)
    expect(view.isRevoked(token())).toBe(true)
    expect(view.isRevoked(token({ iat: T0 + 2, jti: 'new' }))).toBe(true)
    view.markSure()
    expect(view.isRevoked(token())).toBe(false)
  })

  it('never fails closed on refresh tokens, which the services check against the store', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock })
    view.markUnsure(T0 - 1)
    expect(view.isRevoked(token())).toBe(true)
    expect(view.failsClosed(token())).toBe(true)
    const refresh = token({ type: 'refresh', jti: 'r-1' })
    expect(view.isRevoked(refresh)).toBe(false)
    expect(view.failsClosed(refresh)).toBe(false)
    // What the view does know still applies to them.
    view.apply({ kind: 'cutoff', userId: refresh.userId as string, notBefore: T0 })
    expect(view.isRevoked(refresh)).toBe(true)
    expect(view.failsClosed(refresh)).toBe(false)
  })

  it('keeps the earliest moment it became unsure', () => {
    const time = frozenClock(T0 + 10)
    const view = sureView({ clock: time.clock, graceSeconds: 2 })
    view.markUnsure(T0 + 5)
    view.markUnsure(T0 + 9)
    expect(view.unsureSince).toBe(T0 + 5)
    expect(view.isRevoked(token())).toBe(true)
  })

  it('with graceSeconds 0, refuses as soon as the clock passes the moment it became unsure', () => {
    const time = frozenClock()
    const view = sureView({ clock: time.clock, graceSeconds: 0 })
    view.markUnsure(T0)
    expect(view.isRevoked(token())).toBe(false)
    time.advance(0.001)
    expect(view.isRevoked(token())).toBe(true)
  })

  it('rejects nonsensical options with a TypeError naming them', () => {
    expect(() => new RevocationView({ graceSeconds: -1 })).toThrow(/graceSeconds/)
    expect(() => new RevocationView({ leewaySeconds: Number.NaN })).toThrow(/leewaySeconds/)
  })
})

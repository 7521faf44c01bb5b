import { readFileSync } from 'node:fs'
import {
  AuthenticationFailedError,
  type AuthService,
  RefreshUserInvalidError,
  type Stores,
  TokenRevokedError,
  usernameKey,
  ValidationError,
} from '@tessera/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { frozenClock, makeService, makeServiceWithView, request } from './service-fixture.js'
import { describeTextInput } from './text-input-cases.js'

interface DjangoVector {
  hasher: string
  password: string
  encoded: string
}
const vectors: DjangoVector[] = JSON.parse(
  readFileSync(new URL('../fixtures/django-password-hashes.json', import.meta.url), 'utf8'),
).vectors

/** The service-level suite, run on every store adapter. */
export function describeAuthService(
  name: string,
  open: () => Promise<{ stores: Stores; cleanup: () => Promise<void> }>,
): void {
  describe(`AuthService on ${name}`, () => {
    let stores: Stores
    let cleanup: () => Promise<void>
    beforeEach(async () => {
      ;({ stores, cleanup } = await open())
    })
    afterEach(async () => cleanup())

    describeTextInput(() => stores)

    const peter = {
      username: 'peter',
      password: 'correct horse battery',
      first_name: 'Peter',
      last_name: 'Parker',
    }

    describe('register', () => {
      it('creates the user with a Django-format argon2id hash', async () => {
        const { auth } = makeService(stores)
        const user = await auth.register({ ...peter, email: 'Peter@Example.COM' })
        expect(user).toMatchObject({
          username: 'peter',
          email: 'Peter@example.com',
          isActive: true,
        })
        expect(user.password).toMatch(/^argon2\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
      })

      it('refuses look-alike usernames with the field error', async () => {
        const { auth } = makeService(stores)
        await auth.register(peter)
        for (const lookAlike of ['Peter', 'ＰＥＴＥＲ']) {
          const error = await auth
            .register({ ...peter, username: lookAlike })
            .catch((e: unknown) => e)
          expect(error).toBeInstanceOf(ValidationError)
          expect((error as ValidationError).fields).toEqual({
            username: ['A user with that username already exists.'],
          })
        }
      })

      it('returns only the bad keys, with Django messages', async () => {
        const { auth } = makeService(stores)
        const error = (await auth
          .register({ username: 'peter parker', password: '12345678', email: 'nope' })
          .catch((e: unknown) => e)) as ValidationError
        expect(error.fields).toEqual({
          username: [
            'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
          ],
          email: ['Enter a valid email address.'],
          password: ['This password is too common.', 'This password is entirely numeric.'],
        })
      })

      it('lets exactly one of 10 concurrent look-alike registrations win', async () => {
        const { auth } = makeService(stores)
        const names = [
          'mary',
          'Mary',
          'MARY',
          'ｍａｒｙ',
          'mAry',
          'maRy',
          'marY',
          'MAry',
          'maRY',
          'Mary',
        ]
        const results = await Promise.allSettled(
          names.map((username) => auth.register({ username, password: 'correct horse battery' })),
        )
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        expect(await stores.users.findUserByUsernameKey(usernameKey('mary'))).toBeDefined()
      })
    })

    describe('login', () => {
      it('issues a pair and records the session', async () => {
        const { auth } = makeService(stores)
        await auth.register(peter)
        const result = await auth.login('PETER', peter.password, request)
        const refresh = auth.tokens.verifier.verify(result.refresh.token, 'refresh')
        expect(refresh.ok).toBe(true)
        expect(auth.tokens.verifier.verify(result.access.token, 'access').ok).toBe(true)
        const session = await stores.sessions.findSession(result.sessionId)
        expect(session).toMatchObject({ userId: result.user.id, ip: request.ip, device: 'vitest' })
      })

      it('runs exactly one verify for unknown, inactive, password-less users and wrong passwords', async () => {
        const { auth, verifies } = makeService(stores)
        const user = await auth.register(peter)
        await auth.register({ ...peter, username: 'inactive' })
        const inactive = await stores.users.findUserByUsernameKey('inactive')
        await stores.users.updateUser(inactive?.id ?? '', { isActive: false })
        await auth.register({ ...peter, username: 'nopass' })
        const nopass = await stores.users.findUserByUsernameKey('nopass')
        await stores.users.updateUser(nopass?.id ?? '', { password: null })
        const attempts: [unknown, unknown][] = [
          ['nobody', peter.password],
          ['inactive', peter.password],
          ['nopass', peter.password],
          ['peter', 'wrong password'],
          [['peter'], peter.password],
          ['peter', { $ne: '' }],
        ]
        for (const [username, password] of attempts) {
          verifies.length = 0
          await expect(auth.login(username, password, request)).rejects.toBeInstanceOf(
            AuthenticationFailedError,
          )
          expect(verifies, JSON.stringify(username)).toHaveLength(1)
        }
        verifies.length = 0
        expect((await auth.login('peter', peter.password, request)).user.id).toBe(user.id)
        expect(verifies).toEqual(['argon2id'])
      })

      it('verifies Django hashes of every format and upgrades them to argon2id', async () => {
        const { auth } = makeService(stores)
        for (const [index, vector] of vectors.entries()) {
          const username = `django${index}`
          const created = await auth.register({ ...peter, username })
          await stores.users.updateUser(created.id, { password: vector.encoded })
          await expect(auth.login(username, `${vector.password}x`, request)).rejects.toBeInstanceOf(
            AuthenticationFailedError,
          )
          if (vector.hasher === 'unusable') {
            // Django's unusable password (`!...`) never verifies, whatever is typed (the `x`
            // above); its vector's empty password is refused as blank before any verify.
            await expect(auth.login(username, vector.password, request)).rejects.toBeInstanceOf(
              ValidationError,
            )
            continue
          }
          const { user } = await auth.login(username, vector.password, request)
          expect(user.password, vector.hasher).toMatch(/^argon2\$argon2id\$/)
          const stored = await stores.users.findUserById(created.id)
          expect(stored?.password).toBe(user.password)
        }
      }, 60_000)
    })

    describe('refresh rotation', () => {
      async function loggedIn(options: Parameters<typeof makeService>[1] = {}) {
        const made = makeService(stores, options)
        await made.auth.register(peter)
        return { ...made, login: await made.auth.login('peter', peter.password, request) }
      }

      it('rotates within the family: successor valid, presented token consumed', async () => {
        const { auth, login } = await loggedIn()
        const rotated = await auth.rotateRefresh(login.refresh.token, request)
        expect(rotated.sessionId).toBe(login.sessionId)
        expect(rotated.refresh?.jti).not.toBe(login.refresh.jti)
        expect(auth.tokens.verifier.verify(rotated.access.token, 'access').ok).toBe(true)
        expect((await stores.sessions.findRefreshToken(login.refresh.jti))?.replacedBy).toBe(
          rotated.refresh?.jti,
        )
      })

      it('revokes the family when a consumed token comes back (interval 0)', async () => {
        const { auth, login } = await loggedIn()
        const rotated = await auth.rotateRefresh(login.refresh.token, request)
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect((await stores.sessions.findSession(login.sessionId))?.revokeReason).toBe(
          'reuse_detected',
        )
        await expect(
          auth.rotateRefresh(rotated.refresh?.token ?? '', request),
        ).rejects.toBeInstanceOf(TokenRevokedError)
      })

      it('gives a retry inside the interval the same successor, and revokes after it', async () => {
        const clock = frozenClock()
        const { auth, login } = await loggedIn({ reuseInterval: 10, clock: clock.now })
        const first = await auth.rotateRefresh(login.refresh.token, request)
        clock.advance(10)
        const retry = await auth.rotateRefresh(login.refresh.token, request)
        expect(retry.refresh?.jti).toBe(first.refresh?.jti)
        expect(retry.refresh?.token).toBe(first.refresh?.token) // HS256: byte-identical
        clock.advance(1)
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect((await stores.sessions.findSession(login.sessionId))?.revokedAt).not.toBeNull()
      })

      it('of 50 concurrent rotations exactly one mints a successor (interval 0: the rest revoke)', async () => {
        const { auth, login } = await loggedIn()
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => auth.rotateRefresh(login.refresh.token, request)),
        )
        const won = results.filter((r) => r.status === 'fulfilled')
        expect(won).toHaveLength(1)
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TokenRevokedError)
        }
        expect((await stores.sessions.findSession(login.sessionId))?.revokedAt).not.toBeNull()
      })

      it('of 50 concurrent rotations inside the interval all get the one successor', async () => {
        const clock = frozenClock()
        const { auth, login } = await loggedIn({ reuseInterval: 5, clock: clock.now })
        const results = await Promise.all(
          Array.from({ length: 50 }, () => auth.rotateRefresh(login.refresh.token, request)),
        )
        expect(new Set(results.map((r) => r.refresh?.jti)).size).toBe(1)
        clock.advance(6)
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect((await stores.sessions.findSession(login.sessionId))?.revokeReason).toBe(
          'reuse_detected',
        )
      })

      it('answers "No active account" for a deactivated user', async () => {
        const { auth, login } = await loggedIn()
        await stores.users.updateUser(login.user.id, { isActive: false })
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          RefreshUserInvalidError,
        )
      })

      it('returns only an access token when rotation is off', async () => {
        const { auth, login } = await loggedIn({ settings: { ROTATE_REFRESH_TOKENS: false } })
        const first = await auth.rotateRefresh(login.refresh.token, request)
        const second = await auth.rotateRefresh(login.refresh.token, request)
        expect(first.refresh).toBeUndefined()
        expect(second.access.jti).not.toBe(first.access.jti)
      })
    })

    describe('logout and revocation', () => {
      it('logout revokes the family; the refresh token is then blacklisted', async () => {
        const { auth } = makeService(stores)
        await auth.register(peter)
        const login = await auth.login('peter', peter.password, request)
        expect(await auth.logout(login.refresh.token, request)).toBe(login.sessionId)
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        await expect(auth.logout(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
      })

      it('revokeAllForUser ends every session and cuts off earlier tokens; a login in the same second works', async () => {
        const clock = frozenClock()
        const { auth } = makeService(stores, { clock: clock.now })
        await auth.register(peter)
        const a = await auth.login('peter', peter.password, request)
        const b = await auth.login('peter', peter.password, { ...request, device: 'phone' })
        clock.advance(1.5)
        const cutoff = await auth.revokeAllForUser(a.user.id, { reason: 'logout_all', by: 'user' })
        expect(cutoff).toBe(clock.now())
        expect(await stores.sessions.listSessions(a.user.id, clock.now())).toEqual([])
        for (const login of [a, b]) {
          await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
            TokenRevokedError,
          )
          await expect(auth.verifyToken(login.access.token)).rejects.toBeInstanceOf(
            TokenRevokedError,
          )
        }
        const fresh = await auth.login('peter', peter.password, request)
        expect((await auth.verifyToken(fresh.access.token)).jti).toBe(fresh.access.jti)
        expect((await auth.rotateRefresh(fresh.refresh.token, request)).refresh).toBeDefined()
      })

      it('flushExpired keeps revocations while the leeway may still accept their tokens', async () => {
        const clock = frozenClock()
        const { auth } = makeService(stores, { clock: clock.now, settings: { LEEWAY: 30 } })
        const user = await auth.register(peter)
        const login = await auth.login('peter', peter.password, request)
        await auth.revokeSession(
          { id: login.sessionId, userId: user.id },
          { reason: 'revoked', by: 'user' },
        )
        const expiresAt = (await stores.revocations.loadLive(clock.now())).sessions[0]?.expiresAt
        clock.advance((expiresAt ?? 0) - clock.now() + 10)
        await auth.flushExpired()
        expect((await stores.revocations.loadLive(clock.now() - 30)).sessions).toHaveLength(1)
      })
    })

    describe('sessions end their access tokens too', () => {
      const ended: (() => void)[] = []
      afterEach(() => {
        for (const close of ended.splice(0)) close()
      })

      /** A service with a revocation view (what a server runs), at a frozen half second. */
      async function withView() {
        const clock = frozenClock(1_800_000_000.5)
        const made = await makeServiceWithView(stores, { clock: clock.now })
        ended.push(made.close)
        const user = await made.auth.register(peter)
        return { ...made, clock, user }
      }

      /** The answer a protected route gets from the verifier (the view included). */
      function bearer(auth: AuthService, token: string) {
        const result = auth.tokens.verifier.verify(token, 'access')
        return result.ok ? 'ok' : result.error.code
      }

      it('names the session in the sid of the access and refresh tokens, across rotations', async () => {
        const { auth } = await withView()
        const login = await auth.login('peter', peter.password, request)
        expect(login.access.claims.sid).toBe(login.sessionId)
        expect(login.refresh.claims.sid).toBe(login.sessionId)
        const rotated = await auth.rotateRefresh(login.refresh.token, request)
        expect(rotated.access.claims.sid).toBe(login.sessionId)
        expect(rotated.refresh?.claims.sid).toBe(login.sessionId)
        expect(auth.tokens.verifier.verify(rotated.access.token, 'access')).toMatchObject({
          ok: true,
          token: { sessionId: login.sessionId },
        })
      })

      it("revoking one session refuses its access tokens at once (view and verify), not another's", async () => {
        const { auth, user } = await withView()
        const phone = await auth.login('peter', peter.password, request)
        const laptop = await auth.login('peter', peter.password, request)
        const rotated = await auth.rotateRefresh(phone.refresh.token, request)
        expect(bearer(auth, phone.access.token)).toBe('ok')
        expect(
          await auth.revokeSession(
            { id: phone.sessionId, userId: user.id },
            { reason: 'revoked', by: 'user', ip: request.ip },
          ),
        ).toBe(true)
        for (const token of [phone.access.token, rotated.access.token]) {
          expect(bearer(auth, token)).toBe('token_revoked')
          await expect(auth.verifyToken(token)).rejects.toBeInstanceOf(TokenRevokedError)
        }
        expect(bearer(auth, laptop.access.token)).toBe('ok')
        expect((await auth.verifyToken(laptop.access.token)).jti).toBe(laptop.access.jti)
        // Already ended: false, and nothing more is audited.
        expect(
          await auth.revokeSession(
            { id: phone.sessionId, userId: user.id },
            { reason: 'revoked', by: 'user' },
          ),
        ).toBe(false)
      })

      it('verify refuses the tokens of a revoked session even without a view (the store)', async () => {
        const { auth } = makeService(stores)
        const user = await auth.register(peter)
        const login = await auth.login('peter', peter.password, request)
        await auth.revokeSession(
          { id: login.sessionId, userId: user.id },
          { reason: 'revoked', by: 'admin', actorId: '1' },
        )
        await expect(auth.verifyToken(login.access.token)).rejects.toBeInstanceOf(TokenRevokedError)
      })

      it("a refresh-token reuse ends the family's access tokens, the thief's included", async () => {
        const { auth } = await withView()
        const login = await auth.login('peter', peter.password, request)
        const thief = await auth.rotateRefresh(login.refresh.token, request)
        expect(bearer(auth, thief.access.token)).toBe('ok')
        await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect(bearer(auth, thief.access.token)).toBe('token_revoked')
        expect(bearer(auth, login.access.token)).toBe('token_revoked')
      })

      it("logout ends the session's access tokens, even those not sent along", async () => {
        const { auth } = await withView()
        const login = await auth.login('peter', peter.password, request)
        const rotated = await auth.rotateRefresh(login.refresh.token, request)
        await auth.logout(rotated.refresh?.token ?? '', request)
        expect(bearer(auth, login.access.token)).toBe('token_revoked')
        expect(bearer(auth, rotated.access.token)).toBe('token_revoked')
      })

      it('a login right after a logout everywhere waits for nothing and reads no cut-off: the new pair works, the old does not', async () => {
        const { auth, user } = await withView()
        const old = await auth.login('peter', peter.password, request)
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        const reads = vi.spyOn(stores.revocations, 'getCutoff')
        // The clock is frozen in the cut-off's own second: a wait for the next would never end.
        const fresh = await auth.login('peter', peter.password, request)
        const rotated = await auth.rotateRefresh(fresh.refresh.token, request)
        expect(reads).not.toHaveBeenCalled()
        reads.mockRestore()
        expect(fresh.access.claims.iat).toBe(old.access.claims.iat)
        for (const token of [fresh.access.token, rotated.access.token]) {
          expect(bearer(auth, token)).toBe('ok')
          expect((await auth.verifyToken(token)).sessionId).toBe(fresh.sessionId)
        }
        expect(bearer(auth, old.access.token)).toBe('token_revoked')
        await expect(auth.verifyToken(old.access.token)).rejects.toBeInstanceOf(TokenRevokedError)
        await expect(auth.rotateRefresh(old.refresh.token, request)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
      })

      it("a password change's fresh pair works in the cut-off's own second; every earlier token is refused", async () => {
        const { auth, user } = await withView()
        const before = await auth.login('peter', peter.password, request)
        const changed = await auth.changePassword(
          user,
          peter.password,
          'a brand new passphrase',
          request,
        )
        expect(changed.access.claims.iat).toBe(before.access.claims.iat)
        expect(bearer(auth, before.access.token)).toBe('token_revoked')
        await expect(auth.verifyToken(before.access.token)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect(bearer(auth, changed.access.token)).toBe('ok')
        expect((await auth.verifyToken(changed.access.token)).jti).toBe(changed.access.jti)
        expect((await auth.verifyToken(changed.refresh.token)).jti).toBe(changed.refresh.jti)
      })

      it('a token without a session (simplejwt-minted) is still cut off within the cut-off second', async () => {
        const { auth, user, clock } = await withView()
        const legacy = auth.tokens.issuer.issueAccessToken(user)
        expect(legacy.claims.sid).toBeUndefined()
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        expect(bearer(auth, legacy.token)).toBe('token_revoked')
        await expect(auth.verifyToken(legacy.token)).rejects.toBeInstanceOf(TokenRevokedError)
        clock.advance(1)
        const later = auth.tokens.issuer.issueAccessToken(user)
        expect(bearer(auth, later.token)).toBe('ok')
      })

      it('sliding tokens open a session: the sessions list shows it, logout everywhere ends it', async () => {
        const { auth, user } = await withView()
        const sliding = await auth.obtainSlidingToken('peter', peter.password, request)
        const sessionId = String(sliding.claims.sid)
        const [listed] = await stores.sessions.listSessions(user.id, 1_800_000_000)
        expect(listed?.id).toBe(sessionId)
        expect((await auth.refreshSlidingToken(sliding.token)).claims.sid).toBe(sessionId)
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        await expect(auth.refreshSlidingToken(sliding.token)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        await expect(auth.verifyToken(sliding.token)).rejects.toBeInstanceOf(TokenRevokedError)
        const fresh = await auth.obtainSlidingToken('peter', peter.password, request)
        expect((await auth.verifyToken(fresh.token)).sessionId).toBe(fresh.claims.sid)
      })

      it('audits every ending once: who, which sessions, why', async () => {
        const { auth, user } = await withView()
        const one = await auth.login('peter', peter.password, request)
        const two = await auth.login('peter', peter.password, request)
        const three = await auth.login('peter', peter.password, request)
        await auth.revokeSession(
          { id: one.sessionId, userId: user.id },
          { reason: 'revoked', by: 'admin', actorId: '99', ip: '198.51.100.1' },
        )
        await auth.rotateRefresh(two.refresh.token, request)
        await expect(auth.rotateRefresh(two.refresh.token, request)).rejects.toThrow()
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user', ip: request.ip })
        const events = await stores.audit.listEvents({ limit: 50, userId: user.id })
        const endings = events
          .filter((event) => Array.isArray(event.data.sessions))
          .map(({ type, ip, data }) => ({ type, ip, data }))
          .reverse()
        expect(endings).toEqual([
          {
            type: 'session_revoked',
            ip: '198.51.100.1',
            data: { sessions: [one.sessionId], reason: 'revoked', by: 'admin', actor: '99' },
          },
          {
            type: 'refresh_reuse_detected',
            ip: request.ip,
            data: { sessions: [two.sessionId], reason: 'reuse_detected', by: 'system' },
          },
          {
            type: 'logout_all',
            ip: request.ip,
            data: { sessions: [three.sessionId], reason: 'logout_all', by: 'user' },
          },
        ])
      })

      it("tells every listener of a user's change: profile, password", async () => {
        const { auth, user, bus } = await withView()
        const heard: string[] = []
        auth.onUserChange((id) => heard.push(`local:${id}`))
        bus.subscribe((event) => {
          if (event.kind === 'user') heard.push(`bus:${event.userId}`)
        })
        await auth.updateProfile(user, { first_name: 'Pete' })
        // This process hears its own change at once, before the bus brings it back.
        expect(heard[0]).toBe(`local:${user.id}`)
        await auth.changePassword(user, peter.password, 'a brand new passphrase', request)
        // Each change: once on the bus; here twice (directly, then from the bus).
        expect(heard.filter((entry) => entry.startsWith('bus:'))).toEqual([
          `bus:${user.id}`,
          `bus:${user.id}`,
        ])
        expect(heard.filter((entry) => entry === `local:${user.id}`)).toHaveLength(4)
      })
    })

    describe('expiry', () => {
      it('flushExpired removes expired sessions and tokens', async () => {
        const clock = frozenClock()
        const { auth } = makeService(stores, { clock: clock.now })
        await auth.register(peter)
        const login = await auth.login('peter', peter.password, request)
        clock.advance(86_400 + 1)
        expect(await auth.flushExpired()).toBeGreaterThanOrEqual(1)
        expect(await stores.sessions.findRefreshToken(login.refresh.jti)).toBeUndefined()
      })
    })
  })
}

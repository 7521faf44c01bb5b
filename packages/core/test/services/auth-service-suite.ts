import { readFileSync } from 'node:fs'
import {
  AuthenticationFailedError,
  RefreshUserInvalidError,
  type Stores,
  TokenRevokedError,
  usernameKey,
  ValidationError,
} from '@tessera/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sharedPath } from '../shared-dir.js'
import { frozenClock, makeService, request } from './service-fixture.js'
import { describeTextInput } from './text-input-cases.js'

interface DjangoVector {
  hasher: string
  password: string
  encoded: string
}
const vectors: DjangoVector[] = JSON.parse(
  readFileSync(sharedPath('fixtures', 'django-password-hashes.json'), 'utf8'),
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
      it("a password change's fresh pair is issued after the cut-off's second, even when the wall clock trails the timers", async () => {
        // Wall-clock seconds pass at 0.9x the timers' pace: one wait ends before the next second.
        const started = performance.now()
        const origin = Math.floor(Date.now() / 1000) + 0.5
        const clock = () => origin + (0.9 * (performance.now() - started)) / 1000
        const { auth } = makeService(stores, { clock })
        const user = await auth.register(peter)
        const before = await auth.login('peter', peter.password, request)
        const changed = await auth.changePassword(
          user,
          peter.password,
          'a brand new passphrase',
          request,
        )
        await expect(auth.verifyToken(before.access.token)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        expect((await auth.verifyToken(changed.access.token)).jti).toBe(changed.access.jti)
        expect((await auth.verifyToken(changed.refresh.token)).jti).toBe(changed.refresh.jti)
      })

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

      it('revokeAllForUser ends every session and cuts off earlier tokens', async () => {
        const clock = frozenClock()
        const { auth } = makeService(stores, { clock: clock.now })
        await auth.register(peter)
        const a = await auth.login('peter', peter.password, request)
        const b = await auth.login('peter', peter.password, { ...request, device: 'phone' })
        clock.advance(1)
        const cutoff = await auth.revokeAllForUser(a.user.id, 'logout_all')
        expect(cutoff).toBe(clock.now())
        expect(await stores.sessions.listSessions(a.user.id, clock.now())).toEqual([])
        for (const login of [a, b]) {
          await expect(auth.rotateRefresh(login.refresh.token, request)).rejects.toBeInstanceOf(
            TokenRevokedError,
          )
        }
        clock.advance(1)
        const fresh = await auth.login('peter', peter.password, request)
        expect((await auth.rotateRefresh(fresh.refresh.token, request)).refresh).toBeDefined()
      })

      it('a login in the second of a logout everywhere waits for the next one: its tokens work', async () => {
        // Half a second into a second, on the real clock's pace.
        const started = performance.now()
        const origin = Math.floor(Date.now() / 1000) + 0.5
        const clock = () => origin + (performance.now() - started) / 1000
        const { auth } = makeService(stores, { clock })
        const user = await auth.register(peter)
        const cutoff = await auth.revokeAllForUser(user.id, 'logout_all')
        const fresh = await auth.login('peter', peter.password, request)
        expect(fresh.access.claims.iat).toBe(Math.floor(cutoff) + 1)
        expect((await auth.verifyToken(fresh.access.token)).jti).toBe(fresh.access.jti)
        expect((await auth.rotateRefresh(fresh.refresh.token, request)).refresh).toBeDefined()
      })

      it('with a clock that does not move, a login in the cut-off second gives up waiting', async () => {
        const clock = frozenClock()
        const { auth } = makeService(stores, { clock: clock.now })
        const user = await auth.register(peter)
        await auth.revokeAllForUser(user.id, 'logout_all')
        const started = performance.now()
        const fresh = await auth.login('peter', peter.password, request)
        const waited = performance.now() - started
        expect(waited).toBeGreaterThanOrEqual(1900)
        expect(waited).toBeLessThan(5000)
        // Issued in the refused second: what a session started there gets, now after 2 s.
        await expect(auth.verifyToken(fresh.access.token)).rejects.toBeInstanceOf(TokenRevokedError)
      })

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

import {
  type AuthService,
  KeyEncryptionKey,
  MfaCodeInvalidError,
  MfaEnrollmentRequiredError,
  MfaRequiredError,
  type Stores,
  TokenExpiredError,
  TokenRevokedError,
  TokenWrongTypeError,
  type UserRecord,
  ValidationError,
} from '@tessera/core'
import { hashRecoveryCode, hashTrustedDeviceToken, totpCode } from '@tessera/core/mfa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { frozenClock, makeService, makeServiceWithView, request } from './service-fixture.js'

const PASSWORD = 'correct horse battery'
const KEK = KeyEncryptionKey.parse('a'.repeat(64))

/** What a login with a second factor throws: the error, with its mfa token. */
async function mfaTokenOf(auth: AuthService, username: string, deviceToken?: string) {
  const error = await auth.login(username, PASSWORD, request, { deviceToken }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MfaRequiredError)
  return (error as MfaRequiredError).mfaToken
}

/** The MFA services on one store adapter, with a frozen clock. */
export function describeMfaService(
  name: string,
  open: () => Promise<{ stores: Stores; cleanup: () => Promise<void> }>,
): void {
  describe(`MFA services on ${name}`, () => {
    let stores: Stores
    let cleanup: () => Promise<void>
    let clock: ReturnType<typeof frozenClock>
    let auth: AuthService
    beforeEach(async () => {
      ;({ stores, cleanup } = await open())
      // Mid-step, so that ±1 step never crosses into a neighbour by rounding.
      clock = frozenClock(1_800_000_015)
      ;({ auth } = makeService(stores, { clock: clock.now, keyEncryptionKey: KEK }))
    })
    afterEach(async () => cleanup())

    /** A user with TOTP on; returns the user, its secret and recovery codes. */
    async function enrolled(username: string) {
      const user = await auth.register({ username, password: PASSWORD })
      const setup = await auth.setupTotp(user, PASSWORD)
      const codes = await auth.confirmTotp(user, totpCode(setup.secret, clock.now()), request)
      // Three steps past the confirming one: the codes of steps -1, 0 and +1 are all fresh.
      clock.advance(90)
      return { user, secret: setup.secret, codes }
    }

    const code = (secret: string, steps = 0) => totpCode(secret, clock.now() + steps * 30)

    describe('enrolment', () => {
      it('needs the password, then answers the secret, its otpauth URI and a local QR code', async () => {
        const user = await auth.register({ username: 'ada', password: PASSWORD })
        await expect(auth.setupTotp(user, 'wrong password')).rejects.toMatchObject({
          fields: { password: ['Invalid password.'] },
        })
        const setup = await auth.setupTotp(user, PASSWORD)
        expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/)
        expect(setup.uri).toBe(
          `otpauth://totp/Tessera:ada?issuer=Tessera&secret=${setup.secret}&algorithm=SHA1&digits=6&period=30`,
        )
        expect(setup.qrSvg).toMatch(
          /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n?$/,
        )
        expect(await auth.mfaStatus(user)).toEqual({
          enabled: false,
          pending: true,
          recoveryCodesLeft: 0,
        })
        // A pending setup does not yet ask for a code.
        await expect(auth.login('ada', PASSWORD, request)).resolves.toBeDefined()
      })

      it('seals the secret with the key-encryption key, plain base32 without one', async () => {
        const user = await auth.register({ username: 'sealed', password: PASSWORD })
        const setup = await auth.setupTotp(user, PASSWORD)
        const stored = await stores.mfa.findTotp(user.id)
        expect(stored?.secret.startsWith('tessera-kek-v1.')).toBe(true)
        expect(stored?.secret).not.toContain(setup.secret)
        const plain = makeService(stores, { clock: clock.now }).auth
        const other = await plain.register({ username: 'plain', password: PASSWORD })
        const otherSetup = await plain.setupTotp(other, PASSWORD)
        expect((await stores.mfa.findTotp(other.id))?.secret).toBe(otherSetup.secret)
        // A service without the KEK cannot read a sealed secret: it never treats it as base32.
        await expect(plain.confirmTotp(user, code(setup.secret), request)).rejects.toMatchObject({
          code: 'key_invalid',
        })
      })

      it('confirms with a valid code only, and hands out 10 single-use codes stored hashed', async () => {
        const user = await auth.register({ username: 'bob', password: PASSWORD })
        await expect(auth.confirmTotp(user, '123456', request)).rejects.toMatchObject({
          fields: { non_field_errors: ['Set up two-factor authentication first.'] },
        })
        const setup = await auth.setupTotp(user, PASSWORD)
        const wrong = code(setup.secret, 3)
        await expect(auth.confirmTotp(user, wrong, request)).rejects.toMatchObject({
          fields: { code: ['Invalid code.'] },
        })
        const codes = await auth.confirmTotp(user, code(setup.secret), request)
        expect(codes).toHaveLength(10)
        expect(new Set(codes).size).toBe(10)
        for (const each of codes) expect(each).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
        expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(10)
        // Stored as digests: the code itself matches nothing.
        expect(await stores.mfa.useRecoveryCode(user.id, codes[0] as string, clock.now())).toBe(
          false,
        )
        expect(await auth.mfaStatus(user)).toEqual({
          enabled: true,
          pending: false,
          recoveryCodesLeft: 10,
        })
        await expect(auth.setupTotp(user, PASSWORD)).rejects.toMatchObject({
          fields: { non_field_errors: ['Two-factor authentication is already enabled.'] },
        })
        const events = await stores.audit.listEvents({ limit: 5, userId: user.id })
        expect(events.map((event) => event.type)).toContain('mfa_enabled')
      })
    })

    describe('the mfa token', () => {
      it('is what a password login of an MFA account gets, of its own type', async () => {
        const { user } = await enrolled('carol')
        const token = await mfaTokenOf(auth, 'carol')
        const verified = auth.verifyMfaToken(token)
        expect(verified).toMatchObject({ type: 'mfa', userId: user.id, sessionId: undefined })
        expect(verified.exp - (verified.iat as number)).toBe(300)
        // Nothing was started: no session for the password step alone.
        expect(await stores.sessions.listSessions(user.id, clock.now())).toEqual([])
      })

      it('is refused as an access token, at refresh, at verify and by the sliding refresh', async () => {
        await enrolled('dave')
        const token = await mfaTokenOf(auth, 'dave')
        const asAccess = auth.tokens.verifier.verify(token, 'access')
        expect(asAccess.ok === false && asAccess.error).toBeInstanceOf(TokenWrongTypeError)
        await expect(auth.rotateRefresh(token, request)).rejects.toBeInstanceOf(TokenWrongTypeError)
        await expect(auth.verifyToken(token)).rejects.toBeInstanceOf(TokenWrongTypeError)
        // Refused before its type is even looked at: it has no refresh_exp.
        await expect(auth.refreshSlidingToken(token)).rejects.toMatchObject({
          code: expect.stringMatching(/^token_/),
        })
        await expect(auth.logout(token, request)).rejects.toBeInstanceOf(TokenWrongTypeError)
        // And an access token is no mfa token.
        const plain = await auth.register({ username: 'nomfa', password: PASSWORD })
        const { access } = await auth.issueTokenPair(plain, request)
        expect(() => auth.verifyMfaToken(access.token)).toThrow(TokenWrongTypeError)
      })

      it('expires after MFA_TOKEN_LIFETIME', async () => {
        const { secret } = await enrolled('erin')
        const token = await mfaTokenOf(auth, 'erin')
        clock.advance(299)
        expect(auth.verifyMfaToken(token).type).toBe('mfa')
        clock.advance(1)
        expect(() => auth.verifyMfaToken(token)).toThrow(TokenExpiredError)
        expect(code(secret)).toMatch(/^\d{6}$/)
      })

      it('is single use: a second completion with a fresh code is refused', async () => {
        const { secret } = await enrolled('fay')
        const token = await mfaTokenOf(auth, 'fay')
        const first = await auth.completeMfaLogin(
          auth.verifyMfaToken(token),
          { code: code(secret) },
          request,
        )
        expect(first.method).toBe('totp')
        clock.advance(30)
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(token), { code: code(secret) }, request),
        ).rejects.toBeInstanceOf(TokenRevokedError)
      })

      it('is void after a password change or logout everywhere since the password step', async () => {
        const { secret, user } = await enrolled('fritz')
        const token = await mfaTokenOf(auth, 'fritz')
        clock.advance(1)
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(token), { code: code(secret) }, request),
        ).rejects.toBeInstanceOf(TokenRevokedError)
        // A password step after the cut-off works.
        clock.advance(1)
        const fresh = await mfaTokenOf(auth, 'fritz')
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(fresh), { code: code(secret) }, request),
        ).resolves.toMatchObject({ method: 'totp' })
      })

      it("tells the cut-off's own second apart: a step before it is void, one after it works", async () => {
        const { secret, user } = await enrolled('frida')
        // As a server runs: the verifier asks a revocation view too, which holds the cut-off.
        const server = await makeServiceWithView(stores, {
          clock: clock.now,
          keyEncryptionKey: KEK,
        })
        clock.advance(0.25)
        const before = await mfaTokenOf(server.auth, 'frida')
        clock.advance(0.25)
        await server.auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        clock.advance(0.25)
        const after = await mfaTokenOf(server.auth, 'frida')
        expect(() => server.auth.verifyMfaToken(before)).toThrow(TokenRevokedError)
        // The store's check alone (an instance whose view has not heard yet) refuses it too.
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(before), { code: code(secret) }, request),
        ).rejects.toBeInstanceOf(TokenRevokedError)
        const step = { code: code(secret) }
        await expect(
          server.auth.completeMfaLogin(server.auth.verifyMfaToken(after), step, request),
        ).resolves.toMatchObject({ method: 'totp' })
        server.close()
      })

      it('survives a wrong code: the user may retry with the same token', async () => {
        const { secret } = await enrolled('gus')
        const token = await mfaTokenOf(auth, 'gus')
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(token), { code: '000000' }, request),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
        const done = await auth.completeMfaLogin(
          auth.verifyMfaToken(token),
          { code: code(secret) },
          request,
        )
        expect(done.refresh.token).toBeTypeOf('string')
      })
    })

    describe('TOTP codes (frozen clock)', () => {
      it.each([-1, 0, 1])('accepts the code of step %i', async (steps) => {
        const { secret, user } = await enrolled(`step${steps + 1}`)
        const token = await mfaTokenOf(auth, user.username)
        const done = await auth.completeMfaLogin(
          auth.verifyMfaToken(token),
          { code: code(secret, steps) },
          request,
        )
        expect(done.user.id).toBe(user.id)
        expect(await stores.sessions.listSessions(user.id, clock.now())).toHaveLength(1)
      })

      it.each([-2, 2])('refuses the code of step %i, with the one generic error', async (steps) => {
        const { secret, user } = await enrolled(`far${steps + 2}`)
        const token = await mfaTokenOf(auth, user.username)
        const error = await auth
          .completeMfaLogin(auth.verifyMfaToken(token), { code: code(secret, steps) }, request)
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(MfaCodeInvalidError)
        expect(error).toMatchObject({ code: 'mfa_code_invalid' })
        const failed = await stores.audit.listEvents({ limit: 1, userId: user.id })
        expect(failed[0]).toMatchObject({ type: 'mfa_failed', data: { method: 'totp' } })
      })

      it.each(['', '12345', '1234567', 'abcdef', '12 34 5x'])('refuses %j', async (typed) => {
        const { user } = await enrolled(`bad${typed.length}${typed.charCodeAt(0) || 0}`)
        const token = await mfaTokenOf(auth, user.username)
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(token), { code: typed }, request),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
      })

      it('accepts a code typed with a space, as apps show it', async () => {
        const { secret, user } = await enrolled('spaced')
        const token = await mfaTokenOf(auth, user.username)
        const typed = code(secret).replace(/^(\d{3})/, '$1 ')
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(token), { code: typed }, request),
        ).resolves.toMatchObject({ method: 'totp' })
      })

      it('accepts the same code once: sequentially, a second login with it is refused', async () => {
        const { secret } = await enrolled('hal')
        const same = code(secret)
        const first = await mfaTokenOf(auth, 'hal')
        await auth.completeMfaLogin(auth.verifyMfaToken(first), { code: same }, request)
        const second = await mfaTokenOf(auth, 'hal')
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(second), { code: same }, request),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
        // Nor an older step after a newer one was used.
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(second), { code: code(secret, -1) }, request),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
        // The next step's code works with the same (unspent) token.
        clock.advance(30)
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(second), { code: code(secret) }, request),
        ).resolves.toMatchObject({ method: 'totp' })
      })

      it('accepts the same code exactly once among 20 parallel logins', async () => {
        const { secret, user } = await enrolled('ivy')
        const tokens = await Promise.all(Array.from({ length: 20 }, () => mfaTokenOf(auth, 'ivy')))
        const same = code(secret)
        const results = await Promise.allSettled(
          tokens.map((token) =>
            auth.completeMfaLogin(auth.verifyMfaToken(token), { code: same }, request),
          ),
        )
        const won = results.filter((result) => result.status === 'fulfilled')
        expect(won).toHaveLength(1)
        for (const result of results) {
          if (result.status === 'rejected')
            expect(result.reason).toBeInstanceOf(MfaCodeInvalidError)
        }
        expect(await stores.sessions.listSessions(user.id, clock.now())).toHaveLength(1)
      })

      it('spends one mfa token once among 20 parallel completions with fresh codes', async () => {
        const { secret, user } = await enrolled('jay')
        const token = auth.verifyMfaToken(await mfaTokenOf(auth, 'jay'))
        // Different (valid) factors, one token: the token, not the code, must stop the others.
        const recovery = await auth.regenerateRecoveryCodes(
          user,
          PASSWORD,
          { code: code(secret) },
          request,
        )
        const results = await Promise.allSettled(
          recovery.map((each) => auth.completeMfaLogin(token, { recoveryCode: each }, request)),
        )
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
        expect(await stores.sessions.listSessions(user.id, clock.now())).toHaveLength(1)
      })
    })

    describe('recovery codes', () => {
      it('log in once each, in any spelling; then no more', async () => {
        const { codes, user } = await enrolled('kim')
        const [first, second] = codes as [string, string]
        const token = await mfaTokenOf(auth, 'kim')
        const done = await auth.completeMfaLogin(
          auth.verifyMfaToken(token),
          { recoveryCode: ` ${first.toUpperCase().replaceAll('-', ' ')} ` },
          request,
        )
        expect(done.method).toBe('recovery_code')
        expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(9)
        const again = await mfaTokenOf(auth, 'kim')
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(again), { recoveryCode: first }, request),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
        await expect(
          auth.completeMfaLogin(
            auth.verifyMfaToken(again),
            { recoveryCode: 'x'.repeat(500) },
            request,
          ),
        ).rejects.toBeInstanceOf(MfaCodeInvalidError)
        await expect(
          auth.completeMfaLogin(auth.verifyMfaToken(again), { recoveryCode: second }, request),
        ).resolves.toMatchObject({ method: 'recovery_code' })
        const types = (await stores.audit.listEvents({ limit: 10, userId: user.id })).map(
          (event) => event.type,
        )
        expect(types.filter((type) => type === 'mfa_recovery_code_used')).toHaveLength(2)
        expect(types).toContain('mfa_failed')
      })

      it('are replaced with the password and a code; the old ones stop working', async () => {
        const { codes, secret, user } = await enrolled('lee')
        await expect(
          auth.regenerateRecoveryCodes(user, 'nope nope', { code: code(secret) }, request),
        ).rejects.toMatchObject({ fields: { password: ['Invalid password.'] } })
        const fresh = await auth.regenerateRecoveryCodes(
          user,
          PASSWORD,
          { code: code(secret) },
          request,
        )
        expect(fresh).toHaveLength(10)
        expect(
          await stores.mfa.useRecoveryCode(user.id, hashRecoveryCode(codes[0]) as string, 1),
        ).toBe(false)
        expect(
          await stores.mfa.useRecoveryCode(user.id, hashRecoveryCode(fresh[0]) as string, 1),
        ).toBe(true)
      })
    })

    describe('trusted devices', () => {
      it('skip the step with their token until they expire', async () => {
        const { secret, user } = await enrolled('max')
        const token = await mfaTokenOf(auth, 'max')
        const done = await auth.completeMfaLogin(
          auth.verifyMfaToken(token),
          { code: code(secret), rememberDevice: true },
          request,
        )
        const deviceToken = done.deviceToken as string
        expect(deviceToken).toMatch(/^tdv1_[A-Za-z0-9_-]{43}$/)
        const login = await auth.login('max', PASSWORD, request, { deviceToken })
        expect(login.user.id).toBe(user.id)
        expect(await auth.listTrustedDevices(user.id)).toHaveLength(1)
        // Another account's device token, or a made-up one, does not skip anything.
        const other = await enrolled('ned')
        await mfaTokenOf(auth, other.user.username, deviceToken)
        await mfaTokenOf(auth, 'max', `tdv1_${'A'.repeat(43)}`)
        clock.advance(30 * 86_400)
        await mfaTokenOf(auth, 'max', deviceToken)
      })

      it('are revoked one by one, and all on password change, logout everywhere and disable', async () => {
        const { secret, user } = await enrolled('oli')
        const trust = async () => {
          clock.advance(30)
          const token = await mfaTokenOf(auth, 'oli')
          const done = await auth.completeMfaLogin(
            auth.verifyMfaToken(token),
            { code: code(secret), rememberDevice: true },
            request,
          )
          return done.deviceToken as string
        }
        const one = await trust()
        const [listed] = await auth.listTrustedDevices(user.id)
        expect(await auth.revokeTrustedDevice(user.id, listed?.id as string, request)).toBe(true)
        await mfaTokenOf(auth, 'oli', one)

        const two = await trust()
        const fresh = (await stores.users.findUserById(user.id)) as UserRecord
        await auth.changePassword(fresh, PASSWORD, 'another horse battery', request)
        await auth.changePassword(
          (await stores.users.findUserById(user.id)) as UserRecord,
          'another horse battery',
          PASSWORD,
          request,
        )
        await mfaTokenOf(auth, 'oli', two)

        const three = await trust()
        await auth.revokeAllForUser(user.id, { reason: 'logout_all', by: 'user' })
        await mfaTokenOf(auth, 'oli', three)

        const four = await trust()
        clock.advance(30)
        await auth.disableTotp(fresh, PASSWORD, { code: code(secret) }, request)
        expect(await auth.listTrustedDevices(user.id)).toEqual([])
        const revoked = await stores.mfa.findTrustedDeviceByTokenHash(
          hashTrustedDeviceToken(four) as string,
        )
        expect(revoked?.revokedAt).toBe(clock.now())
      })
    })

    describe('disable, reset and staff', () => {
      it('disable needs the password and a valid code; then logins need no code', async () => {
        const { secret, user } = await enrolled('pam')
        await expect(
          auth.disableTotp(user, PASSWORD, { code: '000000' }, request),
        ).rejects.toMatchObject({ fields: { code: ['Invalid code.'] } })
        await expect(
          auth.disableTotp(user, 'wrong wrong', { code: code(secret) }, request),
        ).rejects.toBeInstanceOf(ValidationError)
        await auth.disableTotp(user, PASSWORD, { code: code(secret) }, request)
        await expect(auth.login('pam', PASSWORD, request)).resolves.toBeDefined()
        expect(await auth.mfaStatus(user)).toEqual({
          enabled: false,
          pending: false,
          recoveryCodesLeft: 0,
        })
        const types = (await stores.audit.listEvents({ limit: 20, userId: user.id })).map(
          (event) => event.type,
        )
        expect(types).toContain('mfa_disabled')
      })

      it('an operator reset removes the second factor, audited', async () => {
        const { user } = await enrolled('quin')
        expect(await auth.resetMfa(user.id, { by: 'operator' })).toBe(true)
        const [event] = await stores.audit.listEvents({ limit: 1, userId: user.id })
        expect(event).toMatchObject({ type: 'mfa_reset', data: { by: 'operator', had_mfa: true } })
        expect(await auth.resetMfa(user.id, { by: 'admin', actorId: '1' })).toBe(false)
        await expect(auth.login('quin', PASSWORD, request)).resolves.toBeDefined()
      })

      it('the sliding login asks for the second factor too', async () => {
        await enrolled('ray')
        await expect(auth.obtainSlidingToken('ray', PASSWORD, request)).rejects.toBeInstanceOf(
          MfaRequiredError,
        )
      })

      it('MFA_REQUIRED_FOR_STAFF refuses staff without a second factor', async () => {
        const strict = makeService(stores, {
          clock: clock.now,
          settings: { MFA_REQUIRED_FOR_STAFF: true },
        }).auth
        const staff = await stores.users.updateUser(
          (await auth.register({ username: 'sam', password: PASSWORD })).id,
          { isStaff: true },
        )
        await expect(strict.requireStaffMfa(staff as UserRecord)).rejects.toBeInstanceOf(
          MfaEnrollmentRequiredError,
        )
        await expect(auth.requireStaffMfa(staff as UserRecord)).resolves.toBeUndefined()
        const { user } = await enrolled('tom')
        const enrolledStaff = await stores.users.updateUser(user.id, { isStaff: true })
        await expect(strict.requireStaffMfa(enrolledStaff as UserRecord)).resolves.toBeUndefined()
      })
    })
  })
}

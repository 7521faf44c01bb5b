import { readFileSync } from 'node:fs'
import {
  type AuditRecord,
  type AuthService,
  MfaRequiredError,
  type PasskeyChallengePurpose,
  PasskeyInvalidError,
  type PasskeyService,
  type Stores,
  type UserRecord,
  ValidationError,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { beforeEach, describe, expect, it } from 'vitest'
import { frozenClock, makeService, request } from '../services/service-fixture.js'
import { FIXTURE_RP, FIXTURES_FILE, recordPasskeyFixtures } from './record-passkey-fixtures.js'

if (process.env.RECORD_PASSKEY_FIXTURES === '1') await recordPasskeyFixtures()

interface Recorded {
  readonly challenge: string
  readonly response: { readonly id: string } & Record<string, unknown>
}
const fixtures = JSON.parse(readFileSync(FIXTURES_FILE, 'utf8')) as {
  registration: Record<
    'alice' | 'bob' | 'wrongOrigin' | 'wrongRpId' | 'withoutUserVerification',
    Recorded
  >
  assertion: Record<
    | 'first'
    | 'second'
    | 'regressed'
    | 'wrongOrigin'
    | 'wrongRpId'
    | 'withoutUserVerification'
    | 'bob',
    Recorded
  >
}

const PASSWORD = 'correct horse battery'

/** The service's passkeys, which these tests configure on. */
function passkeysOf(auth: AuthService): PasskeyService {
  const { passkeys } = auth
  if (passkeys === undefined) throw new Error('passkeys are off')
  return passkeys
}
const RP = {
  rpId: FIXTURE_RP.rpId,
  rpName: 'Tessera tests',
  origins: [FIXTURE_RP.origin],
  userVerification: 'required' as const,
}

describe('passkey ceremonies, replaying recorded answers', () => {
  let stores: Stores
  let clock: ReturnType<typeof frozenClock>
  let auth: AuthService
  let alice: UserRecord
  let bob: UserRecord

  function setUp(userVerification: 'required' | 'preferred' = 'required') {
    stores = createMemoryStores()
    clock = frozenClock()
    ;({ auth } = makeService(stores, { clock: clock.now, passkeys: { ...RP, userVerification } }))
  }

  beforeEach(async () => {
    setUp()
    alice = await auth.register({ username: 'alice', password: PASSWORD })
    bob = await auth.register({ username: 'bob', password: PASSWORD })
    // The handles were recorded for ids 1 and 2.
    expect([alice.id, bob.id]).toEqual(['1', '2'])
  })

  /** Puts a recorded challenge back in the store, as its options call had. */
  const issue = (
    recorded: Recorded,
    purpose: PasskeyChallengePurpose,
    userId: string | null,
    lifetime = 300,
  ) =>
    stores.passkeys.saveChallenge({
      challenge: recorded.challenge,
      purpose,
      userId,
      expiresAt: clock.now() + lifetime,
    })

  async function registered(user = alice, recorded = fixtures.registration.alice) {
    await issue(recorded, 'register', user.id)
    return passkeysOf(auth).register(user, { response: recorded.response, name: 'Laptop' }, request)
  }

  const events = async (type: AuditRecord['type']) =>
    (await stores.audit.listEvents({ limit: 100 })).filter((event) => event.type === type)

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    )

  describe('registration', () => {
    it('stores the attested passkey with its key, counter, transports and flags; audited', async () => {
      const passkey = await registered()
      expect(passkey).toMatchObject({
        id: fixtures.registration.alice.response.id,
        userId: alice.id,
        counter: 0,
        transports: ['internal'],
        name: 'Laptop',
        deviceType: 'multiDevice',
        backedUp: true,
        createdAt: clock.now(),
      })
      expect(await passkeysOf(auth).list(alice.id)).toHaveLength(1)
      expect(await events('passkey_registered')).toMatchObject([
        { userId: alice.id, data: { passkey: passkey.id, name: 'Laptop' } },
      ])
    })

    it('refuses a challenge answered twice', async () => {
      await registered()
      const again = await refusal(registered())
      expect(again).toBeInstanceOf(ValidationError)
    })

    it('refuses a challenge issued to another user', async () => {
      await issue(fixtures.registration.alice, 'register', bob.id)
      const error = await refusal(
        passkeysOf(auth).register(
          alice,
          { response: fixtures.registration.alice.response },
          request,
        ),
      )
      expect(error).toBeInstanceOf(ValidationError)
      expect(await passkeysOf(auth).list(alice.id)).toEqual([])
    })

    it.each([
      ['a wrong origin', 'wrongOrigin', /origin/i],
      ['a wrong RP ID', 'wrongRpId', /RP ID/i],
      ['no user verification while it is required', 'withoutUserVerification', /verif/i],
    ] as const)('refuses %s', async (_, name, reason) => {
      const recorded = fixtures.registration[name]
      await issue(recorded, 'register', alice.id)
      const error = await refusal(
        passkeysOf(auth).register(alice, { response: recorded.response }, request),
      )
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).fields).toEqual({
        response: ['The passkey could not be verified.'],
      })
      expect(await passkeysOf(auth).list(alice.id)).toEqual([])
      const failures = await events('passkey_failed')
      expect(failures).toHaveLength(1)
      expect(failures[0]?.data.reason).toMatch(reason)
    })

    it('refuses an expired challenge (frozen clock, 300 s)', async () => {
      await issue(fixtures.registration.alice, 'register', alice.id)
      clock.advance(300)
      const response = fixtures.registration.alice.response
      expect(await refusal(passkeysOf(auth).register(alice, { response }, request))).toBeInstanceOf(
        ValidationError,
      )
      expect(await passkeysOf(auth).list(alice.id)).toEqual([])
    })

    it('refuses a login challenge answered by a registration', async () => {
      await issue(fixtures.registration.alice, 'login', alice.id)
      const error = await refusal(
        passkeysOf(auth).register(
          alice,
          { response: fixtures.registration.alice.response },
          request,
        ),
      )
      expect(error).toBeInstanceOf(ValidationError)
    })
  })

  describe('login', () => {
    beforeEach(async () => {
      await registered()
      await registered(bob, fixtures.registration.bob)
    })

    const login = async (recorded: Recorded, userId: string | null = null) => {
      await issue(recorded, 'login', userId)
      return passkeysOf(auth).login(recorded.response, request)
    }

    it('signs in without a password: a session, the counter moved, audited', async () => {
      const result = await login(fixtures.assertion.first)
      expect(result.user.id).toBe(alice.id)
      expect(result.method).toBe('passkey')
      expect(result.access.token).toMatch(/^ey/)
      const passkey = await stores.passkeys.findPasskey(fixtures.assertion.first.response.id)
      expect(passkey).toMatchObject({ counter: 1, lastUsedAt: clock.now() })
      expect(await events('login_succeeded')).toMatchObject([
        { userId: alice.id, data: { method: 'passkey', passkey: passkey?.id } },
      ])
    })

    it('accepts the allow-list challenge of the passkey’s user', async () => {
      expect((await login(fixtures.assertion.first, alice.id)).user.id).toBe(alice.id)
    })

    it('refuses another user’s passkey answering a challenge issued for this user', async () => {
      const error = await refusal(login(fixtures.assertion.bob, alice.id))
      expect(error).toBeInstanceOf(PasskeyInvalidError)
      expect(error).toMatchObject({ code: 'passkey_invalid' })
    })

    it('refuses a challenge answered twice', async () => {
      await login(fixtures.assertion.first)
      const replay = await refusal(
        passkeysOf(auth).login(fixtures.assertion.first.response, request),
      )
      expect(replay).toBeInstanceOf(PasskeyInvalidError)
    })

    it('refuses an expired challenge (frozen clock)', async () => {
      await issue(fixtures.assertion.first, 'login', null, 300)
      clock.advance(300)
      const error = await refusal(
        passkeysOf(auth).login(fixtures.assertion.first.response, request),
      )
      expect(error).toBeInstanceOf(PasskeyInvalidError)
      // Refused before any counter moved.
      expect(
        (await stores.passkeys.findPasskey(fixtures.assertion.first.response.id))?.counter,
      ).toBe(0)
    })

    it('refuses a registration challenge answered by a login', async () => {
      await issue(fixtures.assertion.first, 'register', alice.id)
      const error = await refusal(
        passkeysOf(auth).login(fixtures.assertion.first.response, request),
      )
      expect(error).toBeInstanceOf(PasskeyInvalidError)
    })

    it.each([
      ['a wrong origin', 'wrongOrigin', /origin/i],
      ['a wrong RP ID', 'wrongRpId', /RP ID/i],
      ['no user verification while it is required', 'withoutUserVerification', /verif/i],
    ] as const)('refuses %s', async (_, name, reason) => {
      const error = await refusal(login(fixtures.assertion[name]))
      expect(error).toBeInstanceOf(PasskeyInvalidError)
      expect((await events('passkey_failed')).at(0)?.data).toMatchObject({ purpose: 'login' })
      expect((await events('passkey_failed')).at(0)?.data.reason).toMatch(reason)
    })

    it('refuses a counter that did not grow, flags the passkey as cloned, and refuses it after', async () => {
      await login(fixtures.assertion.first)
      await login(fixtures.assertion.second)
      const error = await refusal(login(fixtures.assertion.regressed))
      expect(error).toBeInstanceOf(PasskeyInvalidError)
      const passkey = await stores.passkeys.findPasskey(fixtures.assertion.first.response.id)
      expect(passkey).toMatchObject({ counter: 2, clonedAt: clock.now() })
      expect(await events('passkey_clone_detected')).toMatchObject([
        { userId: alice.id, data: { passkey: passkey?.id, stored: 2, presented: 2 } },
      ])
      // A later, higher counter does not clear the flag.
      const later = await refusal(login(fixtures.assertion.wrongOrigin))
      expect(later).toBeInstanceOf(PasskeyInvalidError)
    })

    it('refuses a deleted passkey', async () => {
      expect(
        await passkeysOf(auth).delete(alice.id, fixtures.assertion.first.response.id, request),
      ).toBe(true)
      expect(await refusal(login(fixtures.assertion.first))).toBeInstanceOf(PasskeyInvalidError)
    })

    it('refuses the passkey of a deactivated user', async () => {
      await stores.users.updateUser(alice.id, { isActive: false })
      expect(await refusal(login(fixtures.assertion.first))).toBeInstanceOf(PasskeyInvalidError)
    })
  })

  describe('as a second factor', () => {
    beforeEach(async () => {
      await registered()
    })

    it('makes a password login ask for it: mfa_required lists passkey', async () => {
      const error = await refusal(auth.login('alice', PASSWORD, request))
      expect(error).toBeInstanceOf(MfaRequiredError)
      expect((error as MfaRequiredError).methods).toEqual(['passkey'])
      const verified = auth.verifyMfaToken((error as MfaRequiredError).mfaToken)
      await issue(fixtures.assertion.first, 'mfa', alice.id)
      const result = await auth.completeMfaLogin(
        verified,
        { passkey: fixtures.assertion.first.response },
        request,
      )
      expect(result).toMatchObject({ method: 'passkey', user: { id: alice.id } })
    })

    it('refuses a passwordless-login challenge in the second step, and another user’s passkey', async () => {
      await registered(bob, fixtures.registration.bob)
      const error = (await refusal(auth.login('alice', PASSWORD, request))) as MfaRequiredError
      const verified = auth.verifyMfaToken(error.mfaToken)
      await issue(fixtures.assertion.first, 'login', null)
      await expect(
        auth.completeMfaLogin(verified, { passkey: fixtures.assertion.first.response }, request),
      ).rejects.toMatchObject({ code: 'mfa_code_invalid' })
      await issue(fixtures.assertion.bob, 'mfa', alice.id)
      await expect(
        auth.completeMfaLogin(verified, { passkey: fixtures.assertion.bob.response }, request),
      ).rejects.toMatchObject({ code: 'mfa_code_invalid' })
    })
  })

  describe('staff', () => {
    it('counts a passkey for MFA_REQUIRED_FOR_STAFF; a staff MFA reset removes the passkeys', async () => {
      await registered()
      const strict = makeService(stores, {
        clock: clock.now,
        passkeys: RP,
        settings: { MFA_REQUIRED_FOR_STAFF: true },
      }).auth
      await expect(strict.requireStaffMfa({ ...alice, isStaff: true })).resolves.toBeUndefined()
      await expect(strict.requireStaffMfa({ ...bob, isStaff: true })).rejects.toMatchObject({
        code: 'mfa_enrollment_required',
      })
      expect(await auth.resetMfa(alice.id, { by: 'admin', actorId: bob.id })).toBe(true)
      expect(await passkeysOf(auth).list(alice.id)).toEqual([])
      expect((await events('mfa_reset'))[0]?.data).toMatchObject({ passkeys_removed: 1 })
      // Without its passkey, the password alone signs in again.
      expect((await auth.login('alice', PASSWORD, request)).user.id).toBe(alice.id)
    })
  })

  describe('with user verification preferred', () => {
    beforeEach(async () => {
      setUp('preferred')
      alice = await auth.register({ username: 'alice', password: PASSWORD })
      await registered()
    })

    it('signs in without verification when the account has no other factor', async () => {
      await issue(fixtures.assertion.withoutUserVerification, 'login', null)
      const result = await passkeysOf(auth).login(
        fixtures.assertion.withoutUserVerification.response,
        request,
      )
      expect(result.user.id).toBe(alice.id)
    })
  })
})

import { writeFile } from 'node:fs/promises'
import { SoftwareAuthenticator } from './software-authenticator.js'

/** The relying party the fixtures were recorded for. */
export const FIXTURE_RP = { rpId: 'localhost', origin: 'http://localhost:8000' } as const

/** Where the recorded ceremonies live. */
export const FIXTURES_FILE = new URL('./fixtures/passkey-ceremonies.json', import.meta.url)

const challenge = (label: string) => Buffer.from(`tessera fixture: ${label}`).toString('base64url')
// User handles (WebAuthn user.id) of the first two users a fresh store creates: ids 1 and 2.
const ALICE = Buffer.from('1').toString('base64url')
const BOB = Buffer.from('2').toString('base64url')

/**
 * Records every ceremony the unit tests replay, once, with the software authenticator: each
 * answer beside the challenge it answers. Run by `RECORD_PASSKEY_FIXTURES=1 npx vitest run
 * packages/core/test/passkeys/passkey-ceremonies.test.ts`; the JSON is committed.
 */
export async function recordPasskeyFixtures(): Promise<void> {
  const alice = new SoftwareAuthenticator(FIXTURE_RP)
  const bob = new SoftwareAuthenticator(FIXTURE_RP)
  const register = (who: SoftwareAuthenticator, label: string, user: string, bend = {}) => {
    const c = challenge(label)
    return { challenge: c, response: who.register({ challenge: c, user: { id: user } }, bend) }
  }
  const assert = (who: SoftwareAuthenticator, label: string, bend = {}) => {
    const c = challenge(label)
    return { challenge: c, response: who.assert({ challenge: c }, undefined, bend) }
  }
  const scratch = new SoftwareAuthenticator(FIXTURE_RP)
  const fixtures = {
    rp: FIXTURE_RP,
    registration: {
      alice: register(alice, 'register alice', ALICE),
      bob: register(bob, 'register bob', BOB),
      wrongOrigin: register(scratch, 'register wrong origin', ALICE, {
        origin: 'https://evil.example',
      }),
      wrongRpId: register(scratch, 'register wrong rp id', ALICE, { rpId: 'evil.example' }),
      withoutUserVerification: register(scratch, 'register without uv', ALICE, {
        userVerified: false,
      }),
    },
    assertion: {
      // Counters 1, 2, then 2 again: the last one is a regression (a clone).
      first: assert(alice, 'login 1'),
      second: assert(alice, 'login 2'),
      regressed: assert(alice, 'login regressed', { counter: 2 }),
      wrongOrigin: assert(alice, 'login wrong origin', { origin: 'https://evil.example' }),
      wrongRpId: assert(alice, 'login wrong rp id', { rpId: 'evil.example' }),
      withoutUserVerification: assert(alice, 'login without uv', { userVerified: false }),
      bob: assert(bob, 'login bob'),
    },
  }
  await writeFile(FIXTURES_FILE, `${JSON.stringify(fixtures, null, 2)}\n`)
}

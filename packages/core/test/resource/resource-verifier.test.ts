import {
  createResourceAuthenticator,
  generateSigningKey,
  importHmacKey,
  KeyRing,
  ResourceVerifier,
  type ResourceVerifyResult,
  RevocationView,
  type SigningKey,
  TokenIssuer,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../jwks/jwks-server.js'
import { ManualBus } from '../revocation/bus-fixture.js'

const NOW = 1_700_000_000
const clock = () => NOW
/** A clock a test moves (the cooldown and the revocation grace count on it). */
function movingClock() {
  let now = NOW
  return { clock: () => now, advance: (seconds: number) => (now += seconds) }
}
const es = generateSigningKey('ES256')
const ed = generateSigningKey('EdDSA')

function issuerFor(key: SigningKey, options: { issuer?: string; audience?: string } = {}) {
  return new TokenIssuer({ keyRing: new KeyRing([key]), clock, ...options })
}
const access = (key: SigningKey, options?: { issuer?: string; audience?: string }) =>
  issuerFor(key, options).issueTokenPair({ id: 42 }).access.token
const jwksOf = (...keys: SigningKey[]) => KeyRing.forVerification(keys).toJwks(NOW)

async function settle(result: ResourceVerifyResult | Promise<ResourceVerifyResult>) {
  return await result
}
function code(result: ResourceVerifyResult): string {
  return result.ok ? 'ok' : result.error.code
}

let server: JwksServer
beforeEach(async () => {
  server = await startJwksServer(jwksOf(es))
})
afterEach(() => server.close())

describe('ResourceVerifier with keys from the issuer JWKS', () => {
  it('fetches <issuer>/.well-known/jwks.json, then verifies synchronously', async () => {
    const verifier = new ResourceVerifier({ issuer: `${server.origin}/auth`, clock })
    await verifier.ready()
    expect(server.paths).toEqual(['/auth/.well-known/jwks.json'])
    const result = verifier.verify(access(es))
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toMatchObject({ ok: true, token: { userId: '42', type: 'access' } })
  })

  it('refuses the mfa token of a login half done, and its authenticator answers 401', async () => {
    const verifier = new ResourceVerifier({ jwksUri: server.url, clock })
    await verifier.ready()
    const mfa = issuerFor(es).issueMfaToken({ id: 1 }).token
    expect(code(await settle(verifier.verify(mfa)))).toBe('token_wrong_type')
    const authenticator = createResourceAuthenticator({ verifier })
    const outcome = await authenticator.authenticate(`Bearer ${mfa}`)
    expect(outcome).toEqual({ status: 'failed', code: 'token_wrong_type' })
  })

  it('refuses refresh tokens by default: a resource server takes access tokens', async () => {
    const verifier = new ResourceVerifier({ jwksUri: server.url, clock })
    await verifier.ready()
    const refresh = issuerFor(es).issueTokenPair({ id: 1 }).refresh.token
    expect(code(await settle(verifier.verify(refresh)))).toBe('token_wrong_type')
    expect(code(await settle(verifier.verify(refresh, undefined)))).toBe('token_wrong_type')
  })

  it('verifies before ready() by waiting for the first fetch', async () => {
    const verifier = new ResourceVerifier({ jwksUri: server.url, clock })
    const result = verifier.verify(access(es))
    expect(result).toBeInstanceOf(Promise)
    expect(code(await result)).toBe('ok')
    expect(server.hits).toBe(1)
  })

  it('picks up a rotated key with one refresh, then stays synchronous', async () => {
    const time = movingClock()
    const verifier = new ResourceVerifier({ jwksUri: server.url, clock: time.clock })
    await verifier.ready()
    server.serve(jwksOf(es, ed))
    // The first fetch started the cooldown (30 s by default).
    time.advance(30)
    const rotated = access(ed)
    const first = verifier.verify(rotated)
    expect(first).toBeInstanceOf(Promise)
    expect(code(await first)).toBe('ok')
    expect(server.hits).toBe(2)
    expect(code(verifier.verify(rotated) as ResourceVerifyResult)).toBe('ok')
    expect(code(verifier.verify(access(es)) as ResourceVerifyResult)).toBe('ok')
  })

  it('answers token_key_unknown for a kid the issuer does not publish', async () => {
    const time = movingClock()
    const verifier = new ResourceVerifier({ jwksUri: server.url, clock: time.clock })
    await verifier.ready()
    expect(code(verifier.verify(access(ed)) as ResourceVerifyResult)).toBe('token_key_unknown')
    expect(server.hits).toBe(1)
    time.advance(30)
    expect(code(await settle(verifier.verify(access(ed))))).toBe('token_key_unknown')
    // Within the cooldown: answered at once, without a promise or a fetch.
    expect(code(verifier.verify(access(ed)) as ResourceVerifyResult)).toBe('token_key_unknown')
    expect(server.hits).toBe(2)
  })

  it('answers 503 while the JWKS has never been fetched, then recovers', async () => {
    server.respond((_request, response) => response.writeHead(503).end())
    let now = NOW
    const verifier = new ResourceVerifier({
      jwksUri: server.url,
      clock: () => now,
      remote: { cooldownSeconds: 5 },
    })
    await expect(verifier.ready()).rejects.toMatchObject({ reason: 'fetch_failed' })
    const down = await settle(verifier.verify(access(es)))
    expect(down.ok).toBe(false)
    if (down.ok) return
    expect(down.error.code).toBe('service_unavailable')
    expect(down.error).toMatchObject({ retryAfterSeconds: 5 })
    server.serve(jwksOf(es))
    now += 5
    expect(code(await settle(verifier.verify(access(es))))).toBe('ok')
  })

  it('checks aud, and iss only when asked', async () => {
    const withIss = access(es, { issuer: 'https://auth.example.com', audience: 'api' })
    const open = new ResourceVerifier({ jwksUri: server.url, audience: 'api', clock })
    expect(code(await settle(open.verify(withIss)))).toBe('ok')
    const pinned = new ResourceVerifier({
      issuer: server.origin,
      expectIssuer: true,
      audience: 'api',
      clock,
    })
    expect(code(await settle(pinned.verify(withIss)))).toBe('token_claim_invalid')
    const named = new ResourceVerifier({
      jwksUri: server.url,
      expectIssuer: 'https://auth.example.com',
      audience: 'api',
      clock,
    })
    expect(code(await settle(named.verify(withIss)))).toBe('ok')
    expect(code(await settle(named.verify(access(es, { audience: 'api' }))))).toBe(
      'token_claim_invalid',
    )
    const noAudience = new ResourceVerifier({ jwksUri: server.url, clock })
    expect(code(await settle(noAudience.verify(withIss)))).toBe('token_claim_invalid')
  })

  it('leaves out JWKS keys outside the algorithms allow-list', async () => {
    server.serve(jwksOf(es, ed))
    const verifier = new ResourceVerifier({ jwksUri: server.url, algorithms: ['EdDSA'], clock })
    await verifier.ready()
    expect(code(await settle(verifier.verify(access(ed))))).toBe('ok')
    expect(code(await settle(verifier.verify(access(es))))).toBe('token_key_unknown')
  })
})

describe('ResourceVerifier with static keys', () => {
  it('verifies HS256 with the shared secret, kid derived as the issuer derives it', () => {
    const secret = 'a-long-random-shared-secret-of-48-bytes-or-more!!'
    const key = importHmacKey(secret, 'HS256')
    const verifier = new ResourceVerifier({ keys: [{ alg: 'HS256', secret }], clock })
    expect(code(verifier.verify(access(key)) as ResourceVerifyResult)).toBe('ok')
  })

  it('verifies with a PEM public key, also kid-less tokens for a single key', () => {
    const pem = es.verifyingKey.export({ format: 'pem', type: 'spki' }).toString()
    const verifier = new ResourceVerifier({ keys: [{ alg: 'ES256', publicKey: pem }], clock })
    expect(code(verifier.verify(access(es)) as ResourceVerifyResult)).toBe('ok')
  })

  it('refuses weak secrets, PEMs as secrets, and keys outside algorithms', () => {
    expect(() => new ResourceVerifier({ keys: [{ alg: 'HS256', secret: 'short' }] })).toThrow(
      /at least 32 bytes/,
    )
    const pem = es.verifyingKey.export({ format: 'pem', type: 'spki' }).toString()
    expect(() => new ResourceVerifier({ keys: [{ alg: 'HS256', secret: pem }] })).toThrow(
      /looks like a PEM/,
    )
    expect(
      () =>
        new ResourceVerifier({ keys: [{ alg: 'ES256', publicKey: pem }], algorithms: ['RS256'] }),
    ).toThrow(/not in algorithms/)
  })

  it('needs exactly one key source', () => {
    expect(() => new ResourceVerifier({} as never)).toThrow(/exactly one/)
    expect(() => new ResourceVerifier({ jwksUri: server.url, keys: [es] } as never)).toThrow(
      /exactly one/,
    )
    expect(() => new ResourceVerifier({ keys: [es], expectIssuer: true })).toThrow(/needs issuer/)
  })
})

describe('ResourceVerifier revocation over the issuer bus', () => {
  it('refuses a revoked jti and fails closed (503) while the bus is down', async () => {
    const bus = new ManualBus()
    const time = movingClock()
    const verifier = new ResourceVerifier({ keys: [es], clock: time.clock, revocation: { bus } })
    await verifier.ready()
    const pair = issuerFor(es).issueTokenPair({ id: 42 })
    expect(code(verifier.verify(pair.access.token) as ResourceVerifyResult)).toBe('ok')
    bus.goDown()
    // Grace 0: refused as soon as any time passed since the bus went down.
    time.advance(1)
    expect(code(verifier.verify(pair.access.token) as ResourceVerifyResult)).toBe(
      'service_unavailable',
    )
    bus.goUp()
    await bus.publish({ kind: 'access', jti: pair.access.jti, userId: '42', expiresAt: NOW + 300 })
    expect(code(verifier.verify(pair.access.token) as ResourceVerifyResult)).toBe('token_revoked')
    await bus.publish({ kind: 'cutoff', userId: '42', notBefore: NOW })
    const other = issuerFor(es).issueTokenPair({ id: 42 }).access.token
    expect(code(verifier.verify(other) as ResourceVerifyResult)).toBe('token_revoked')
  })

  it('with the store: loads revocations made before it started, fails closed until loaded', async () => {
    const stores = createMemoryStores()
    const pair = issuerFor(es).issueTokenPair({ id: 7 })
    await stores.revocations.revokeAccessToken(
      { jti: pair.access.jti, userId: '7', expiresAt: NOW + 300 },
      NOW,
    )
    const bus = new ManualBus()
    const view = new RevocationView({ clock })
    const verifier = new ResourceVerifier({
      keys: [es],
      clock,
      revocation: { bus, store: stores.revocations, view },
    })
    expect(verifier.revocationView).toBe(view)
    await verifier.ready()
    expect(code(verifier.verify(pair.access.token) as ResourceVerifyResult)).toBe('token_revoked')
    const fresh = issuerFor(es).issueTokenPair({ id: 8 }).access.token
    expect(code(verifier.verify(fresh) as ResourceVerifyResult)).toBe('ok')
    verifier.close()
  })
})

describe('ResourceVerifier and key rotation announcements', () => {
  it('refetches the JWKS on a keys event from the bus, within the cooldown rule', async () => {
    const bus = new ManualBus()
    const time = movingClock()
    const verifier = new ResourceVerifier({
      jwksUri: server.url,
      clock: time.clock,
      revocation: { bus },
    })
    await verifier.ready()
    server.serve(jwksOf(es, ed))
    await bus.publish({ kind: 'keys' } as never)
    expect(server.hits).toBe(1)
    time.advance(30)
    await bus.publish({ kind: 'keys' } as never)
    await verifier.remote?.refresh()
    expect(server.hits).toBe(2)
    expect(verifier.verify(access(ed))).toMatchObject({ ok: true })
  })
})

describe('ResourceAuthenticator', () => {
  it('builds a claims user, with staff and permissions only from configured claims', async () => {
    const tokens = new TokenIssuer({
      keyRing: new KeyRing([es]),
      clock,
      customClaims: () => ({ staff: true, perms: ['app.view_thing', 7] }),
    })
    const token = tokens.issueTokenPair({ id: 42 }).access.token
    const plain = createResourceAuthenticator({ keys: [es], clock })
    const plainResult = await plain.authenticate(`Bearer ${token}`)
    expect(plainResult).toMatchObject({
      status: 'authenticated',
      user: { id: '42', isStaff: false, isSuperuser: false },
    })
    if (plainResult.status === 'authenticated') expect(plainResult.user.record).toBeUndefined()
    const configured = createResourceAuthenticator({
      keys: [es],
      clock,
      staffClaim: 'staff',
      permissionsClaim: 'perms',
      authHeaderTypes: ['JWT', 'Bearer'],
    })
    const result = await configured.authenticate(`JWT ${token}`)
    if (result.status !== 'authenticated') return expect.fail(result.status)
    expect(result.user.isStaff).toBe(true)
    expect([...result.user.permissions]).toEqual(['app.view_thing'])
    expect(configured.challengeScheme).toBe('JWT')
    expect(await configured.authenticate('Bearer')).toEqual({
      status: 'failed',
      code: 'bad_authorization_header',
    })
    expect(await configured.authenticate('Basic abc')).toEqual({ status: 'anonymous' })
    expect(await configured.authenticate(undefined)).toEqual({ status: 'anonymous' })
  })
})

import { parseRevocationEvent, RevocationView, serializeRevocationEvent } from '@tessera/core'
import { describe, expect, it } from 'vitest'

describe('revocation bus payloads', () => {
  it('round-trips every kind, dropping unknown members', () => {
    const access = { kind: 'access', jti: 'j', userId: 'u', expiresAt: 10 } as const
    const cutoff = { kind: 'cutoff', userId: 'u', notBefore: 5 } as const
    expect(parseRevocationEvent(serializeRevocationEvent(access))).toEqual(access)
    expect(parseRevocationEvent(serializeRevocationEvent(cutoff))).toEqual(cutoff)
    expect(parseRevocationEvent(JSON.stringify({ ...cutoff, extra: 1 }))).toEqual(cutoff)
    expect(parseRevocationEvent(serializeRevocationEvent({ kind: 'keys' }))).toEqual({
      kind: 'keys',
    })
    // A key-ring notice carries nothing: whatever rides along is dropped, never trusted.
    expect(parseRevocationEvent('{"kind":"keys","kid":"x","jwks":"http://evil"}')).toEqual({
      kind: 'keys',
    })
  })

  it('leaves the revocation view untouched by a key-ring notice', () => {
    const view = new RevocationView()
    view.apply({ kind: 'keys' })
    expect(view.size).toEqual(new RevocationView().size)
  })

  it.each([
    ['not json', 'nope'],
    ['null', 'null'],
    ['unknown kind', '{"kind":"purge","userId":"u"}'],
    ['missing jti', '{"kind":"access","userId":"u","expiresAt":1}'],
    ['string expiry', '{"kind":"access","jti":"j","userId":"u","expiresAt":"1"}'],
    ['empty user', '{"kind":"cutoff","userId":"","notBefore":1}'],
    ['numeric user', '{"kind":"cutoff","userId":7,"notBefore":1}'],
    [
      'oversized jti',
      JSON.stringify({ kind: 'access', jti: 'j'.repeat(257), userId: 'u', expiresAt: 1 }),
    ],
  ])('refuses %s', (_name, payload) => {
    expect(parseRevocationEvent(payload)).toBeUndefined()
  })
})

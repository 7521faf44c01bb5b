import { readFileSync } from 'node:fs'
import { PasswordHasher } from '@tessera/core'
import { describe, expect, it } from 'vitest'

interface Vector {
  hasher: string
  password: string
  encoded: string
  django: string
}

// Read while collecting: a missing or unreadable fixture fails the suite, it never skips.
const fixture = new URL('../fixtures/django-password-hashes.json', import.meta.url)
const { vectors } = JSON.parse(readFileSync(fixture, 'utf8')) as { vectors: Vector[] }
const usable = vectors.filter((vector) => vector.hasher !== 'unusable')
const unusable = vectors.filter((vector) => vector.hasher === 'unusable')

const small = { memoryCost: 1024, timeCost: 1, parallelism: 1 }

describe('Django password hash vectors', () => {
  const hasher = new PasswordHasher({ argon2: small, maxQueue: 100 })

  it('covers every Django format Tessera reads', () => {
    const formats = new Set(vectors.map((vector) => vector.hasher))
    for (const format of ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'bcrypt']) {
      expect(formats).toContain(format)
    }
    expect(formats).toContain('scrypt')
    expect(unusable.length).toBeGreaterThan(0)
  })

  it.each(usable)('$hasher verifies "$password" and asks for a rehash', async (vector) => {
    expect(await hasher.verify(vector.password, vector.encoded)).toEqual({
      ok: true,
      needsRehash: true,
    })
  })

  it.each(usable)('$hasher refuses "$password" plus one character', async (vector) => {
    expect(await hasher.verify(`${vector.password}x`, vector.encoded)).toEqual({
      ok: false,
      needsRehash: false,
    })
  })

  it.each(usable)('$hasher "$password" rehashes to current argon2id', async (vector) => {
    expect((await hasher.verify(vector.password, vector.encoded)).needsRehash).toBe(true)
    const rehashed = await hasher.hash(vector.password)
    expect(rehashed).toMatch(
      /^argon2\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
    )
    expect(await hasher.verify(vector.password, rehashed)).toEqual({ ok: true, needsRehash: false })
  })

  it.each(unusable)('an unusable password never verifies', async (vector) => {
    expect(await hasher.verify(vector.password, vector.encoded)).toEqual({
      ok: false,
      needsRehash: false,
    })
  })
})

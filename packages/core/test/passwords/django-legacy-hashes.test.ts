import { PasswordHasher } from '@tessera/core'
import { describe, expect, it } from 'vitest'

// Django's legacy digest hashers, which Django 3.2 still reads (and upgrades at login). The
// expected values are Django's own test vectors (tests/auth_tests/test_hashers.py), for
// make_password('lètmein', 'seasalt', <hasher>).
const PASSWORD = 'lètmein'
const VECTORS = [
  ['sha1', 'sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8'],
  ['md5', 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3'],
  ['unsalted_sha1', 'sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b'],
  ['unsalted_md5', '88a434c88cca4e900f7874cd98123f43'],
  ['unsalted_md5 (md5$$ form)', 'md5$$88a434c88cca4e900f7874cd98123f43'],
] as const

describe("Django's legacy digest hashers", () => {
  const hasher = new PasswordHasher({
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
  })

  it.each(VECTORS)('%s verifies and asks to be upgraded', async (_name, encoded) => {
    expect(await hasher.verify(PASSWORD, encoded)).toEqual({ ok: true, needsRehash: true })
    expect(await hasher.verify(`${PASSWORD}x`, encoded)).toEqual({ ok: false, needsRehash: false })
    expect(await hasher.verify(PASSWORD.normalize('NFD'), encoded)).toMatchObject({ ok: false })
  })

  it('refuses malformed digests instead of guessing', async () => {
    for (const encoded of [
      'sha1$seasalt$CFF36EA83F5706CE9AA7454E63E431FC726B2DC8',
      'sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc',
      'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3$extra',
      '88A434C88CCA4E900F7874CD98123F43',
    ]) {
      expect(await hasher.verify(PASSWORD, encoded)).toEqual({ ok: false, needsRehash: false })
    }
  })
})

describe('a legacy digest login', () => {
  it('also pays the dummy argon2id hash, so it takes as long as any other login', async () => {
    const ran: string[] = []
    const hasher = new PasswordHasher({
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
      onVerify: (format) => ran.push(format),
    })
    await hasher.verify(PASSWORD, 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3')
    expect(ran).toEqual(['md5', 'dummy'])
  })
})

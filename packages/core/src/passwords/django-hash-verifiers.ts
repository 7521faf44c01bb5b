import { createHash, type ScryptOptions, timingSafeEqual } from 'node:crypto'
import type { DigestHash, DjangoHash, Pbkdf2Hash, ScryptHash } from './django-hash-format.js'
import type { HashThreads } from './hash-threads.js'

/**
 * Computes one hash of `password` with the parameters stored in `hash` and compares it with the
 * stored value in constant time. Every algorithm runs on the hashing threads, never on the event
 * loop nor at the event loop's priority.
 */
export function verifyDjangoHash(
  threads: HashThreads,
  password: string,
  hash: DjangoHash,
): Promise<boolean> {
  switch (hash.format) {
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1':
      return verifyPbkdf2(threads, password, hash)
    case 'argon2id':
    case 'argon2i':
      return threads.argon2Verify(hash.phc, password)
    case 'bcrypt':
      return threads.bcryptVerify(password, hash.crypt)
    case 'bcrypt_sha256':
      // Django hashes the hex SHA-256 first so passwords past bcrypt's 72-byte cut still count.
      return threads.bcryptVerify(createHash('sha256').update(password).digest('hex'), hash.crypt)
    case 'scrypt':
      return verifyScrypt(threads, password, hash)
    case 'sha1':
    case 'md5':
    case 'unsalted_sha1':
    case 'unsalted_md5':
      return Promise.resolve(verifyDigest(password, hash))
  }
}

/**
 * Django's legacy digests: `digest(salt + password)` in hex. One digest costs microseconds, so
 * it runs here; the login still pays a full argon2id hash when it upgrades the stored value.
 */
function verifyDigest(password: string, hash: DigestHash): boolean {
  const computed = createHash(hash.digest)
    .update(hash.salt + password)
    .digest()
  const stored = Buffer.from(hash.hex, 'hex')
  return computed.length === stored.length && timingSafeEqual(computed, stored)
}

async function verifyPbkdf2(
  threads: HashThreads,
  password: string,
  hash: Pbkdf2Hash,
): Promise<boolean> {
  const key = await threads.pbkdf2(
    password,
    hash.salt,
    hash.iterations,
    hash.keyLength,
    hash.digest,
  )
  return equalText(key, hash.key)
}

async function verifyScrypt(
  threads: HashThreads,
  password: string,
  hash: ScryptHash,
): Promise<boolean> {
  const options: ScryptOptions = {
    N: hash.n,
    r: hash.r,
    p: hash.p,
    // Node refuses more than 32 MiB by default; the parser already capped N * r.
    maxmem: 128 * (hash.n + hash.p + 2) * hash.r + 1024 * 1024,
  }
  return equalText(await threads.scrypt(password, hash.salt, 64, options), hash.key)
}

/**
 * Constant-time comparison of two encodings. Like Django, compare the canonical re-encoding with
 * what is stored, so a non-canonical base64 spelling never verifies.
 */
function equalText(computed: string, stored: string): boolean {
  const a = Buffer.from(computed)
  const b = Buffer.from(stored)
  // Lengths are fixed by the format and public, so this early return leaks nothing.
  return a.length === b.length && timingSafeEqual(a, b)
}

import { parseOptions as parseArgon2Options } from '@node-rs/argon2'

/**
 * Largest work parameters Tessera will run when they are read from a stored hash. A hash is data:
 * a tampered or corrupt row must not make one login burn seconds of CPU or gigabytes of memory.
 * Django's own defaults sit far below each (pbkdf2 1.2M iterations, argon2 m=100 MiB, t=2, p=8,
 * bcrypt cost 12, scrypt N=2^14, r=8, p=1).
 */
export const HASH_PARAMETER_LIMITS = {
  pbkdf2Iterations: 10_000_000,
  /** KiB, so 1 GiB. */
  argon2MemoryCost: 1_048_576,
  argon2TimeCost: 16,
  argon2Parallelism: 64,
  bcryptCost: 16,
  scryptN: 2 ** 20,
  scryptR: 32,
  scryptP: 16,
  /** Bytes: scrypt needs about 128 * N * r. */
  scryptMemory: 2 ** 30,
} as const

/** A stored Django pbkdf2 hash: `pbkdf2_sha256$<iterations>$<salt>$<base64 key>`. */
export interface Pbkdf2Hash {
  readonly format: 'pbkdf2_sha256' | 'pbkdf2_sha1'
  readonly digest: 'sha256' | 'sha1'
  readonly keyLength: number
  readonly iterations: number
  readonly salt: string
  readonly key: string
}

/** A stored Django argon2 hash: `argon2` followed by the PHC string argon2 libraries read. */
export interface Argon2Hash {
  readonly format: 'argon2id' | 'argon2i'
  readonly phc: string
  /** 0x13 (19) or 0x10 (16, old hashes written without `v=`). */
  readonly version: number
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
}

/** A stored Django bcrypt hash: `bcrypt$<modular crypt>` or `bcrypt_sha256$<modular crypt>`. */
export interface BcryptHash {
  readonly format: 'bcrypt' | 'bcrypt_sha256'
  readonly crypt: string
}

/** A stored Django (4.0+) scrypt hash: `scrypt$<N>$<salt>$<r>$<p>$<base64 64-byte key>`. */
export interface ScryptHash {
  readonly format: 'scrypt'
  readonly n: number
  readonly r: number
  readonly p: number
  readonly salt: string
  readonly key: string
}

/**
 * A stored hash of Django's legacy digest hashers, which Django still reads and upgrades:
 * `sha1$<salt>$<hex>` and `md5$<salt>$<hex>` (salted), `sha1$$<hex>`, `md5$$<hex>` and a bare
 * 32-digit hex (unsalted).
 */
export interface DigestHash {
  readonly format: 'sha1' | 'md5' | 'unsalted_sha1' | 'unsalted_md5'
  readonly digest: 'sha1' | 'md5'
  readonly salt: string
  readonly hex: string
}

/** A stored password hash in one of the Django encodings Tessera verifies. */
export type DjangoHash = Pbkdf2Hash | Argon2Hash | BcryptHash | ScryptHash | DigestHash

/** Names of the hash formats Tessera verifies. */
export type DjangoHashFormat = DjangoHash['format']

// No real hash is this long; refusing early keeps the parsing below cheap on garbage.
const MAX_ENCODED_LENGTH = 512

// Canonical decimal only: Django re-encodes the hash with int(value) and compares the whole
// string, so `0260000` never verifies there and must not here either.
const DECIMAL = /^[1-9][0-9]{0,9}$/
// Salts are Django's `$`-free ASCII; keys are standard padded base64 as Django writes them.
const SALT = /^[!-#%-~]{1,128}$/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const BCRYPT_CRYPT = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/
const ARGON2_PHC =
  /^\$(argon2id|argon2i)\$(?:v=(16|19)\$)?m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/

/**
 * Reads a stored Django password hash. Returns `undefined` for anything Tessera will not compute:
 * unusable (`!`-prefixed) and empty values, unknown algorithms, malformed encodings and work
 * parameters past {@link HASH_PARAMETER_LIMITS}. The caller runs a dummy verify for those, so
 * every outcome costs one hash.
 */
export function parseDjangoHash(encoded: string): DjangoHash | undefined {
  if (encoded.length === 0 || encoded.length > MAX_ENCODED_LENGTH) return undefined
  // UnsaltedMD5PasswordHasher's oldest form: the bare hex digest.
  if (/^[0-9a-f]{32}$/.test(encoded)) {
    return { format: 'unsalted_md5', digest: 'md5', salt: '', hex: encoded }
  }
  const separator = encoded.indexOf('$')
  if (separator < 1) return undefined
  const algorithm = encoded.slice(0, separator)
  const rest = encoded.slice(separator + 1)
  switch (algorithm) {
    case 'pbkdf2_sha256':
      return parsePbkdf2(rest, 'pbkdf2_sha256', 'sha256', 32)
    case 'pbkdf2_sha1':
      return parsePbkdf2(rest, 'pbkdf2_sha1', 'sha1', 20)
    case 'argon2':
      return parseArgon2(`$${rest}`)
    case 'bcrypt':
    case 'bcrypt_sha256':
      return parseBcrypt(rest, algorithm)
    case 'scrypt':
      return parseScrypt(rest)
    case 'sha1':
    case 'md5':
      return parseDigest(rest, algorithm)
    default:
      return undefined
  }
}

function parseDigest(rest: string, digest: 'sha1' | 'md5'): DigestHash | undefined {
  const [salt, hex, extra] = rest.split('$')
  const hexLength = digest === 'sha1' ? 40 : 32
  if (salt === undefined || hex === undefined || extra !== undefined) return undefined
  if (!new RegExp(`^[0-9a-f]{${hexLength}}$`).test(hex)) return undefined
  if (salt === '') return { format: `unsalted_${digest}`, digest, salt, hex }
  return SALT.test(salt) ? { format: digest, digest, salt, hex } : undefined
}

function parseDecimal(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined
  const value = Number(text)
  return value <= max ? value : undefined
}

/** Whether `key` is what Django writes for a key of `length` bytes (so it can ever match). */
function isBase64Key(key: string | undefined, length: number): key is string {
  return key !== undefined && BASE64.test(key) && key.length === Math.ceil(length / 3) * 4
}

function parsePbkdf2(
  rest: string,
  format: Pbkdf2Hash['format'],
  digest: Pbkdf2Hash['digest'],
  keyLength: number,
): Pbkdf2Hash | undefined {
  const [iterationsText, salt, key, ...extra] = rest.split('$')
  const iterations = parseDecimal(iterationsText, HASH_PARAMETER_LIMITS.pbkdf2Iterations)
  if (iterations === undefined || extra.length > 0) return undefined
  if (salt === undefined || !SALT.test(salt) || !isBase64Key(key, keyLength)) return undefined
  return { format, digest, keyLength, iterations, salt, key }
}

function parseArgon2(phc: string): Argon2Hash | undefined {
  const match = ARGON2_PHC.exec(phc)
  if (match === null) return undefined
  const [, variant, versionText, mText, tText, pText] = match
  const limits = HASH_PARAMETER_LIMITS
  const memoryCost = parseDecimal(mText, limits.argon2MemoryCost)
  const timeCost = parseDecimal(tText, limits.argon2TimeCost)
  const parallelism = parseDecimal(pText, limits.argon2Parallelism)
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) {
    return undefined
  }
  if (memoryCost < 8 * parallelism) return undefined
  try {
    // The library's own parser decides salt and output lengths and the base64; anything it
    // rejects would make verify throw before hashing, a cheaper and so distinguishable path.
    parseArgon2Options(phc)
  } catch {
    return undefined
  }
  return {
    format: variant === 'argon2id' ? 'argon2id' : 'argon2i',
    phc,
    version: versionText === '19' ? 19 : 16,
    memoryCost,
    timeCost,
    parallelism,
  }
}

function parseBcrypt(rest: string, format: BcryptHash['format']): BcryptHash | undefined {
  // Django writes `bcrypt$` + the whole modular-crypt string, which itself starts with `$`.
  const match = BCRYPT_CRYPT.exec(rest)
  const cost = Number(match?.[1])
  if (match === null || cost < 4 || cost > HASH_PARAMETER_LIMITS.bcryptCost) return undefined
  return { format, crypt: rest }
}

function parseScrypt(rest: string): ScryptHash | undefined {
  const [nText, salt, rText, pText, key, ...extra] = rest.split('$')
  const limits = HASH_PARAMETER_LIMITS
  const n = parseDecimal(nText, limits.scryptN)
  const r = parseDecimal(rText, limits.scryptR)
  const p = parseDecimal(pText, limits.scryptP)
  if (n === undefined || r === undefined || p === undefined || extra.length > 0) return undefined
  // N must be a power of two above 1 (RFC 7914 section 2).
  if (n < 2 || (n & (n - 1)) !== 0 || 128 * n * r > limits.scryptMemory) return undefined
  if (salt === undefined || !SALT.test(salt) || !isBase64Key(key, 64)) return undefined
  return { format: 'scrypt', n, r, p, salt, key }
}

import { existsSync } from 'node:fs'
import {
  createTokenEngine,
  createTokenVerifier,
  isHmacAlgorithm,
  KeyRing,
  type TokenError,
  type TokenVerifier,
  type VerifyResult,
} from '@tessera/core'
import { keyManagerFor } from '../../keys/server-key-ring.js'
import { readDevelopmentKey } from '../../settings/development-key.js'
import { databaseLocation } from '../../settings/load-server-config.js'
import type { ServerSettings } from '../../settings/server-settings.js'
import { describeDatabase, openStores } from '../../stores/open-stores.js'

// Failures the verifier reports before (or instead of) checking the signature.
const SIGNATURE_FAILURES = new Set([
  'token_malformed',
  'token_header_forbidden',
  'token_key_unknown',
  'token_algorithm_mismatch',
  'token_signature_invalid',
])

/**
 * The exit status of `tessera token decode` for each outcome, so that scripts can branch on it
 * (documented in its `--help` and the README). 1 and 2 keep their meaning for every command:
 * a failure (settings, a store) and bad arguments.
 */
export const DECODE_STATUS = {
  /** The signature and the claims are valid (revocation is not checked). */
  verified: 0,
  /** Not a JWT, or the signature does not verify: unknown key, wrong signature, bad header. */
  notVerified: 3,
  /** The signature verifies, the claims do not: expired, not yet valid, iss/aud, a claim missing. */
  claimsInvalid: 4,
  /** No key to check it with, or the key ring could not be read: nothing was verified. */
  unverified: 5,
} as const

/** The last line of `tessera token decode` and the exit status it stands for. */
export interface Verification {
  readonly line: string
  readonly status: (typeof DECODE_STATUS)[keyof typeof DECODE_STATUS]
}

/** A verifier and where its keys came from, or the UNVERIFIED line saying why there is none. */
type Verifying = { readonly verifier: TokenVerifier; readonly source: string } | string

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : 'unusable key'
}

/** The configured key, or the development key (only if it exists: decoding never creates one). */
function configuredKey(settings: ServerSettings): Verifying {
  let verifying = { settings, source: 'TESSERA_SIGNING_KEY' }
  if (settings.SIGNING_KEY === undefined) {
    const key = settings.ENV === 'production' ? undefined : readDevelopmentKey(settings.DATA_DIR)
    if (key === undefined) {
      return 'UNVERIFIED: no signing key is configured (TESSERA_SIGNING_KEY), the signature was not checked'
    }
    verifying = {
      settings: { ...settings, SIGNING_KEY: key },
      source: `the development key in ${settings.DATA_DIR}`,
    }
  }
  try {
    return { verifier: createTokenEngine(verifying.settings).verifier, source: verifying.source }
  } catch (error) {
    return `UNVERIFIED: the configured key cannot be used (${reasonOf(error)})`
  }
}

/**
 * The public keys of the key ring in the store (RS256/ES256/EdDSA without SIGNING_KEY), as a
 * server would verify with them: no private key is read, so no KEK is needed. A SQLite file
 * that does not exist is not created.
 */
async function storedKeyRing(settings: ServerSettings, cwd: string): Promise<Verifying> {
  const database = databaseLocation(settings, cwd)
  const where = describeDatabase(database)
  if (database.kind === 'sqlite' && !existsSync(database.path)) {
    return `UNVERIFIED: no key ring yet (${where} does not exist), the signature was not checked`
  }
  try {
    const stores = await openStores(database)
    try {
      const keys = (await keyManagerFor(stores, settings)?.loadVerifyingKeys()) ?? []
      if (keys.length === 0) {
        return `UNVERIFIED: the key ring in ${where} has no keys, the signature was not checked`
      }
      // As the server's ring: the current key also verifies tokens without a kid.
      const current = keys.find((key) => key.status === 'current')
      const keyRing = KeyRing.forVerification(keys, current && { defaultKid: current.kid })
      return {
        verifier: createTokenVerifier(settings, { keyRing }),
        source: `the key ring in ${where}`,
      }
    } finally {
      await stores.close()
    }
  } catch (error) {
    return `UNVERIFIED: the key ring in ${where} could not be read (${reasonOf(error)})`
  }
}

/** The last line of `tessera token decode`: whether the token verifies, and with which keys. */
export async function verification(
  token: string,
  settings: ServerSettings,
  cwd: string,
): Promise<Verification> {
  const inStore = settings.SIGNING_KEY === undefined && !isHmacAlgorithm(settings.ALGORITHM)
  const verifying = inStore ? await storedKeyRing(settings, cwd) : configuredKey(settings)
  if (typeof verifying === 'string') return { line: verifying, status: DECODE_STATUS.unverified }
  const result: VerifyResult = verifying.verifier.verify(token)
  if (result.ok) {
    return {
      line: `VERIFIED: signature and claims are valid for ${verifying.source} (revocation not checked)`,
      status: DECODE_STATUS.verified,
    }
  }
  const { code, message } = result.error as TokenError
  if (SIGNATURE_FAILURES.has(code)) {
    return {
      line: `NOT VERIFIED: ${message} (${code}) with ${verifying.source}`,
      status: DECODE_STATUS.notVerified,
    }
  }
  return {
    line: `SIGNATURE VERIFIED with ${verifying.source}, but the token is not valid: ${message} (${code})`,
    status: DECODE_STATUS.claimsInvalid,
  }
}

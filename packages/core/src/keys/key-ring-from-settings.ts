import type { JsonWebKey } from 'node:crypto'
import { KeyError } from '../errors/config-errors.js'
import type { TesseraSettings } from '../settings/settings.js'
import { type Algorithm, HMAC_DIGESTS, isHmacAlgorithm } from './algorithms.js'
import { importAsymmetricKey, importHmacKey } from './import-key.js'
import { KeyRing } from './key-ring.js'

/** Options of {@link keyRingFromSettings}. */
export interface KeyRingFromSettingsOptions {
  /**
   * Accept an HMAC `SIGNING_KEY` shorter than the hash output. Honoured only when `ENV` is
   * `development` or `test`, never in production: the explicit opt-in of local tooling.
   */
  allowWeakKey?: boolean
}

/**
 * The key ring described by `ALGORITHM`, `SIGNING_KEY` and `VERIFYING_KEY`: an HMAC secret, or a
 * PEM/JWK key pair (a public `VERIFYING_KEY` alone makes a verify-only ring impossible to sign
 * with, so it is refused here; resource servers build their ring from JWKS instead). The one
 * key is current and is the default key for kid-less tokens, so tokens minted by a simplejwt
 * backend with the same `SIGNING_KEY` verify.
 */
export function keyRingFromSettings(
  settings: Pick<TesseraSettings, 'ALGORITHM' | 'SIGNING_KEY' | 'VERIFYING_KEY' | 'ENV'>,
  options: KeyRingFromSettingsOptions = {},
): KeyRing {
  const { ALGORITHM: alg, SIGNING_KEY: signing, VERIFYING_KEY: verifying } = settings
  if (signing === undefined) throw new KeyError(missingKeyMessage(alg))
  if (isHmacAlgorithm(alg)) {
    if (verifying !== undefined) {
      throw new KeyError(`VERIFYING_KEY must be unset for ${alg}: one secret signs and verifies`)
    }
    const allowWeakKey = options.allowWeakKey === true && settings.ENV !== 'production'
    return new KeyRing([importHmacKey(signing, alg, { allowWeakKey })])
  }
  const key = importAsymmetricKey(alg, {
    privateKey: parseKeyText(signing, 'SIGNING_KEY'),
    ...(verifying === undefined ? {} : { publicKey: parseKeyText(verifying, 'VERIFYING_KEY') }),
  })
  return new KeyRing([key])
}

// A library has no development key (`tessera serve` makes one): say what to set, and how to
// make a secret, in the one line an uncaught error prints above its stack.
function missingKeyMessage(alg: Algorithm): string {
  const fix = 'set TESSERA_SIGNING_KEY (or SIGNING_KEY in the code overrides) to'
  if (!isHmacAlgorithm(alg))
    return `SIGNING_KEY is required for ${alg}: ${fix} a PEM or JWK private key`
  return (
    `SIGNING_KEY is required for ${alg}: ${fix} a random secret of at least ` +
    `${HMAC_DIGESTS[alg].bytes} bytes, e.g. the output of ` +
    `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`
  )
}

function parseKeyText(text: string, setting: string): string | JsonWebKey {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return trimmed
  try {
    return JSON.parse(trimmed) as JsonWebKey
  } catch {
    throw new KeyError(`${setting} is neither PEM nor a JSON Web Key`)
  }
}

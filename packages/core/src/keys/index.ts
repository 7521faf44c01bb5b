export {
  ALGORITHMS,
  type Algorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  isAlgorithm,
  isHmacAlgorithm,
} from './algorithms.js'
export {
  type AsymmetricKeyOptions,
  generateSigningKey,
  type HmacKeyOptions,
  importAsymmetricKey,
  importHmacKey,
  type KeyOptions,
  thumbprint,
} from './import-key.js'
export { KeyRing, type KeyRingOptions, type PublicJwk } from './key-ring.js'
export { type KeyRingFromSettingsOptions, keyRingFromSettings } from './key-ring-from-settings.js'
export type { KeyStatus, SigningKey } from './signing-key.js'

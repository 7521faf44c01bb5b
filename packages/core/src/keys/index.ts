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
export {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  KeyDecryptionError,
  type KeyEncryptionFailure,
  KeyEncryptionKey,
} from './key-encryption.js'
export {
  KeyManager,
  type KeyManagerOptions,
  type KeySummary,
  type RotateIfDueOptions,
  type RotationResult,
} from './key-manager.js'
export {
  KeyRing,
  type KeyRingOptions,
  type PublicJwk,
  type VerificationRingOptions,
} from './key-ring.js'
export { type KeyRingFromSettingsOptions, keyRingFromSettings } from './key-ring-from-settings.js'
export type { KeyStatus, SigningKey } from './signing-key.js'

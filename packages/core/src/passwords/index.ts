export { defaultCommonPasswords } from './common-passwords.js'
export type { DjangoHashFormat } from './django-hash-format.js'
export { PasswordHasherBusyError, PasswordTooLongError } from './password-errors.js'
export {
  type Argon2Options,
  PasswordHasher,
  type PasswordHasherOptions,
  type PasswordVerifyFormat,
  type PasswordVerifyResult,
} from './password-hasher.js'
export { MAX_PASSWORD_BYTES } from './password-limits.js'
export {
  type PasswordProblem,
  type PasswordProblemCode,
  type PasswordUserAttributes,
  type PasswordValidationOptions,
  validatePassword,
} from './password-validators.js'

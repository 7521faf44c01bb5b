export {
  EMAIL_INVALID_MESSAGE,
  emailKey,
  emailProblem,
  MAX_EMAIL_LENGTH,
  normalizeEmail,
} from './email.js'
export { hasModulePerms, hasPerm, hasPerms, type PermissionSubject } from './permissions.js'
export {
  defineProfileFields,
  type ProfileFieldSpec,
  type ProfileFields,
  type ProfileFieldType,
} from './profile-fields.js'
export {
  MAX_USERNAME_LENGTH,
  normalizeUsername,
  USERNAME_MESSAGES,
  usernameKey,
  usernameProblem,
} from './username.js'

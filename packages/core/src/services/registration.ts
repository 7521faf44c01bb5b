import { type FieldErrors, ValidationError } from '../errors/request-errors.js'
import type { AccountMailOptions } from '../mail/account-mail-options.js'
import { validatePassword } from '../passwords/password-validators.js'
import { EmailTakenError, UsernameTakenError, type UserRecord } from '../stores/user-store.js'
import { passwordFieldProblems } from '../users/char-field.js'
import { emailProblems, normalizeEmail } from '../users/email.js'
import { nameProblems } from '../users/name-fields.js'
import {
  normalizeUsername,
  USERNAME_MESSAGES,
  usernameKey,
  usernameProblems,
} from '../users/username.js'
import { DJOSER_MESSAGES, requiredTextProblems } from './account-links.js'
import { sendAccountMail } from './account-mail.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/** DRF's unique message for Django's `email` field (a ModelSerializer's UniqueValidator). */
export const EMAIL_TAKEN_MESSAGE = 'user with this email address already exists.'

/** What registration reads: Django's fields plus declared profile fields, as top-level members. */
export type RegisterInput = Readonly<Record<string, unknown>>

/**
 * Registers a user: Django's username and email rules, the password validators, declared profile
 * fields, uniqueness on the canonical username key. Throws {@link ValidationError} with DRF field
 * errors (only the bad keys).
 */
export async function register(
  context: ServiceContext,
  input: RegisterInput,
  request?: RequestContext,
  options: { readonly retype?: boolean } = {},
): Promise<UserRecord> {
  const errors: FieldErrors = {}
  const username = input.username
  const usernameMessages = usernameProblems(username)
  if (usernameMessages.length > 0) errors.username = usernameMessages
  const emailMessages = emailProblems(input.email)
  if (emailMessages.length > 0) errors.email = emailMessages
  // With LOGIN_FIELD=email the address is the login: required, as Django's USERNAME_FIELD.
  const uniqueEmail = context.loginField === 'email'
  if (uniqueEmail && emailMessages.length === 0) {
    const missing = requiredTextProblems(input.email)
    if (missing.length > 0) errors.email = missing
  }
  const firstName = stringField(input, 'first_name', errors)
  const lastName = stringField(input, 'last_name', errors)
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : ''
  const password = input.password
  const passwordMessages = passwordFieldProblems(password)
  if (passwordMessages.length > 0) errors.password = passwordMessages
  else {
    const attributes = {
      username: typeof username === 'string' ? username : '',
      email,
      first_name: firstName,
      last_name: lastName,
    }
    const problems = validatePassword(password as string, attributes, context.passwordValidation)
    if (problems.length > 0) errors.password = problems.map((problem) => problem.message)
  }
  if (options.retype === true) {
    const again = passwordFieldProblems(input.re_password)
    if (again.length > 0) errors.re_password = again
  }
  const profile = context.profileFields?.validate(input) ?? { values: {}, errors: {} }
  Object.assign(errors, profile.errors)
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  // djoser's UserCreatePasswordRetypeSerializer: after the validators, before the user exists.
  if (options.retype === true && input.password !== input.re_password) {
    throw new ValidationError({ non_field_errors: [DJOSER_MESSAGES.passwordMismatch] })
  }
  const activation = context.mail?.sendActivationEmail === true

  const name = normalizeUsername(username as string)
  const key = usernameKey(name)
  if ((await context.stores.users.findUserByUsernameKey(key)) !== undefined) {
    throw new ValidationError({ username: [USERNAME_MESSAGES.taken] })
  }
  if (uniqueEmail && (await context.stores.users.findUsersByEmail(email)).length > 0) {
    throw new ValidationError({ email: [EMAIL_TAKEN_MESSAGE] })
  }
  const encoded = await context.hasher.hash(password as string)
  try {
    const user = await context.stores.users.createUser(
      {
        username: name,
        usernameKey: key,
        email,
        firstName,
        lastName,
        password: encoded,
        // With activation, the account waits for the link of its activation mail.
        isActive: !activation,
        isStaff: false,
        isSuperuser: false,
        lastLogin: null,
        dateJoined: context.clock(),
        profile: profile.values,
      },
      { uniqueEmail },
    )
    await audit(context, {
      type: 'user_registered',
      userId: user.id,
      ip: request?.ip ?? null,
      data: {},
    })
    if (activation) {
      await sendAccountMail(context, 'activation', user, {
        link: { purpose: 'activation', url: (context.mail as AccountMailOptions).urls.activation },
      })
    } else if (context.mail?.sendConfirmationEmail === true) {
      await sendAccountMail(context, 'confirmation', user)
    }
    return user
  } catch (error) {
    // Lost a race with a concurrent registration of a look-alike name: the unique index decided.
    if (error instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_MESSAGES.taken] })
    if (error instanceof EmailTakenError)
      throw new ValidationError({ email: [EMAIL_TAKEN_MESSAGE] })
    throw error
  }
}

function stringField(input: RegisterInput, name: string, errors: FieldErrors): string {
  const value = input[name]
  if (value === undefined || value === null) return ''
  const messages = nameProblems(value)
  if (messages.length === 0) return value as string
  errors[name] = messages
  return ''
}

import { type PasswordUserAttributes, validatePassword } from '@tessera/core'
import { CHAR_FIELD_MESSAGES, passwordFieldProblems } from '@tessera/core/char-field'
import type { CliOutput } from './cli-io.js'
import type { Prompter } from './prompter.js'

/** Options of {@link askNewPassword}. */
export interface AskNewPasswordOptions {
  /** The user the password must not resemble. */
  readonly user: PasswordUserAttributes
  /** Offer Django's "Bypass password validation?" when validators object (createsuperuser). */
  readonly allowBypass: boolean
  /** Give up after this many failed attempts; default unlimited. */
  readonly maxAttempts?: number
  /** Where messages go (stderr). */
  readonly messages: CliOutput
}

/**
 * The rule of every password field (core's `passwordFieldProblems`: empty or whitespace-only is
 * blank, U+0000 and lone surrogates are refused, nothing is trimmed), in the words of Django's
 * commands: a password the CLI sets always logs in over HTTP exactly as typed.
 */
function fieldProblems(password: string): string[] {
  return passwordFieldProblems(password).map((message) =>
    message === CHAR_FIELD_MESSAGES.blank ? "Blank passwords aren't allowed." : message,
  )
}

/**
 * Asks for a new password twice, hidden, as Django's management commands do: blank passwords
 * and mismatches are refused, validators' messages shown; resolves to undefined after
 * `maxAttempts` failures.
 */
export async function askNewPassword(
  prompter: Prompter,
  options: AskNewPasswordOptions,
): Promise<string | undefined> {
  const { messages } = options
  for (let attempt = 1; attempt <= (options.maxAttempts ?? Number.POSITIVE_INFINITY); attempt++) {
    const password = await prompter.askHidden('Password: ')
    const again = await prompter.askHidden('Password (again): ')
    if (password !== again) {
      messages.write("Error: Your passwords didn't match.\n")
      continue
    }
    const refused = fieldProblems(password)
    if (refused.length > 0) {
      for (const problem of refused) messages.write(`Error: ${problem}\n`)
      continue
    }
    const problems = validatePassword(password, options.user)
    if (problems.length === 0) return password
    for (const problem of problems) messages.write(`${problem.message}\n`)
    if (
      options.allowBypass &&
      (await prompter.confirm('Bypass password validation and create user anyway? [y/N]: '))
    ) {
      return password
    }
  }
  return undefined
}

/**
 * What refuses `password` as one line: the password field's rule, else the validators' messages;
 * undefined when it passes.
 */
export function passwordProblems(
  password: string,
  user: PasswordUserAttributes,
): string | undefined {
  const refused = fieldProblems(password)
  if (refused.length > 0) return refused.join(' ')
  const problems = validatePassword(password, user)
  return problems.length === 0 ? undefined : problems.map((problem) => problem.message).join(' ')
}

import { type PasswordUserAttributes, validatePassword } from '@tessera/core'
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
    if (password.trim() === '') {
      messages.write("Error: Blank passwords aren't allowed.\n")
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

/** The validators' messages for `password` as one line, or undefined when it passes. */
export function passwordProblems(
  password: string,
  user: PasswordUserAttributes,
): string | undefined {
  const problems = validatePassword(password, user)
  return problems.length === 0 ? undefined : problems.map((problem) => problem.message).join(' ')
}

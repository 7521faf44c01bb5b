import { userInfo } from 'node:os'
import {
  defineProfileFields,
  emailProblem,
  type JsonValue,
  normalizeEmail,
  normalizeUsername,
  PasswordHasher,
  type ProfileFields,
  UsernameTakenError,
  usernameKey,
  usernameProblem,
} from '@tessera/core'
import { ENV_BOOLEANS } from '../../settings/spec-builders.js'
import type { StoreContext } from '../cli-context.js'
import { findUser, nowSeconds, openStoreContext, recordAudit, withContext } from '../cli-context.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { CliIo } from '../cli-io.js'
import type { Command, CommandInput } from '../command.js'
import { askNewPassword, passwordProblems } from '../password-input.js'
import { Prompter } from '../prompter.js'

const PASSWORD_ENV = 'TESSERA_SUPERUSER_PASSWORD'
const TAKEN = 'Error: That username is already taken.'

/** The new superuser's fields, checked. */
interface SuperuserInput {
  readonly username: string
  readonly email: string
  readonly password: string
  readonly profile: Record<string, JsonValue>
}

async function usernameError(context: StoreContext, username: string): Promise<string | undefined> {
  const problem = usernameProblem(username)
  if (problem !== undefined) return `Error: ${problem}`
  return (await findUser(context.stores, username)) === undefined ? undefined : TAKEN
}

function emailError(email: string): string | undefined {
  if (email === '') return undefined
  const problem = emailProblem(email)
  return problem === undefined ? undefined : `Error: ${problem}`
}

// Env values are text: declared numbers and booleans are read as such (Django does the same with
// DJANGO_SUPERUSER_<FIELD>).
function profileValue(type: string, text: string): JsonValue {
  if (type === 'integer' || type === 'number') return text.trim() === '' ? text : Number(text)
  if (type === 'boolean') return ENV_BOOLEANS[text.trim().toLowerCase()] ?? text
  return text
}

async function collectProfile(
  fields: ProfileFields | undefined,
  io: CliIo,
  prompter: Prompter | undefined,
): Promise<Record<string, JsonValue>> {
  if (fields === undefined) return {}
  const input: Record<string, JsonValue> = {}
  for (const spec of fields.specs) {
    const text = io.env[`TESSERA_SUPERUSER_${spec.name.toUpperCase()}`]
    if (text !== undefined) input[spec.name] = profileValue(spec.type, text)
    else if (spec.required === true && prompter !== undefined) {
      input[spec.name] = profileValue(spec.type, await prompter.ask(`${spec.name}: `))
    }
  }
  const { values, errors } = fields.validate(input)
  const problems = Object.entries(errors).map(
    ([name, messages]) => `${name}: ${messages.join(' ')}`,
  )
  if (problems.length > 0) {
    throw new CommandError(
      `profile fields refused (set TESSERA_SUPERUSER_<FIELD>): ${problems.join('; ')}`,
    )
  }
  return values
}

async function readNonInteractive(
  context: StoreContext,
  input: CommandInput,
): Promise<SuperuserInput> {
  const { io, values } = input
  const username = (values.username as string | undefined) ?? io.env.TESSERA_SUPERUSER_USERNAME
  if (username === undefined || username === '') {
    throw new UsageError('--username is required with --no-input', 'createsuperuser')
  }
  const email = (values.email as string | undefined) ?? io.env.TESSERA_SUPERUSER_EMAIL ?? ''
  const error = (await usernameError(context, username)) ?? emailError(email)
  if (error !== undefined) throw new CommandError(error.replace(/^Error: /, ''))
  const password = io.env[PASSWORD_ENV]
  if (password === undefined || password === '') {
    throw new CommandError(`set ${PASSWORD_ENV} to the new superuser's password (--no-input)`)
  }
  const problems = passwordProblems(password, { username, email })
  if (problems !== undefined) {
    throw new CommandError(`the password in ${PASSWORD_ENV} was refused: ${problems}`)
  }
  return {
    username,
    email,
    password,
    profile: await collectProfile(profileFields(context), io, undefined),
  }
}

async function askUntilValid(
  prompter: Prompter,
  messages: CliIo['stderr'],
  question: string,
  check: (answer: string) => Promise<string | undefined> | string | undefined,
  fallback = '',
): Promise<string> {
  for (;;) {
    const answer = (await prompter.ask(question)).trim() || fallback
    const error = await check(answer)
    if (error === undefined) return answer
    messages.write(`${error}\n`)
  }
}

function defaultUsername(): string {
  try {
    const name = userInfo().username
    return usernameProblem(name) === undefined ? name : ''
  } catch {
    return ''
  }
}

async function readInteractive(
  context: StoreContext,
  input: CommandInput,
  prompter: Prompter,
): Promise<SuperuserInput | undefined> {
  const { io, values } = input
  const messages = io.stderr
  let username = values.username as string | undefined
  if (username !== undefined) {
    const error = await usernameError(context, username)
    if (error !== undefined) throw new CommandError(error.replace(/^Error: /, ''))
  } else {
    const fallback = defaultUsername()
    const taken = fallback !== '' && (await findUser(context.stores, fallback)) !== undefined
    const suggested = taken ? '' : fallback
    const question =
      suggested === '' ? 'Username: ' : `Username (leave blank to use '${suggested}'): `
    username = await askUntilValid(
      prompter,
      messages,
      question,
      async (answer) =>
        answer === '' ? 'Error: This field cannot be blank.' : usernameError(context, answer),
      suggested,
    )
  }
  let email = values.email as string | undefined
  if (email !== undefined) {
    const error = emailError(email)
    if (error !== undefined) throw new CommandError(error.replace(/^Error: /, ''))
  } else {
    email = await askUntilValid(prompter, messages, 'Email address: ', emailError)
  }
  const profile = await collectProfile(profileFields(context), io, prompter)
  const password = await askNewPassword(prompter, {
    user: { username, email },
    allowBypass: true,
    messages,
  })
  return password === undefined ? undefined : { username, email, password, profile }
}

function profileFields(context: StoreContext): ProfileFields | undefined {
  const specs = context.settings.PROFILE_FIELDS
  return specs.length === 0 ? undefined : defineProfileFields(specs)
}

async function createSuperuser(context: StoreContext, input: SuperuserInput): Promise<string> {
  const username = normalizeUsername(input.username)
  const password = await new PasswordHasher().hash(input.password)
  try {
    const user = await context.stores.users.createUser({
      username,
      usernameKey: usernameKey(username),
      email: input.email === '' ? '' : normalizeEmail(input.email),
      firstName: '',
      lastName: '',
      password,
      isActive: true,
      isStaff: true,
      isSuperuser: true,
      lastLogin: null,
      dateJoined: nowSeconds(),
      profile: input.profile,
    })
    await recordAudit(context.stores, 'user_registered', user.id, {
      via: 'createsuperuser',
      superuser: true,
    })
    return user.id
  } catch (error) {
    if (error instanceof UsernameTakenError) throw new CommandError(TAKEN.replace(/^Error: /, ''))
    throw error
  }
}

/** `tessera createsuperuser`: Django's command, same flags and messages. */
export const createSuperuserCommand: Command = {
  name: 'createsuperuser',
  summary: 'Create a superuser (is_staff and is_superuser)',
  usage: 'tessera createsuperuser [--username NAME] [--email EMAIL] [--no-input]',
  help: `Asks for the username, email address and password (twice, not echoed), checks the password
with the password validators and offers to bypass them, as Django does.

Options:
  --username NAME   the superuser's username
  --email EMAIL     the superuser's email address (optional)
  --no-input        ask nothing: the password comes from ${PASSWORD_ENV}
                    (also TESSERA_SUPERUSER_USERNAME, TESSERA_SUPERUSER_EMAIL and
                    TESSERA_SUPERUSER_<FIELD> for declared profile fields); a password the
                    validators refuse is an error
  --noinput         same as --no-input
  -h, --help        show this help

Examples:
  tessera createsuperuser
  ${PASSWORD_ENV}='...' tessera createsuperuser --no-input --username admin --email admin@example.com
`,
  options: {
    username: { type: 'string' },
    email: { type: 'string' },
    'no-input': { type: 'boolean' },
    noinput: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(input) {
    const noInput = input.values['no-input'] === true || input.values.noinput === true
    return withContext(openStoreContext(input.io), async (context) => {
      let superuser: SuperuserInput | undefined
      if (noInput) superuser = await readNonInteractive(context, input)
      else {
        const prompter = new Prompter(input.io)
        try {
          superuser = await readInteractive(context, input, prompter)
        } finally {
          prompter.close()
        }
      }
      if (superuser === undefined) throw new CommandError('no superuser created')
      const id = await createSuperuser(context, superuser)
      input.io.stdout.write(
        `Superuser created successfully: ${normalizeUsername(superuser.username)} (id ${id}).\n`,
      )
      return 0
    })
  },
}

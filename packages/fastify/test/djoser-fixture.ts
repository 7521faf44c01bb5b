import { AuthService, loadSettings, PasswordHasher, type Stores } from '@tessera/core'
import { type AccountMailOptions, MailTemplates, UserTokenGenerator } from '@tessera/core/mail'
import { createMemoryStores } from '@tessera/core/memory'
import { type TesseraPluginOptions, tesseraPlugin } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { TEST_SIGNING_KEY } from './app-fixture.js'

/** The mail settings of the djoser test apps; each test may change some. */
export const TEST_MAIL: AccountMailOptions = {
  tokens: new UserTokenGenerator({ secret: 'djoser-test-secret-0123456789-abcdefghij' }),
  templates: new MailTemplates(),
  from: 'Tessera <noreply@example.com>',
  siteName: 'Example',
  domain: 'app.example.com',
  protocol: 'https',
  urls: {
    activation: '#/activate/{uid}/{token}',
    passwordResetConfirm: '#/password/reset/confirm/{uid}/{token}',
    usernameResetConfirm: '#/username/reset/confirm/{uid}/{token}',
    emailChangeConfirm: '#/email/change/confirm/{uid}/{token}',
  },
  sendActivationEmail: false,
  sendConfirmationEmail: false,
  passwordChangedEmailConfirmation: false,
  usernameChangedEmailConfirmation: false,
  emailChangeConfirmation: false,
  passwordResetShowEmailNotFound: false,
  usernameResetShowEmailNotFound: false,
}

/** An app with the API and djoser's routes over memory stores, mail into the outbox. */
export async function buildDjoserApp(
  mail: Partial<AccountMailOptions> = {},
  pluginOptions: Partial<TesseraPluginOptions> = {},
  authOptions: { readonly loginField?: 'username' | 'email' } = {},
): Promise<{ app: FastifyInstance; auth: AuthService; stores: Stores }> {
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: TEST_SIGNING_KEY },
  })
  const stores = createMemoryStores()
  const auth = new AuthService({
    stores,
    settings,
    hasher: new PasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }),
    mail: { ...TEST_MAIL, ...mail },
    ...authOptions,
  })
  const app = Fastify({ logger: false })
  await app.register(tesseraPlugin, { auth, stores, settings, djoser: {}, ...pluginOptions })
  await app.ready()
  return { app, auth, stores }
}

/** The `{uid, token}` of the link of the newest message in the outbox, and the message. */
export async function lastLink(
  stores: Stores,
): Promise<{ uid: string; token: string; to: string; subject: string; kind: string }> {
  const [message] = await stores.mail.list({ limit: 1 })
  if (message === undefined) throw new Error('the outbox is empty')
  const match = /\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_.=-]+)\s/.exec(message.text)
  if (match === null) throw new Error(`no link in ${message.kind}`)
  return {
    uid: match[1] as string,
    token: match[2] as string,
    to: message.to,
    subject: message.subject,
    kind: message.kind,
  }
}

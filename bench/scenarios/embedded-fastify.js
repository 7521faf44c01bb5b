// embedded-fastify: a user's Fastify app protecting a route with @tessera/fastify (the
// verify-only plugin, a static key) vs the same app with @fastify/jwt, side by side.
import { installedVersion, measureApps } from '../lib/apps.js'
import { ratioGoal } from '../lib/goals.js'
import { throughputTable } from '../lib/report.js'

export const title =
  "embedded-fastify: a Fastify app's protected route, @tessera/fastify vs @fastify/jwt"

export async function run(context) {
  const { rounds, seconds } = context.options
  const results = await measureApps(context, ['@fastify/jwt', '@tessera/fastify'])
  const { markdown } = throughputTable(results, { baseline: '@fastify/jwt' })
  const versions = ['fastify', '@fastify/jwt'].map(installedVersion).join(', ')
  return {
    markdown:
      `32 connections, ${seconds} s per round, ${rounds} rounds; 1,000 distinct HS256 access ` +
      'tokens round-robin (no kid, as the peers take them). One Fastify 5 app ' +
      '(`bench/apps/fastify-tessera.js`, `bench/apps/fastify-jwt-app.js`): `logger: false`, ' +
      'GET /api/hello/ returning `{"msg":"Hello Peter Parker"}` from the claims alone (no user ' +
      'lookup), the same key, the same 200 and a 401 for a bad token (each library its own ' +
      'body). @tessera/fastify: `tesseraResourceServer` with the key as a static HS256 key and ' +
      '`guard(isAuthenticated)`, its defaults otherwise: it remembers up to 10,000 verified ' +
      'tokens, so the signature of each of the 1,000 is checked once a run (expiry and type on ' +
      'every request), where the peers check it on every request. @fastify/jwt: as its ' +
      'README sets it up, an `authenticate` decoration calling `request.jwtVerify()` as the ' +
      "route's onRequest hook, plus the check Tessera makes and it does not: `token_type` is " +
      '`access` and `user_id` is there. ' +
      `${versions}.\n\n${markdown}`,
    goals: [ratioGoal(results, '@tessera/fastify', '@fastify/jwt', 1.2)],
    chart: { results, subject: '@tessera/fastify' },
  }
}

// embedded-express: a user's Express 5 app protecting a route with @tessera/express vs the same
// app with passport-jwt and with express-jwt, side by side.
import { installedVersion, measureApps } from '../lib/apps.js'
import { ratioGoal } from '../lib/goals.js'
import { throughputTable } from '../lib/report.js'
import { formatRatioWithRounds, roundRatios } from '../lib/stats.js'

export const title =
  "embedded-express: an Express app's protected route, @tessera/express vs passport-jwt and express-jwt"

export async function run(context) {
  const { rounds, seconds } = context.options
  const results = await measureApps(context, ['passport-jwt', 'express-jwt', '@tessera/express'], {
    references: [await context.expressFloor()],
  })
  const { markdown, medians } = throughputTable(results, { baseline: 'express-jwt' })
  const compare = (server, peer) =>
    formatRatioWithRounds(
      medians.get(server) / medians.get(peer),
      roundRatios(results, server, peer),
    )
  // As fastify-floor in hello: no middleware runs faster than the framework alone, so a goal
  // above the floor's own ratio to a peer is out of reach of every Express middleware.
  const ceiling = `What the framework leaves: express-floor ran at ${compare('express-floor', 'passport-jwt')} passport-jwt and ${compare('express-floor', 'express-jwt')} express-jwt; @tessera/express ran at ${compare('@tessera/express', 'express-floor')} of express-floor.`
  const versions = ['express', 'passport', 'passport-jwt', 'express-jwt']
    .map(installedVersion)
    .join(', ')
  return {
    markdown:
      `32 connections, ${seconds} s per round, ${rounds} rounds; 1,000 distinct HS256 access ` +
      'tokens round-robin (no kid, as the peers take them). One Express 5 app ' +
      '(`bench/apps/express-*.js`): no logger, GET /api/hello/ answering ' +
      '`res.json({ msg: "Hello Peter Parker" })` from the claims alone (no user lookup), the ' +
      'same key, the same 200 and a 401 for a bad token (each library its own body). ' +
      '@tessera/express: `tesseraResourceServer` with the key as a static HS256 key, then ' +
      '`requirePermission(isAuthenticated)`, its defaults otherwise: it remembers up to 10,000 ' +
      'verified tokens, so the signature of each of the 1,000 is checked once a run (expiry ' +
      'and type on every request), where the peers check it on every request. passport-jwt and ' +
      'express-jwt as their READMEs set them up (a JwtStrategy and `passport.authenticate(' +
      "'jwt', { session: false })`; `expressjwt()` on the route and an error handler for its " +
      '401), each with the check Tessera makes and they do not: `token_type` is `access` and ' +
      `\`user_id\` is there. express-floor is Express 5 alone (the same route, no middleware, ` +
      `no token checked): not a peer, the cost of the framework. ${versions}.` +
      `\n\n${markdown}\n\n${ceiling}`,
    goals: [
      ratioGoal(results, '@tessera/express', 'express-jwt', 1),
      ratioGoal(results, '@tessera/express', 'passport-jwt', 5),
    ],
    chart: { results, subject: '@tessera/express' },
  }
}

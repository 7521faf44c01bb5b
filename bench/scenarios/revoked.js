// revoked: hello on a Tessera with 1,000,000 revoked access-token jtis in its revocation view vs
// one with none, both started fresh for this scenario (the suite's main server has served every
// scenario before, and a long-running process measured slower than a new one, which made the
// comparison favour the revoked side). Seeding reuses the server package's bench helper.
import { seedRevokedTokens } from '../../packages/server/bench/bench-server.js'
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import { formatPercentWithRounds, roundRatios } from '../lib/stats.js'
import { DEFAULT_NOTE, prepareInstance, startTessera, tesseraTokenSigner } from '../lib/tessera.js'

export const title = 'revoked: hello with 1,000,000 revoked jtis vs none'

const REVOKED = 1_000_000
const GOAL_LOSS = 0.05

export async function run(context) {
  const { rounds, seconds } = context.options
  const clean = await prepareInstance('revoked-none')
  context.log('starting tessera with no revoked jtis')
  const noneServer = await startTessera(clean, { label: 'tessera (none revoked)' })
  const none = { ...noneServer, sign: await tesseraTokenSigner(noneServer, clean.userIds) }
  const instance = await prepareInstance('revoked')
  context.log(`seeding ${REVOKED.toLocaleString('en-US')} revoked jtis`)
  seedRevokedTokens(instance, REVOKED)
  context.log('starting tessera with the revoked jtis')
  const server = await startTessera(instance, { label: 'tessera (1M revoked)' })
  try {
    const revoked = { ...server, sign: await tesseraTokenSigner(server, instance.userIds) }
    const targets = [
      await context.helloTarget(none, { name: 'tessera (none revoked)' }),
      await context.helloTarget(revoked, { name: 'tessera (1M revoked)' }),
    ]
    const results = await alternate(targets, { rounds, seconds, log: context.log })
    const { markdown, medians } = throughputTable(results, { baseline: 'tessera (none revoked)' })
    const loss = 1 - medians.get('tessera (1M revoked)') / medians.get('tessera (none revoked)')
    const perRound = roundRatios(results, 'tessera (1M revoked)', 'tessera (none revoked)')
    return {
      markdown: `32 connections, ${seconds} s per round, ${rounds} rounds; none of the measured tokens is revoked (every request looks its jti up). ${DEFAULT_NOTE}\n\n${markdown}`,
      goals: [
        {
          goal: `hello loss with 1M revoked jtis <= ${GOAL_LOSS * 100}%`,
          // A round's loss is 1 - its ratio: the highest ratio is the lowest loss.
          measured: formatPercentWithRounds(loss, {
            low: 1 - perRound.high,
            high: 1 - perRound.low,
          }),
          pass: loss <= GOAL_LOSS,
          line: {
            value: (1 - GOAL_LOSS) * medians.get('tessera (none revoked)'),
            label: `${GOAL_LOSS * 100}% below none revoked`,
          },
        },
      ],
      chart: { results, subject: 'tessera (1M revoked)' },
    }
  } finally {
    await server.stop()
    await noneServer.stop()
  }
}

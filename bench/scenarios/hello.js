// hello: GET /api/hello/ with a bearer token on Tessera as `tessera serve` starts, the same
// server with its logs off, and what a Node user would use instead.

import { notRunGoal, ratioGoal } from '../lib/goals.js'
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import { formatRatioWithRounds, roundRatios } from '../lib/stats.js'

export const title = 'hello: GET /api/hello/ (authenticated)'

export async function run(context) {
  const { rounds, seconds } = context.options
  const servers = [
    await context.peer('bare'),
    await context.fastifyFloor(),
    await context.peer('fastify-jwt'),
    await context.peer('express-passport'),
    await context.tessera(),
    await context.tesseraLogsOff(),
    await context.tesseraMetricsOn(),
  ]
  const reference = await context.reference()
  if (reference !== undefined) servers.push(reference)
  const targets = []
  for (const server of servers) targets.push(await context.helloTarget(server))
  const results = await alternate(targets, { rounds, seconds, log: context.log })
  const { markdown, medians } = throughputTable(results, { baseline: 'bare' })
  const compare = (server, peer) =>
    formatRatioWithRounds(
      medians.get(server) / medians.get(peer),
      roundRatios(results, server, peer),
    )
  // The floor bounds every server built on Fastify: the reader sees which goals the framework
  // alone leaves within reach on this machine.
  const ceiling = `What the framework leaves: fastify-floor ran at ${compare('fastify-floor', 'bare')} of bare and ${compare('fastify-floor', 'fastify-jwt')} fastify-jwt; tessera ran at ${compare('tessera', 'fastify-floor')} of fastify-floor. Every server built on Fastify does at least the floor's work, so a hello goal above the floor's own ratio is out of reach of all of them in this run, whatever their auth costs.`
  const goals = [
    ratioGoal(results, 'tessera', 'tessera (logs off)', 0.9, {
      goal: 'tessera (default, access log on) >= 0.9x tessera (logs off)',
    }),
    ratioGoal(results, 'tessera (metrics on)', 'tessera', 0.97, {
      goal: 'tessera (metrics on) >= 0.97x tessera (metrics cost under 3%)',
    }),
    ratioGoal(results, 'tessera', 'fastify-jwt', 1.5),
    ratioGoal(results, 'tessera', 'bare', 0.6, { goal: 'tessera >= 0.6x bare node:http' }),
    reference === undefined
      ? notRunGoal('tessera >= 15x simplejwt', 'BENCH_REFERENCE=1')
      : ratioGoal(results, 'tessera', 'simplejwt', 15),
  ]
  return {
    markdown:
      `32 connections, one wrk thread, ${seconds} s per round, ${rounds} rounds; 1,000 distinct ` +
      'tokens round-robin. tessera runs as `tessera serve` starts: default settings, an access ' +
      'line per request on stdout, which goes to a file. tessera (logs off) is the same data dir ' +
      'served with `TESSERA_LOG_LEVEL=warn`: no access line, what logging costs is the gap; ' +
      'tessera (metrics on) the same with Prometheus metrics on (each request timed into a ' +
      'histogram). ' +
      'bare answers without checking the token; fastify-floor is Fastify 5 alone (one route ' +
      'with a response schema, no logger, no hooks, no token checked): not a peer, the cost of ' +
      `the framework Tessera is built on.\n\n${markdown}\n\n${ceiling}`,
    goals,
    chart: { results, subject: 'tessera' },
  }
}

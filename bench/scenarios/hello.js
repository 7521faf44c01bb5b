// hello: GET /api/hello/ with a bearer token on Tessera and what a Node user would use instead.

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
  ]
  const reference = await context.reference()
  if (reference !== undefined) servers.push(reference)
  const targets = []
  for (const server of servers) targets.push(await context.helloTarget(server))
  const results = await alternate(targets, { rounds, seconds, log: context.log })
  const { markdown, medians } = throughputTable(results, { baseline: 'bare' })
  const tessera = medians.get('tessera')
  const ratio = (peer) => tessera / medians.get(peer)
  const compare = (server, peer) =>
    formatRatioWithRounds(
      medians.get(server) / medians.get(peer),
      roundRatios(results, server, peer),
    )
  const measured = (peer) => compare('tessera', peer)
  // The floor bounds every server built on Fastify: the reader sees which goals the framework
  // alone leaves within reach on this machine.
  const ceiling = `What the framework leaves: fastify-floor ran at ${compare('fastify-floor', 'bare')} of bare and ${compare('fastify-floor', 'fastify-jwt')} fastify-jwt; tessera ran at ${measured('fastify-floor')} of fastify-floor. Every server built on Fastify does at least the floor's work, so a hello goal above the floor's own ratio is out of reach of all of them in this run, whatever their auth costs.`
  const goals = [
    {
      goal: 'tessera >= 75% of bare node:http',
      measured: measured('bare'),
      pass: ratio('bare') >= 0.75,
    },
    {
      goal: 'tessera >= 2x fastify-jwt',
      measured: measured('fastify-jwt'),
      pass: ratio('fastify-jwt') >= 2,
    },
    reference === undefined
      ? {
          goal: 'tessera >= 15x simplejwt',
          measured: 'not run (BENCH_REFERENCE=1)',
          pass: undefined,
        }
      : {
          goal: 'tessera >= 15x simplejwt',
          measured: measured('simplejwt'),
          pass: ratio('simplejwt') >= 15,
        },
  ]
  return {
    markdown: `32 connections, one wrk thread, ${seconds} s per round, ${rounds} rounds; 1,000 distinct tokens round-robin. bare answers without checking the token; fastify-floor is Fastify 5 alone (one route with a response schema, no logger, no hooks, no token checked): not a peer, the cost of the framework Tessera is built on.\n\n${markdown}\n\n${ceiling}`,
    goals,
  }
}

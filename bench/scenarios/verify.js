// verify: POST /api/token/verify/ (signature and claims only, the body says nothing).

import { expectResponse, request } from '../lib/http.js'
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import { DEFAULT_NOTE } from '../lib/tessera.js'
import { runWrk } from '../lib/wrk.js'

export const title = 'verify: POST /api/token/verify/'

function verifyTarget(context, server) {
  return {
    name: server.name,
    measure: (seconds) =>
      runWrk({
        url: `${server.url}/api/token/verify/`,
        lua: 'verify-post.lua',
        args: [context.file(`verify-${server.name}.txt`, server.sign())],
        seconds,
      }),
  }
}

export async function run(context) {
  const { rounds, seconds } = context.options
  const servers = [await context.tessera()]
  const reference = await context.reference()
  if (reference !== undefined) servers.push(reference)
  for (const server of servers) {
    const probe = await request(`${server.url}/api/token/verify/`, {
      method: 'POST',
      body: { token: server.sign(1)[0] },
    })
    expectResponse(`${server.name} verify`, probe, 200)
  }
  const targets = servers.map((server) => verifyTarget(context, server))
  const results = await alternate(targets, { rounds, seconds, log: context.log })
  const { markdown } = throughputTable(results, {
    baseline: reference === undefined ? undefined : 'simplejwt',
  })
  // No goal of its own: the ratio is in the table when the reference ran.
  return {
    markdown: `32 connections, ${seconds} s per round, ${rounds} rounds; 1,000 distinct access tokens. ${DEFAULT_NOTE}\n\n${markdown}`,
    goals: [],
    chart: { results, subject: 'tessera' },
  }
}

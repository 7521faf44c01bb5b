// Reading a Prometheus exposition (what `METRICS_PORT` serves) without a client library.
import { request } from './http.js'

/**
 * The value of the sample `name` (no labels, or exactly the `labels` given, e.g.
 * `{kind="sessions"}`), or undefined when the text has none.
 */
export function metricValue(text, name, labels = '') {
  const wanted = `${name}${labels} `
  for (const line of text.split('\n')) {
    if (line.startsWith(wanted)) return Number(line.slice(wanted.length).split(' ')[0])
  }
  return undefined
}

/** GET <url> on a fresh connection (a cluster's shared port hands each to the next worker). */
export async function scrape(url) {
  const response = await request(url, { agent: false })
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
  return response.body
}

// The scale bench's fleet: N `tessera serve` processes on one database, each with a metrics port
// (its heap and revocation-view gauges), started a few at a time (each start costs a core).
import { freePort } from '../processes.js'
import { THROTTLES_OFF } from '../soak/soak-targets.js'
import { LOGS_OFF_SETTINGS, startTessera } from '../tessera.js'

/** Instances started at once. */
const START_BATCH = 4

/**
 * Starts `count` instances `<name>-<n>` of `instance` (a prepared data dir and database) with `env` on top of
 * the fleet's settings: throttles off (the probes and logins come from one address), logs off
 * (20 access logs would cost the cores the buses need), metrics on a port each.
 */
export async function startFleet(instance, count, { name, env, log }) {
  const fleet = []
  for (let first = 1; first <= count; first += START_BATCH) {
    const batch = []
    for (let n = first; n < first + START_BATCH && n <= count; n++) {
      batch.push(
        (async () => {
          const metricsPort = await freePort()
          const server = await startTessera(instance, {
            // A label of its own per fleet: the banner is looked for in the log file, which the label names.
            label: `${name}-${n}`,
            env: {
              ...THROTTLES_OFF,
              ...LOGS_OFF_SETTINGS,
              TESSERA_METRICS_PORT: String(metricsPort),
              ...env,
            },
          })
          return { ...server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }
        })(),
      )
    }
    fleet.push(...(await Promise.all(batch)))
    log(`  ${fleet.length} of ${count} instances up`)
  }
  return fleet
}

/** Stops every instance of the fleet. */
export async function stopFleet(fleet) {
  await Promise.all(fleet.map((server) => server.stop()))
}

import type { SettingSpec } from '@tessera/core'
import { booleanSpec, defineSpec, invalid, stringSpec } from './spec-builders.js'

/** Where Prometheus metrics are served: nowhere by default, never publicly without a choice. */
export interface MetricsSettings {
  /** A port of its own for `/metrics`, on `METRICS_HOST`. Default none (off). */
  readonly METRICS_PORT: number | null
  /** Address of the metrics port. Default `127.0.0.1`. */
  readonly METRICS_HOST: string
  /** Serve `/metrics` on the API's own port too (only behind a proxy that keeps it private). */
  readonly METRICS_ON_API_PORT: boolean
}

/** Metrics settings as given in code or in `tessera.config.json`. */
export type MetricsSettingsInput = {
  readonly METRICS_PORT?: number | null
  readonly METRICS_HOST?: string
  readonly METRICS_ON_API_PORT?: boolean
}

const PORT_FORM = 'a port number from 1 to 65535, or off'

function optionalPort(raw: unknown, name: string): number | null {
  if (raw === null || raw === 'off' || raw === '') return null
  const value = typeof raw === 'string' && /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : raw
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) {
    throw invalid(name, PORT_FORM, raw)
  }
  return value
}

/** The specs of {@link MetricsSettings}. */
export const metricsSettingSpecs: {
  readonly [K in keyof MetricsSettings]: SettingSpec<MetricsSettings[K]>
} = Object.freeze({
  METRICS_PORT: defineSpec(
    {
      name: 'METRICS_PORT',
      default: null,
      description: 'Serve Prometheus /metrics on this port of METRICS_HOST (default: off).',
    },
    (raw) => optionalPort(raw, 'METRICS_PORT'),
    { format: (value) => (value === null ? 'off' : String(value)) },
  ),
  METRICS_HOST: stringSpec({
    name: 'METRICS_HOST',
    default: '127.0.0.1',
    description: 'Address of the metrics port.',
  }),
  METRICS_ON_API_PORT: booleanSpec({
    name: 'METRICS_ON_API_PORT',
    default: false,
    description: 'Also serve /metrics on the API port (keep it private at the proxy).',
  }),
})

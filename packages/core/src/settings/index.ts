/**
 * Tessera's settings: the typed {@link TesseraSettings}, their specs and docs, the one duration
 * parser, and `loadSettings` (defaults < `tessera.config.json` < `TESSERA_*` env < code).
 * @module
 */
export {
  durationSeconds,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
} from './duration.js'
export { type LoadSettingsOptions, loadSettings } from './load-settings.js'
export { CONFIG_FILE_NAME } from './read-config-file.js'
export { RESERVED_CLAIMS, type SettingSpec } from './setting-spec.js'
export {
  describeSettings,
  type SettingDescription,
  type SettingSpecs,
  settingSpecs,
} from './setting-specs.js'
export {
  type SettingName,
  type SettingsInput,
  type SettingsInputValue,
  TESSERA_ENVS,
  type TesseraEnv,
  type TesseraSettings,
} from './settings.js'

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
export { echoValue } from './echo-value.js'
export { type LoadSettingsOptions, loadSettings } from './load-settings.js'
export {
  CONFIG_FILE_NAME,
  type ConfigFile,
  checkSettingNames,
  readConfigFile,
} from './read-config-file.js'
export {
  booleanSpec,
  defineSpec,
  durationSpec,
  ENV_BOOLEANS,
  enumSpec,
  invalid,
  optionalStringSpec,
  RESERVED_CLAIMS,
  type SettingSpec,
  type SpecBase,
} from './setting-spec.js'
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

import type { Node } from 'constructs';
import { type JamfEventBridgeSettings, parseSettings } from '../lambda/contract/settings';

export {
  inSettingTerms,
  InvalidSettingError,
  type JamfEventBridgeSettings,
  parseSettings,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  type SettingSpec,
} from '../lambda/contract/settings';

/**
 * Reads the settings from CDK context (`-c key=value`, cdk.json `context`); see
 * {@link parseSettings} for how values are converted and what is refused.
 */
export function settingsFromContext(node: Node): JamfEventBridgeSettings {
  return parseSettings(node.getAllContext());
}

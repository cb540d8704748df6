/**
 * The extension's config: defaults < re2llm.config.json < VS Code settings (`re2llm.*`), through
 * the core's one resolver. Workspace trust: in Restricted Mode a cloned repository must not be able
 * to send the user's key elsewhere, so the endpoint-related keys keep only the user's own (global)
 * settings or the defaults; values from the workspace's settings and config file are ignored and
 * listed, so the sidebar can say what was ignored.
 */
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { resolveConfig, vscodeConfiguration, type ConfigLayer, type ResolvedConfig } from '../../core/config/resolve';
import { defaultConfig } from '../../core/config/defaults';
import type { Settings } from '../vscode/types';

/** Settings ignored from the workspace in Restricted Mode (also `capabilities.untrustedWorkspaces.restrictedConfigurations`). */
export const RESTRICTED_KEYS = ['llm.baseUrl', 'llm.model', 'llm.embeddingModel', 'llm.apiKeyEnv', 'llm.cacheDir', 'encoder.modelPath', 'output.runsDir'] as const;

const PATH_KEYS = new Set(['llm.cacheDir', 'encoder.modelPath', 'output.runsDir']);

export const USER_SETTINGS_SOURCE = 'VS Code user settings';
export const WORKSPACE_SETTINGS_SOURCE = 'VS Code workspace settings';

export interface SettingsLayers {
  user: ConfigLayer;
  workspace: ConfigLayer;
}

/** The `re2llm.*` settings split into the user's and the workspace's layer (folder values count as workspace). */
export function settingsLayers(settings: Settings): SettingsLayers {
  const user: Record<string, unknown> = {};
  const workspace: Record<string, unknown> = {};
  for (const full of Object.keys(vscodeConfiguration())) {
    const key = full.slice('re2llm.'.length);
    const l = settings.inspect(key);
    if (!l) continue;
    if (l.globalValue !== undefined) user[key] = l.globalValue;
    const ws = l.workspaceFolderValue ?? l.workspaceValue;
    if (ws !== undefined) workspace[key] = ws;
  }
  return { user: { source: USER_SETTINGS_SOURCE, values: user }, workspace: { source: WORKSPACE_SETTINGS_SOURCE, values: workspace } };
}

export interface WorkspaceConfig {
  resolved: ResolvedConfig;
  /** Keys whose workspace value (settings or config file) was ignored because the workspace is untrusted. */
  ignored: string[];
}

export interface WorkspaceConfigOptions {
  settings: Settings;
  trusted: boolean;
  configFile?: string;
  /** Folder for relative paths when there is no config file (the workspace folder). */
  cwd: string;
  /** Extra layers on top (dataset folder chosen in the sidebar, sidebar parameters, demo endpoint). */
  extra?: ConfigLayer[];
}

export function resolveWorkspaceConfig(o: WorkspaceConfigOptions): WorkspaceConfig {
  const { user, workspace } = settingsLayers(o.settings);
  const layers = [user, workspace, ...(o.extra ?? [])];
  const resolved = resolveConfig({ configFile: o.configFile, layers, cwd: o.configFile ? dirname(o.configFile) : o.cwd });
  const ignored: string[] = [];
  if (!o.trusted) {
    const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
    const config = resolved.config as unknown as Record<string, Record<string, unknown>>;
    for (const key of RESTRICTED_KEYS) {
      const source = resolved.sources[key];
      if (source === undefined || source === USER_SETTINGS_SOURCE) continue;
      if (o.extra?.some((l) => l.source === source)) continue; // set by the extension itself
      const [section, leaf] = key.split('.') as [string, string];
      const fromUser = user.values[key];
      let value = fromUser !== undefined ? structuredClone(fromUser) : structuredClone(defaults[section]![leaf]);
      if (PATH_KEYS.has(key) && typeof value === 'string' && value !== '' && !isAbsolute(value)) value = resolvePath(resolved.baseDir, value);
      config[section]![leaf] = value;
      if (fromUser !== undefined) resolved.sources[key] = USER_SETTINGS_SOURCE;
      else delete resolved.sources[key];
      ignored.push(key);
    }
  }
  return { resolved, ignored };
}

/**
 * Settings that only the VS Code extension reads (UI switches), listed here so that
 * package.json's contributes.configuration is still generated from one place.
 */
export const EXTENSION_ONLY_SETTINGS: Record<string, Record<string, unknown>> = {
  're2llm.codeLens.enabled': {
    type: 'boolean',
    default: true,
    markdownDescription: 'Show CodeLens above each hint in a KB file (statistics from the latest evaluation, "Try this hint").',
  },
};

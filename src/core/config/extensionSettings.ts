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
  're2llm.confirmAboveCost': {
    type: 'number',
    default: 1,
    minimum: 0,
    markdownDescription: 'Reflect, Train, Evaluate and Run Full Pipeline show their plan estimate and ask before starting when it passes this many dollars (at the endpoint\'s prices; answers already cached are not counted). The simulated LLM never asks; a loopback endpoint asks only if you set prices for it.',
  },
  're2llm.confirmAboveCalls': {
    type: 'number',
    default: 5000,
    minimum: 0,
    markdownDescription: 'Also ask before a run whose plan makes more than this many LLM calls to a remote endpoint (0: the call count alone never asks). See `#re2llm.confirmAboveCost#`.',
  },
};

/** The hint knowledge base: file format, validation, merge-safe saving, actions and fingerprint. */
export * from './types';
export { actionHints, kbFingerprint, hintIdFor, uniqueHintId } from './actions';
export { importAuthorsHints, type ImportAuthorsOptions } from './importAuthors';
export { parseKbText, formatPath, lineColumnOf, kbSchema, type ParsedKb } from './parse';
export { validateKb, hasErrors, type ValidateOptions } from './validate';
export { mergeKb, mergeKbText, type MergeResult, type TextMergeResult, type MergeReport } from './merge';
export { loadKbFile, saveKbMerged, formatKb, parseKbOrThrow, type KbSnapshot, type SaveResult } from './store';
export { TitleIndex, datasetTitleIndex, type TitleMatch } from './titleIndex';
export { normaliseText, titleKey, hintKey, containsKey, contentTokens, jaccard, NEAR_DUPLICATE_JACCARD } from './text';

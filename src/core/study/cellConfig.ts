/**
 * One cell's resolved configuration and its folder. The cell folder is named by a hash of every
 * setting that can shape its results (and of a fixed KB's content), so editing the study's base
 * settings gives the affected cells fresh folders while an unchanged cell is found finished.
 *
 * Each cell reflects into its own KB file (`cells/<id>/kb.hints.json`): cells with different KB
 * sizes or training sets must not share one growing file, and the shared response cache makes a
 * repeated reflection free. A cell whose settings name a KB (`output.kbPath`) uses that KB as it
 * is: its reflection target is set to the KB's enabled hints, so it is never grown or written.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { SettingValues } from '../../protocol/study';
import { resolveConfig, type ConfigLayer, type ResolvedConfig } from '../config/resolve';
import { parseKbOrThrow, isEnabled } from '../kb';
import { hashJson, sha256Hex } from '../util/hash';
import { InputError } from '../util/errors';
import type { GridCell } from './grid';
import type { LoadedStudy } from './studyFile';

export interface CellConfig {
  id: string;
  dir: string;
  resolved: ResolvedConfig;
  /** The cell uses a KB named by its settings instead of reflecting. */
  fixedKb: boolean;
  /**
   * Cells with the same warm key send mostly the same prompts (they differ only in the agent's or
   * the test sample's seed, or in the KB size, whose smaller KBs replay a larger one's first
   * hints). The runner runs the first of them alone, so the others find its answers cached
   * instead of asking the same questions at the same time.
   */
  warmKey: string;
}

export interface CellConfigOptions {
  study: LoadedStudy;
  outDir: string;
  packageVersion: string;
  /** Layers between the base settings and the cell's (the CLI's simulated endpoint). */
  extraLayers?: ConfigLayer[];
}

/** Path settings in a study file are relative to the study file, not to the base config. */
const PATH_SETTINGS = ['dataset.path', 'llm.cacheDir', 'encoder.modelPath', 'output.kbPath'];

function absolutise(values: SettingValues, dir: string): SettingValues {
  const out = { ...values };
  for (const k of PATH_SETTINGS) {
    const v = out[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[k] = resolvePath(dir, v);
  }
  return out;
}

/** Settings that do not shape a cell's results (where files go, how requests are sent). */
const NOT_SHAPING: Record<string, string[]> = {
  llm: ['cacheDir', 'concurrency', 'timeoutMs', 'maxRetries', 'apiKeyEnv', 'inputCostPerMTok', 'outputCostPerMTok', 'embeddingCostPerMTok', 'offline'],
  output: ['runsDir', 'kbPath'],
};

function identity(resolved: ResolvedConfig, kbText: string | null, packageVersion: string): unknown {
  const c = structuredClone(resolved.config) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, keys] of Object.entries(NOT_SHAPING)) for (const k of keys) delete c[section]![k];
  // A simulator's port changes every run; its endpoint id is what identifies it.
  if (c.llm!.endpointId) delete c.llm!.baseUrl;
  return { v: packageVersion, config: c, kb: kbText === null ? null : sha256Hex(kbText) };
}

export function baseLayers(o: CellConfigOptions): ConfigLayer[] {
  const settings = o.study.file.base.settings ?? {};
  return [
    ...(Object.keys(settings).length ? [{ source: `${o.study.path} (base.settings)`, values: absolutise(settings, o.study.dir) }] : []),
    ...(o.extraLayers ?? []),
  ];
}

export function resolveCellConfig(cell: GridCell, o: CellConfigOptions): CellConfig {
  const layers: ConfigLayer[] = [...baseLayers(o), ...cell.layers.map((l) => ({ source: l.source, values: absolutise(l.values, o.study.dir) }))];
  const resolve = (extra: ConfigLayer[]): ResolvedConfig => resolveConfig({ ...(o.study.configFile ? { configFile: o.study.configFile } : {}), layers: [...layers, ...extra] });
  const first = resolve([]);
  const kbPath = first.config.output.kbPath;
  let kbText: string | null = null;
  const fixed: ConfigLayer[] = [];
  if (kbPath) {
    try {
      kbText = readFileSync(kbPath, 'utf8');
    } catch (err) {
      throw new InputError(`cell "${cell.label}": cannot read the KB it names: ${(err as Error).message}`, kbPath);
    }
    const enabled = parseKbOrThrow(kbText, kbPath).hints.filter(isEnabled).length;
    if (enabled === 0) throw new InputError(`cell "${cell.label}": the KB has no enabled hint`, kbPath);
    fixed.push({ source: `study (fixed KB ${kbPath})`, values: { 'reflection.targetHints': enabled } });
  }
  const withFixed = fixed.length ? resolve(fixed) : first;
  const ident = identity(withFixed, kbText, o.packageVersion) as { config: Record<string, Record<string, unknown>> };
  const id = hashJson(ident).slice(0, 12);
  const warm = structuredClone(ident);
  delete warm.config.agent!.seed;
  delete warm.config.evaluation!.seed;
  delete warm.config.reflection!.targetHints;
  const dir = join(o.outDir, 'cells', id);
  const resolved = resolve([...fixed, { source: 'study (cell folders)', values: { 'output.runsDir': join(dir, 'runs'), 'output.kbPath': kbPath || join(dir, 'kb.hints.json') } }]);
  return { id, dir, resolved, fixedKb: !!kbPath, warmKey: hashJson(warm).slice(0, 12) };
}

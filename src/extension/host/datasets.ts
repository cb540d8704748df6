/**
 * Datasets the sidebar offers: `re2llm.config.json` files, folders the importers recognise by
 * their files (authors' pickles, RecBole atomic files, JSONL interchange, CSV logs), and the
 * example bundled with the extension.
 */
import { basename, dirname, join, relative } from 'node:path';
import type { SidebarDataset } from '../../protocol/webview';
import type { Workspace } from '../vscode/types';
import { DATASET_FORMAT_IDS, DATASET_FORMATS } from '../../core/config/datasetFormats';

/** File names that mark a dataset folder, one per importer. */
export const DATASET_MARKERS = DATASET_FORMAT_IDS.map((f) => DATASET_FORMATS[f].marker);
export const DATASET_GLOB = `**/{re2llm.config.json,${DATASET_MARKERS.join(',')}}`;
export const DATASET_EXCLUDE = '{**/node_modules/**,**/.tools/**,**/re2llm-runs/**,**/.re2llm-cache/**,**/dist/**}';
export const EXAMPLE_DATASET = 'examples/hetrec-mini';

export async function discoverDatasets(ws: Workspace, extensionPath: string, exampleExists: boolean): Promise<SidebarDataset[]> {
  const folders = ws.folders();
  const files = folders.length ? await ws.findFiles(DATASET_GLOB, DATASET_EXCLUDE, 200) : [];
  const display = (p: string) => {
    const root = folders.find((f) => p === f || p.startsWith(f + '/'));
    return root ? relative(root, p) || basename(p) : p;
  };
  const out = new Map<string, SidebarDataset>();
  for (const f of files.sort()) {
    if (basename(f) === 're2llm.config.json') {
      out.set(f, { id: f, label: `${basename(dirname(f))} (config)`, path: display(f), kind: 'config' });
    }
  }
  for (const f of files.sort()) {
    if (basename(f) === 're2llm.config.json') continue;
    const dir = dirname(f);
    if (!out.has(dir)) out.set(dir, { id: dir, label: basename(dir), path: display(dir), kind: 'folder' });
  }
  if (exampleExists) {
    const ex = join(extensionPath, EXAMPLE_DATASET);
    out.set(ex, { id: ex, label: 'hetrec-mini (bundled example)', path: EXAMPLE_DATASET, kind: 'example' });
  }
  return [...out.values()];
}

/**
 * `re2llm cache stats|clear`: the response cache in `llm.cacheDir` (append-only JSONL with a
 * sidecar index, shared by every run). `stats` counts entries, bytes, invalid lines and a torn
 * last record; `clear` deletes the files (the next run calls the endpoint again).
 */
import type { Command } from 'commander';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { ResponseCache } from '../../core/llm/cache';

interface CacheFlags {
  config?: string;
  set?: string[];
  dir?: string;
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function openCache(flags: CacheFlags): Promise<ResponseCache> {
  const { config } = resolveFromCli(flags, { 'llm.cacheDir': flags.dir });
  return ResponseCache.open(config.llm.cacheDir);
}

export function register(program: Command): void {
  const cache = program.command('cache').description('show statistics of, or clear, the LLM response cache (llm.cacheDir)');
  withConfigOptions(cache.command('stats').description('entries, bytes and invalid lines in the response cache').option('--dir <folder>', 'cache folder (default: llm.cacheDir)')).action(
    async (flags: CacheFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const st = await (await openCache(flags)).stats();
      const out = { file: st.file, entries: st.entries, bytes: st.bytes, indexBytes: st.indexBytes, invalidLines: st.invalidLines, tornTail: st.tornTail, ...(st.legacyFile ? { legacyFile: st.legacyFile } : {}) };
      io.result(
        out,
        `${st.file}: ${st.entries} entries, ${human(st.bytes)} (index ${human(st.indexBytes)})` +
          `${st.invalidLines ? `, ${st.invalidLines} invalid lines ignored` : ''}` +
          `${st.tornTail ? ', the last record is torn (a crash mid-write, or a write in progress): ignored' : ''}` +
          `${st.legacyFile ? `; also reads the older ${st.legacyFile}` : ''}`,
      );
    },
  );
  withConfigOptions(cache.command('clear').description('delete every cached answer').option('--dir <folder>', 'cache folder (default: llm.cacheDir)')).action(
    async (flags: CacheFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const c = await openCache(flags);
      const r = await c.clear();
      io.result({ file: c.file, ...r }, `cleared ${c.file}: ${r.removedEntries} entries, ${human(r.removedBytes)}`);
    },
  );
}

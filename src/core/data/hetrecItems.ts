/**
 * Items of the HetRec 2011 MovieLens extension (GroupLens): `movies.dat` joined with
 * `movie_genres.dat`, `movie_directors.dat` and `movie_countries.dat` into the attribute families
 * year, genres, directors (names) and countries. The files are ISO-8859-1 with CRLF line ends;
 * titles may carry HTML entities, which are decoded so the LLM sees plain text.
 */
import { join } from 'node:path';
import he from 'he';
import { InputError } from '../util/errors';
import { exists } from '../util/fs';
import { readTsv, columnIndex } from './tsv';
import { newAttributes } from './attributes';
import type { BadRows } from './badRows';
import type { Item } from './types';

export interface HetrecItemFiles {
  /** Absolute folder holding the .dat files. */
  dir: string;
  /** How file names appear in messages and the report (relative to the dataset root). */
  prefix: string;
}

export interface HetrecItems {
  items: Map<string, Item>;
  files: string[];
  notes: string[];
}

/** [file, id column, value column, attribute family]. */
const ATTRIBUTE_FILES: Array<[string, string, string, string]> = [
  ['movie_genres.dat', 'movieID', 'genre', 'genres'],
  ['movie_directors.dat', 'movieID', 'directorName', 'directors'],
  ['movie_countries.dat', 'movieID', 'country', 'countries'],
];

export async function readHetrecItems(where: HetrecItemFiles, badRows: BadRows): Promise<HetrecItems> {
  const files: string[] = [];
  const notes: string[] = [];
  const moviesName = where.prefix + 'movies.dat';
  const movies = await readTsv(join(where.dir, 'movies.dat'), moviesName, 'latin1');
  files.push(moviesName);
  const idCol = columnIndex(movies.header, 'id', moviesName);
  const titleCol = columnIndex(movies.header, 'title', moviesName);
  const yearCol = movies.header.indexOf('year');
  const items = new Map<string, Item>();
  for (const row of movies.rows) {
    const id = (row.cells[idCol] ?? '').trim();
    const rawTitle = row.cells[titleCol];
    if (!/^\d+$/.test(id)) {
      badRows.reject(new InputError(`movie id must be an integer, got "${id}"`, moviesName, row.line, 'id'));
      continue;
    }
    if (rawTitle === undefined || rawTitle.trim() === '') {
      badRows.reject(new InputError('empty title', moviesName, row.line, 'title'));
      continue;
    }
    if (items.has(id)) {
      badRows.reject(new InputError(`duplicate movie id ${id}`, moviesName, row.line, 'id'));
      continue;
    }
    const attributes = newAttributes();
    const year = yearCol >= 0 ? (row.cells[yearCol] ?? '').trim() : '';
    if (/^\d{4}$/.test(year)) attributes.year = [year];
    items.set(id, { id, title: he.decode(rawTitle.trim()), attributes });
  }
  if (movies.blankLines) notes.push(`${moviesName}: ${movies.blankLines} blank line(s) ignored`);

  for (const [file, idName, valueName, family] of ATTRIBUTE_FILES) {
    const name = where.prefix + file;
    const path = join(where.dir, file);
    if (!(await exists(path))) {
      notes.push(`${name} not found: items have no "${family}" attribute`);
      continue;
    }
    const tsv = await readTsv(path, name, 'latin1');
    files.push(name);
    const ic = columnIndex(tsv.header, idName, name);
    const vc = columnIndex(tsv.header, valueName, name);
    let unknown = 0;
    let empty = 0;
    for (const row of tsv.rows) {
      const id = (row.cells[ic] ?? '').trim();
      const value = he.decode((row.cells[vc] ?? '').trim());
      if (id === '') {
        badRows.reject(new InputError(`empty ${idName}`, name, row.line, idName));
        continue;
      }
      if (value === '') {
        // HetRec leaves the cell empty when the value is unknown (e.g. a movie's country).
        empty++;
        continue;
      }
      const item = items.get(id);
      if (!item) {
        // An attribute of a movie that movies.dat lacks: nothing to attach it to, but say so.
        unknown++;
        continue;
      }
      const values = (item.attributes[family] ??= []);
      if (!values.includes(value)) values.push(value);
    }
    if (empty) notes.push(`${name}: ${empty} row(s) with an empty ${valueName} (unknown; no value added)`);
    if (unknown) notes.push(`${name}: ${unknown} row(s) name movies absent from ${moviesName} (ignored)`);
  }
  return { items, files, notes };
}

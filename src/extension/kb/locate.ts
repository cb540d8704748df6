/** Where each hint sits in a KB document (character offsets), read with jsonc-parser. */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';

export interface LocatedHint {
  index: number;
  id?: string;
  text?: string;
  enabled: boolean;
  /** The hint object's range. */
  start: number;
  end: number;
}

function prop(obj: Node, name: string): Node | undefined {
  return obj.children?.find((p) => p.type === 'property' && p.children?.[0]?.value === name)?.children?.[1];
}

function hintsArray(text: string): Node | undefined {
  const root = parseTree(text, [], { disallowComments: true });
  if (!root) return undefined;
  const arr = findNodeAtLocation(root, ['hints']);
  return arr?.type === 'array' ? arr : undefined;
}

/** Hints in file order; entries that are not objects are skipped (the schema check reports them). */
export function locateHints(text: string): LocatedHint[] {
  const arr = hintsArray(text);
  if (!arr?.children) return [];
  const out: LocatedHint[] = [];
  arr.children.forEach((node, index) => {
    if (node.type !== 'object') return;
    const id = prop(node, 'id')?.value;
    const t = prop(node, 'text')?.value;
    const enabled = prop(node, 'enabled')?.value;
    out.push({
      index,
      id: typeof id === 'string' ? id : undefined,
      text: typeof t === 'string' ? t : undefined,
      enabled: enabled !== false,
      start: node.offset,
      end: node.offset + node.length,
    });
  });
  return out;
}

/** A text edit as plain data (offset/length into the document). */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

/**
 * The edit that disables hint `index`: sets an existing `"enabled"` value to false, or inserts
 * `"enabled": false` as the object's first property. Undefined if there is no such hint object.
 */
export function disableHintEdit(text: string, index: number): TextEdit | undefined {
  const node = hintsArray(text)?.children?.[index];
  if (!node || node.type !== 'object') return undefined;
  const value = prop(node, 'enabled');
  if (value) return value.value === false ? undefined : { offset: value.offset, length: value.length, newText: 'false' };
  const first = node.children?.[0];
  if (!first) return { offset: node.offset + 1, length: 0, newText: ' "enabled": false ' };
  // Reuse the indentation of the first property so the file stays tidy.
  const lineStart = text.lastIndexOf('\n', first.offset) + 1;
  const indent = text.slice(lineStart, first.offset);
  const sameLine = lineStart <= node.offset;
  return { offset: first.offset, length: 0, newText: sameLine ? '"enabled": false, ' : `"enabled": false,\n${indent}` };
}

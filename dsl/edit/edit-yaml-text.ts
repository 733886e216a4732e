// Applies recipe edits to a YAML recipe through the yaml package's document API: comments, blank lines,
// flow or block style and quoting of untouched nodes are kept; the file's indentation step and its
// sequence indentation are detected and reused when the document is written back.
import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { formatPath } from "../problems.ts";
import { RecipeEditError, type RecipeEdit } from "./recipe-edits.ts";

// The text with `edits` applied in order.
export function editYamlText(text: string, edits: readonly RecipeEdit[]): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new RecipeEditError(`the recipe is not valid YAML: ${document.errors[0]!.message}`);
  if (!isMap(document.contents)) throw new RecipeEditError("the YAML recipe is not a mapping (name: ..., gateway: ...)");
  for (const edit of edits) applyEdit(document, edit);
  const indent = detectYamlIndent(text);
  const flowCollectionPadding = /[[{] \S/.test(text.replace(/#.*/g, ""));
  return document.toString({ indent: indent.step, indentSeq: indent.sequencesIndented, flowCollectionPadding, lineWidth: 0, minContentWidth: 0 });
}

function applyEdit(document: Document, edit: RecipeEdit): void {
  const parentPath = edit.path.slice(0, -1);
  const parent = parentPath.length === 0 ? document.contents : document.getIn(parentPath, true);
  if (parent !== undefined && !isMap(parent) && !isSeq(parent))
    throw new RecipeEditError(`${formatPath(parentPath)} is a single value, not a mapping or list: edit it by hand`);
  const current = document.getIn(edit.path, true);
  if (edit.kind === "delete") {
    document.deleteIn(edit.path);
    return;
  }
  if (edit.kind === "set") {
    if (isScalar(current) && (current.value === null || typeof current.value !== "object") && (edit.value === null || typeof edit.value !== "object")) {
      current.value = edit.value; // keeps the scalar's comment and, where the new value allows it, its quoting
      return;
    }
    document.setIn(edit.path, document.createNode(edit.value, { flow: isFlow(current) }));
    return;
  }
  if (current === undefined && edit.kind === "append") {
    document.setIn(edit.path, document.createNode([edit.value], { flow: true }));
    return;
  }
  if (!isSeq(current)) throw new RecipeEditError(`${formatPath(edit.path)} is not a list in the recipe`);
  if (edit.kind === "append") current.add(document.createNode(edit.value));
  else if (!current.delete(edit.index)) throw new RecipeEditError(`${formatPath(edit.path)} has no element [${edit.index}] to remove`);
}

function isFlow(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && node.flow === true;
}

// The indentation step of the file's first indented line, and whether a block list under a key is
// indented (`key:\n  - a`) or not (`key:\n- a`).
function detectYamlIndent(text: string): { step: number; sequencesIndented: boolean } {
  const lines = text.split("\n").filter((line) => !/^\s*(#|$)/.test(line));
  const step = lines.map((line) => /^( +)\S/.exec(line)?.[1]?.length).find((width) => width !== undefined) ?? 2;
  let sequencesIndented = true;
  for (const [index, line] of lines.entries()) {
    const next = lines[index + 1];
    if (!next || !/:\s*$/.test(line)) continue;
    const keyIndent = /^ */.exec(line)![0].length;
    const item = /^( *)- /.exec(next);
    if (item) {
      sequencesIndented = item[1]!.length > keyIndent;
      break;
    }
  }
  return { step, sequencesIndented };
}

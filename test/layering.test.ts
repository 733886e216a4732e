// The house's layering (docs/ARCHITECTURE.md): each product folder imports only the folders it may, so that the
// imports show the pipeline dsl → gateway → image → regions with cloud/ and io/ beneath; no product file imports
// test/ or bench/; and no product file takes part in an import circle (type-only imports included).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { projectDir } from "./cli/run-cli.ts";

/** What each product folder may import, besides itself (npm packages and Node aside). */
const allowed: Readonly<Record<string, readonly string[]>> = {
  io: [],
  dsl: [],
  recipes: ["dsl"],
  cloud: ["dsl", "io"],
  gateway: ["dsl", "io"],
  image: ["dsl", "gateway", "cloud", "io"],
  regions: ["dsl", "cloud", "io"],
  cli: ["dsl", "gateway", "image", "regions", "cloud", "io"],
};

// Every .ts file of the product folders, relative to the project, with `/` separators.
function listProductFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(projectDir, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : walk(path);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
    });
  return Object.keys(allowed).flatMap(walk).sort();
}

/** One relative import of a file: where it points (project-relative) and its line. */
interface Import {
  target: string;
  line: number;
}

// The relative imports and re-exports of one file, static and dynamic, type-only ones included.
export function listRelativeImports(file: string, source: string): Import[] {
  const found: Import[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;
  for (const match of source.matchAll(pattern)) {
    const target = relative(projectDir, resolve(projectDir, dirname(file), match[1]!))
      .split(sep)
      .join("/");
    found.push({ target, line: source.slice(0, match.index).split("\n").length });
  }
  return found;
}

const folderOf = (path: string) => path.split("/")[0]!;

const files = listProductFiles();
const imports = new Map(files.map((file) => [file, listRelativeImports(file, readFileSync(join(projectDir, file), "utf8"))]));

test("each product folder imports only the folders beneath it (image/ not regions/, cloud/ and io/ neither of them)", () => {
  const violations = files.flatMap((file) =>
    imports
      .get(file)!
      .filter(({ target }) => folderOf(target) !== folderOf(file) && !allowed[folderOf(file)]!.includes(folderOf(target)))
      .map(
        ({ target, line }) => `${file}:${line} imports ${target} (${folderOf(file)}/ may import ${allowed[folderOf(file)]!.join(", ") || "no other folder"})`,
      ),
  );
  assert.deepEqual(violations, []);
});

test("no import circle among the product files", () => {
  const circles = findCircles(new Map([...imports].map(([file, list]) => [file, list.map((i) => i.target).filter((t) => imports.has(t))])));
  assert.deepEqual(
    circles.map((c) => c.join(" ↔ ")),
    [],
  );
});

test("the checks see what they check: a file that imports regions/ from image/, and a circle, are found", () => {
  const parsed = listRelativeImports("image/builders/aws/x.ts", `import type { A } from "../../../regions/preflight.ts";\nconst m = await import("./y.ts");\n`);
  assert.deepEqual(parsed, [
    { target: "regions/preflight.ts", line: 1 },
    { target: "image/builders/aws/y.ts", line: 2 },
  ]);
  assert.deepEqual(
    findCircles(
      new Map([
        ["a.ts", ["b.ts"]],
        ["b.ts", ["c.ts"]],
        ["c.ts", ["a.ts"]],
        ["d.ts", ["a.ts"]],
      ]),
    ),
    [["a.ts", "b.ts", "c.ts"]],
  );
});

// Every group of files that import each other, directly or around a circle, listed by its members in the order first
// reached (Tarjan's strongly connected components; pure).
export function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    const selfImport = graph.get(node)?.includes(node) ?? false;
    if (group.length > 1 || selfImport) groups.push(group.reverse());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return groups;
}

import type { z } from "zod";

// The field names a strict object of the recipe schema accepts at a path (through defaults, optionals,
// transforms, arrays and unions), for "did you mean" on an unknown field.
export function listKnownKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let candidates: z.core.$ZodType[] = [schema as unknown as z.core.$ZodType];
  for (const segment of path) {
    candidates = candidates.flatMap((candidate) => unwrap(candidate)).flatMap((node) => step(node, segment));
  }
  return [
    ...new Set(
      candidates.flatMap((candidate) => unwrap(candidate)).flatMap((node) => (def(node).type === "object" ? Object.keys(def(node).shape as object) : [])),
    ),
  ];
}

type Def = { type: string; [key: string]: unknown };

function def(node: z.core.$ZodType): Def {
  return node._zod.def as unknown as Def;
}

// The object/array nodes a schema node stands for.
function unwrap(node: z.core.$ZodType): z.core.$ZodType[] {
  const d = def(node);
  switch (d.type) {
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
    case "readonly":
      return unwrap(d.innerType as z.core.$ZodType);
    case "pipe":
      return unwrap(d.in as z.core.$ZodType);
    case "union":
      return (d.options as z.core.$ZodType[]).flatMap(unwrap);
    default:
      return [node];
  }
}

function step(node: z.core.$ZodType, segment: string | number): z.core.$ZodType[] {
  const d = def(node);
  if (d.type === "object" && typeof segment === "string") {
    const child = (d.shape as Record<string, z.core.$ZodType>)[segment];
    return child ? [child] : [];
  }
  if (d.type === "array" && typeof segment === "number") return [d.element as z.core.$ZodType];
  return [];
}

// What CloudFormation makes of a template for given parameter values, as far as the resource specification cannot tell:
// parameter defaults and AllowedPattern, Conditions, Rules (assertions on parameters), resources with a false Condition
// dropped, and Fn::If / AWS::NoValue / Ref-to-parameter resolved in every property. Other intrinsics are kept as they are.

type Node = unknown;
type Template = {
  Parameters?: Record<string, { Type: string; Default?: string; AllowedPattern?: string; AllowedValues?: string[] }>;
  Conditions?: Record<string, Node>;
  Rules?: Record<string, { RuleCondition?: Node; Assertions: { Assert: Node; AssertDescription?: string }[] }>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
};

/** A resource after resolution: Fn::If picked, AWS::NoValue removed, parameters substituted. */
export interface ResolvedResource {
  Type: string;
  Properties: Record<string, unknown>;
}

/** The template as a stack would get it, or why CloudFormation would refuse the parameters. */
export type ResolvedTemplate =
  | { ok: true; parameters: Record<string, string>; conditions: Record<string, boolean>; resources: Record<string, ResolvedResource> }
  | { ok: false; errors: string[] };

const noValue = Symbol("AWS::NoValue");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// Resolves the template for the given parameter values (the rest take their defaults).
export function resolveCfnTemplate(template: Template, given: Record<string, string> = {}): ResolvedTemplate {
  const errors: string[] = [];
  const parameters: Record<string, string> = {};
  for (const name of Object.keys(given)) if (!template.Parameters?.[name]) errors.push(`unknown parameter ${name}`);
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    const value = given[name] ?? p.Default;
    if (value === undefined) {
      errors.push(`parameter ${name} has no default and must be given`);
      continue;
    }
    if (p.AllowedPattern && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value))
      errors.push(`parameter ${name}: ${JSON.stringify(value)} does not match ${p.AllowedPattern}`);
    if (p.AllowedValues && !p.AllowedValues.includes(value))
      errors.push(`parameter ${name}: ${JSON.stringify(value)} is not one of ${p.AllowedValues.join(", ")}`);
    parameters[name] = value;
  }
  if (errors.length) return { ok: false, errors };
  const conditions: Record<string, boolean> = {};
  const value = (node: Node): unknown => {
    if (isObject(node) && typeof node.Ref === "string") {
      if (node.Ref in parameters) return parameters[node.Ref];
      if (node.Ref === "AWS::Region") return "us-east-1";
      throw new Error(`cannot evaluate Ref ${node.Ref} in a condition`);
    }
    return node;
  };
  const evaluate = (node: Node): boolean => {
    if (!isObject(node)) throw new Error(`not a condition: ${JSON.stringify(node)}`);
    const [fn, arg] = Object.entries(node)[0]!;
    const args = arg as Node[];
    if (fn === "Condition") return conditionOf(String(arg));
    if (fn === "Fn::Equals") return JSON.stringify(value(args[0])) === JSON.stringify(value(args[1]));
    if (fn === "Fn::Not") return !evaluate(args[0]);
    if (fn === "Fn::And") return args.every(evaluate);
    if (fn === "Fn::Or") return args.some(evaluate);
    throw new Error(`unsupported condition function ${fn}`);
  };
  const conditionOf = (name: string): boolean => {
    if (!(name in conditions)) {
      const body = template.Conditions?.[name];
      if (body === undefined) throw new Error(`unknown condition ${name}`);
      conditions[name] = evaluate(body);
    }
    return conditions[name]!;
  };
  for (const name of Object.keys(template.Conditions ?? {})) conditionOf(name);
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && !evaluate(rule.RuleCondition)) continue;
    for (const a of rule.Assertions) if (!evaluate(a.Assert)) errors.push(`rule ${name}: ${a.AssertDescription ?? "assertion failed"}`);
  }
  if (errors.length) return { ok: false, errors };
  const resolve = (node: Node): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== noValue);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === "Fn::If") {
      const [name, yes, no] = node["Fn::If"] as [string, Node, Node];
      return resolve(conditionOf(name) ? yes : no);
    }
    if (keys.length === 1 && keys[0] === "Ref") {
      const ref = String(node.Ref);
      if (ref === "AWS::NoValue") return noValue;
      if (ref in parameters) return parameters[ref];
      return node;
    }
    return Object.fromEntries(
      Object.entries(node)
        .map(([k, v]) => [k, resolve(v)])
        .filter(([, v]) => v !== noValue),
    );
  };
  const resources: Record<string, ResolvedResource> = {};
  for (const [name, r] of Object.entries(template.Resources)) {
    if (r.Condition !== undefined && !conditionOf(r.Condition)) continue;
    resources[name] = { Type: r.Type, Properties: resolve(r.Properties ?? {}) as Record<string, unknown> };
  }
  return { ok: true, parameters, conditions, resources };
}

// Checks a CloudFormation template against the CloudFormation resource specification (@aws-cdk/cfnspec):
// resource types, property names, required properties, nested property types, primitive types, and that every
// Ref / GetAtt / FindInMap / Condition points at something that exists. Returns the problems found.
import { createRequire } from "node:module";

interface PropertySpec {
  Required?: boolean;
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
}
interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
  Attributes?: Record<string, unknown>;
}
interface Spec {
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

const spec = (createRequire(import.meta.url)("@aws-cdk/cfnspec") as { specification(): Spec }).specification();
const pseudo = new Set(["AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"]);

type Template = {
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string }>;
  Outputs?: Record<string, unknown>;
};

// Every problem of the template, as "path: message".
export function checkCfnTemplate(template: Template): string[] {
  const problems: string[] = [];
  const names = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources)]);
  for (const [name, resource] of Object.entries(template.Resources)) {
    const type = spec.ResourceTypes[resource.Type];
    if (!type) {
      problems.push(`Resources.${name}: unknown type ${resource.Type}`);
      continue;
    }
    if (resource.Condition && !template.Conditions?.[resource.Condition]) problems.push(`Resources.${name}: unknown condition ${resource.Condition}`);
    checkProperties(resource.Type, type, resource.Properties ?? {}, `Resources.${name}.Properties`, problems);
  }
  walkIntrinsics(template, "", (fn, arg, path) => {
    if (fn === "Ref" && typeof arg === "string" && !names.has(arg) && !pseudo.has(arg)) problems.push(`${path}: Ref to unknown ${arg}`);
    if (fn === "Fn::GetAtt") {
      const [res, attr] = arg as [string, string];
      const target = template.Resources[res];
      if (!target) problems.push(`${path}: GetAtt of unknown resource ${res}`);
      else if (!spec.ResourceTypes[target.Type]?.Attributes?.[attr]) problems.push(`${path}: ${target.Type} has no attribute ${attr}`);
    }
    if (fn === "Fn::FindInMap" && !template.Mappings?.[(arg as [string])[0]]) problems.push(`${path}: unknown mapping ${(arg as [string])[0]}`);
    if (fn === "Fn::Sub")
      for (const [, ref] of String(arg).matchAll(/\$\{([^}]+)\}/g)) {
        const [res, attr] = ref!.split(".");
        if (!names.has(res!) && !pseudo.has(ref!)) problems.push(`${path}: Sub refers to unknown ${ref}`);
        else if (attr && !spec.ResourceTypes[template.Resources[res!]?.Type ?? ""]?.Attributes?.[attr])
          problems.push(`${path}: ${res} has no attribute ${attr}`);
      }
  });
  return problems;
}

function checkProperties(resourceType: string, type: TypeSpec, props: Record<string, unknown>, path: string, problems: string[]): void {
  const known = type.Properties ?? {};
  for (const [key, p] of Object.entries(known)) if (p.Required && !(key in props)) problems.push(`${path}: missing required ${key}`);
  for (const [key, value] of Object.entries(props)) {
    const p = known[key];
    if (!p) problems.push(`${path}.${key}: not a property of ${resourceType}`);
    else checkValue(resourceType, p, value, `${path}.${key}`, problems);
  }
}

function checkValue(resourceType: string, p: PropertySpec, value: unknown, path: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  if (p.PrimitiveType) return checkPrimitive(p.PrimitiveType, value, path, problems);
  if (p.Type === "List") {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected a list`);
    value.forEach((item, i) =>
      checkValue(
        resourceType,
        { ...(p.ItemType ? { Type: p.ItemType } : {}), ...(p.PrimitiveItemType ? { PrimitiveType: p.PrimitiveItemType } : {}) },
        item,
        `${path}[${i}]`,
        problems,
      ),
    );
    return;
  }
  if (p.Type === "Map") return;
  const nested = spec.PropertyTypes[`${resourceType}.${p.Type}`] ?? spec.PropertyTypes[p.Type ?? ""];
  if (!nested) return void problems.push(`${path}: unknown property type ${p.Type}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return void problems.push(`${path}: expected an object (${p.Type})`);
  checkProperties(resourceType, nested, value as Record<string, unknown>, path, problems);
}

function checkPrimitive(type: string, value: unknown, path: string, problems: string[]): void {
  const ok =
    type === "String"
      ? typeof value === "string"
      : type === "Integer" || type === "Double" || type === "Long"
        ? typeof value === "number" || /^-?\d+(\.\d+)?$/.test(String(value))
        : type === "Boolean"
          ? typeof value === "boolean" || value === "true" || value === "false"
          : true;
  if (!ok) problems.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
}

function isIntrinsic(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    /^(Ref|Fn::|Condition)/.test(Object.keys(value)[0]!)
  );
}

function walkIntrinsics(node: unknown, path: string, visit: (fn: string, arg: unknown, path: string) => void): void {
  if (Array.isArray(node)) return node.forEach((item, i) => walkIntrinsics(item, `${path}[${i}]`, visit));
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "Ref" || key.startsWith("Fn::")) visit(key, value, path);
    walkIntrinsics(value, path ? `${path}.${key}` : key, visit);
  }
}

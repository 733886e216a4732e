import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Problem } from "./problems.ts";

// `import ... from "rtcgw"` is checked against this rtcgw's own DSL, the one that loads the recipe
// (load-recipe.ts aliases it the same way), wherever the recipe lives.
const dslEntry = join(dirname(fileURLToPath(import.meta.url)), "index.ts");

// Type-checks a `.ts` recipe with lean compiler options (ES2022 lib only, no @types): a few hundred
// milliseconds instead of the many seconds full default libs take. ts-morph is imported only here.
export async function typecheckRecipe(file: string, cwd = process.cwd()): Promise<Problem[]> {
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      types: [],
      skipLibCheck: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      allowJs: true,
      paths: { rtcgw: [dslEntry] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  const sourceFile = project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  const diagnostics = project
    .getProgram()
    .compilerObject.getSemanticDiagnostics(sourceFile.compilerNode)
    .concat(project.getProgram().compilerObject.getSyntacticDiagnostics(sourceFile.compilerNode));
  return diagnostics.map((diagnostic) => {
    const shownFile = diagnostic.file ? relative(cwd, diagnostic.file.fileName) : relative(cwd, file);
    const position =
      diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : { line: 0, character: 0 };
    return {
      severity: diagnostic.category === ts.DiagnosticCategory.Warning ? "warning" : "error",
      path: "",
      segments: [],
      code: `TS${diagnostic.code}`,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, " "),
      location: { file: shownFile, line: position.line + 1, column: position.character + 1 },
    } satisfies Problem;
  });
}

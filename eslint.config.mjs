// ESLint (flat config): a few rules that catch real bugs in async-heavy TypeScript, type-aware through tsconfig.json.
// The recommended-type-checked set is deliberately not used: it is too noisy for this code. `npm run lint` runs it, and
// test/lint.test.ts keeps `npm test` failing on any error.
import { fileURLToPath } from "node:url";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// node:test's functions return promises that the runner itself awaits: calling them at top level is the normal use.
const nodeTestCalls = ["test", "describe", "it", "suite", "before", "after", "beforeEach", "afterEach"].map((name) => ({
  from: "package",
  package: "node:test",
  name,
}));

export default defineConfig(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "out/",
      "test-artifacts/",
      ".rtcgw/",
      // Recipes that are meant to be wrong (and outside tsconfig.json), and compiled output kept for review.
      "test/dsl/fixtures/",
      "test/golden/",
      // Browser JavaScript served as is to the /tryit/ page (not TypeScript, not in tsconfig.json).
      "gateway/agent/tryit/",
      // Plain Node scripts outside tsconfig.json (no allowJs), so without type information.
      "**/*.mjs",
    ],
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL(".", import.meta.url)) },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      eqeqeq: ["error", "always"],
      "no-fallthrough": "error",
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-floating-promises": ["error", { allowForKnownSafeCalls: nodeTestCalls }],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
);

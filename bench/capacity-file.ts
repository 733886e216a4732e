// Writes what a benchmark measured into dsl/measured-capacity.json (the figures `rtcgw check`, the go page and the
// templates quote): this machine's configuration gets the new figures, every other figure stays. Atomic (temp + rename).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { capacityFigureLabels, parseMeasuredCapacity, type CapacityFigureName, type MeasuredFigure } from "../dsl/measured-capacity.ts";

const capacityFile = fileURLToPath(new URL("../dsl/measured-capacity.json", import.meta.url));

/** A benchmark's result for one figure (the date, command and load are added here). */
export interface FigureResult {
  value: number;
  limitFound: boolean;
  loadAverage: number;
}

// This machine as the capacity file names it: cores, CPU model, and that the load generator shared it.
export function describeThisMachine(): string {
  const model = cpus()[0]?.model.trim() || "unknown CPU";
  return `${cpus().length} cores (${model}), load generator on the same machine, loopback`;
}

// Whether a new result replaces the recorded figure: always, except a lower bound (every step the run tried was
// clean) below what is recorded: it says only that the limit lies above that run's largest step, which the
// recorded figure already says (a narrow run, e.g. 50 setups/s while checking transcoding, must not erase 200).
export function replacesRecordedFigure(recorded: MeasuredFigure | undefined, next: FigureResult): boolean {
  return !recorded || next.limitFound || next.value >= recorded.value;
}

// Records `figures` for this machine unless the command line has --no-capacity (`--record=a,b`: only those figures);
// prints what it wrote.
export function recordCapacityFigures(figures: Partial<Record<CapacityFigureName, FigureResult>>, argv = process.argv): void {
  const only = argv
    .find((a) => a.startsWith("--record="))
    ?.slice("--record=".length)
    .split(",");
  const unknown = only?.filter((name) => !(name in capacityFigureLabels)) ?? [];
  if (unknown.length) throw new Error(`--record: unknown figure ${unknown.join(", ")}; known: ${Object.keys(capacityFigureLabels).join(", ")}`);
  if (only) figures = Object.fromEntries(Object.entries(figures).filter(([name]) => only.includes(name)));
  if (argv.includes("--no-capacity") || Object.keys(figures).length === 0) return;
  const command = `npx tsx ${argv
    .slice(1)
    .filter((a) => !a.startsWith("--record="))
    .map((a) => a.replace(/^.*\/(bench\/)/, "$1"))
    .join(" ")}`;
  const measuredAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const capacity = parseMeasuredCapacity(JSON.parse(readFileSync(capacityFile, "utf8")), capacityFile);
  const machine = describeThisMachine();
  let configuration = capacity.configurations.find((c) => c.machine === machine);
  if (!configuration) capacity.configurations.push((configuration = { machine, cores: cpus().length, figures: {} }));
  for (const [name, result] of Object.entries(figures) as [CapacityFigureName, FigureResult][]) {
    const recorded = configuration.figures[name];
    if (!replacesRecordedFigure(recorded, result)) {
      console.log(`capacity: kept ${recorded!.value} ${capacityFigureLabels[name]} (this run: ≥ ${result.value}, a lower bound below it)`);
      continue;
    }
    const figure: MeasuredFigure = {
      value: result.value,
      limitFound: result.limitFound,
      measuredAt,
      command,
      loadAverage: Math.round(result.loadAverage * 100) / 100,
    };
    configuration.figures[name] = figure;
    console.log(`capacity: ${figure.limitFound ? "" : "≥ "}${figure.value} ${capacityFigureLabels[name]} → dsl/measured-capacity.json`);
  }
  const text = `${JSON.stringify(parseMeasuredCapacity(capacity), null, 2)}\n`;
  const temp = `${capacityFile}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, capacityFile);
}

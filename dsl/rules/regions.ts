import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { awsRegions } from "../aws-regions.ts";
import { closestName } from "../suggest.ts";

// Every region exists (with a suggestion when misspelt), all are in one partition (one account publishes to
// one), and opt-in regions are flagged: the account must enable them first.
export function checkRegions(recipe: Recipe): Problem[] {
  if (recipe.regions === "all-enabled") return [];
  const problems: Problem[] = [];
  let first: { index: number; name: string; partition: string } | undefined;
  recipe.regions.forEach((name, index) => {
    const region = awsRegions.get(name);
    if (!region) {
      const guess = closestName(name, [...awsRegions.keys()]);
      problems.push(
        problemAt(
          ["regions", index],
          `unknown AWS region "${name}": ${guess ? `did you mean "${guess}"?` : "see https://docs.aws.amazon.com/general/latest/gr/rande.html"}`,
        ),
      );
      return;
    }
    if (!first) first = { index, name, partition: region.partition };
    else if (region.partition !== first.partition) {
      problems.push(
        problemAt(
          ["regions", index],
          `${name} is in the ${region.partition} partition and regions[${first.index}] (${first.name}) in ${first.partition}: one recipe publishes to one partition`,
        ),
      );
    }
    if (region.optIn) {
      problems.push(
        problemAt(
          ["regions", index],
          `${name} (${region.title}) is an opt-in region: enable it in the account (Account settings → AWS Regions) or the build fails there`,
          "warning",
        ),
      );
    }
  });
  return problems;
}

import type { Recipe } from "../../../dsl/resolve.ts";
import type { Bundle } from "../../bundle/compile-bundle.ts";

/** What `buildAwsImage` needs. */
export interface BuildAwsImageOptions {
  recipe: Recipe;
  bundle: Bundle;
  /** Where the image is built (the copies start from here). */
  region: string;
  journalPath: string;
  /** S3 bucket for the bundle and the command logs. @default `rtcgw-<account>-<region>` */
  stagingBucket?: string;
  /** Time allowed for provision.sh. @default 2 h */
  provisionBudgetMs?: number;
}

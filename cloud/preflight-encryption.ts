// Which regions' AMIs would end up encrypted, and whether that allows the recipe's visibility.
//
// EC2 encrypts a new volume when asked (image.disk.encrypted) or when the region has EBS encryption by default on, with the
// region's default EBS key either way (rtcgw names no key). The image made from the builder keeps that encryption; a copy
// into another region is encrypted when its source is or when that region encrypts by default, with that region's default
// key. An AMI with encrypted snapshots can never be public; with the AWS managed key (alias/aws/ebs) it cannot be shared with
// other accounts either, since that key's policy cannot grant them anything. With a customer managed default key it can:
// the key policy must then let those accounts use the key (pre-flight cannot read key policies: docs/AWS-PERMISSIONS.md).
import type { Recipe } from "../dsl/resolve.ts";
import type { PreflightProblem } from "./preflight-problem.ts";

/** One region's EBS encryption defaults (GetEbsEncryptionByDefault, GetEbsDefaultKmsKeyId). */
export interface EbsDefaults {
  enabled: boolean;
  kmsKeyId: string;
}

// Whether a key id is the AWS managed EBS key (its alias or the alias's ARN; its key ARN cannot be told apart without
// kms:DescribeKey, which rtcgw does not call: AWS answers the alias unless the account chose another key).
function isAwsManagedEbsKey(keyId: string): boolean {
  return keyId === "alias/aws/ebs" || /:alias\/aws\/ebs$/.test(keyId);
}

// The problems of publishing the recipe's AMI to `regions` (the source region first) given each region's defaults (pure).
export function checkEncryptedPublish(recipe: Recipe, sourceRegion: string, defaults: ReadonlyMap<string, EbsDefaults>): PreflightProblem[] {
  const visibility = recipe.publish.visibility;
  if (visibility === "private") return [];
  const source = defaults.get(sourceRegion);
  const sourceEncrypted = recipe.image.disk.encrypted || Boolean(source?.enabled);
  const problems: PreflightProblem[] = [];
  for (const [region, d] of defaults) {
    const fromRecipe = region === sourceRegion && recipe.image.disk.encrypted;
    if (!(sourceEncrypted || d.enabled)) continue;
    const key = isAwsManagedEbsKey(d.kmsKeyId) ? "the AWS managed key alias/aws/ebs" : `key ${d.kmsKeyId}`;
    const cause = d.enabled
      ? `EBS encryption by default is on in ${region} with ${key}`
      : fromRecipe
        ? `image.disk.encrypted is true: the builder's disk is encrypted with ${region}'s default EBS key, ${key}`
        : `the copy in ${region} comes from an encrypted image and is encrypted with ${region}'s default EBS key, ${key}`;
    const off = d.enabled
      ? `turn it off (\`aws ec2 disable-ebs-encryption-by-default --region ${region}\`, or EC2 → Settings → Data protection and security)`
      : fromRecipe
        ? "set image.disk.encrypted to false"
        : `turn encryption off where it starts (${sourceRegion})`;
    if (visibility === "public") {
      // The recipe's own encryption with a public AMI is refused by `rtcgw check` and above, region-less.
      if (d.enabled)
        problems.push({
          region,
          code: "ebs-encryption-by-default",
          message: `${cause}: every volume, snapshot and AMI copy there is encrypted, and an AMI with encrypted snapshots cannot be made public; ${off}, remove ${region} from \`regions\`, or publish to \`{ accounts: [...] }\` with a customer managed default key`,
        });
    } else if (isAwsManagedEbsKey(d.kmsKeyId)) {
      problems.push({
        region,
        code: "shared-encrypted",
        message: `${cause}: snapshots under that key cannot be shared with other accounts; make a customer managed KMS key the region's default EBS key (\`aws ec2 modify-ebs-default-kms-key-id --region ${region} --kms-key-id KEY-ARN\`) and let the accounts use it in its key policy, or ${off}`,
      });
    }
  }
  return problems;
}

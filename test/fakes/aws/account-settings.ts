// Account-level settings of the fake account, per region, as EC2 applies them:
// - EBS encryption by default: every new volume (RunInstances) and every AMI copy made in the region is encrypted, even when
//   the call did not ask for it; the key is the region's default EBS key (`alias/aws/ebs`, the AWS managed key, unless the
//   account set a customer managed one). A call asking for encryption without a key gets that key too.
// - AMI block public access: no image of the region can be made public.
// An AMI whose snapshots are encrypted can never be public; with the AWS managed key it cannot be shared with other
// accounts either (its key policy cannot be changed); with a customer managed key it can (the key policy must then let the
// accounts use the key, which the fake does not model).
import type { FakeContext } from "./fake-state.ts";

/** One region's account settings. */
export interface AccountSettings {
  ebsEncryptionByDefault: boolean;
  /** What GetEbsDefaultKmsKeyId answers: `alias/aws/ebs` until the account picks a customer managed key (its ARN). */
  ebsDefaultKmsKeyId: string;
  imageBlockPublicAccess: "unblocked" | "block-new-sharing";
}

/** The region's default EBS key until the account changes it. */
export const awsManagedEbsKey = "alias/aws/ebs";

// The settings in force in a region (the `blockPublicAccessIn` fault turns AMI block public access on too).
export function accountSettingsIn(ctx: FakeContext, region: string): AccountSettings {
  const set = ctx.state.accountSettings.get(region);
  const blocked = set?.imageBlockPublicAccess === "block-new-sharing" || ctx.faults.blockPublicAccessIn.includes(region);
  return {
    ebsEncryptionByDefault: set?.ebsEncryptionByDefault ?? false,
    ebsDefaultKmsKeyId: set?.ebsDefaultKmsKeyId ?? awsManagedEbsKey,
    imageBlockPublicAccess: blocked ? "block-new-sharing" : "unblocked",
  };
}

// The encryption of a volume or snapshot created in the region: encrypted when asked or when the source is, or when the
// region encrypts by default; a new encryption (or a copy into another region) uses the region's default key.
export function encryptionIn(ctx: FakeContext, region: string, asked: boolean): { encrypted: boolean; kmsKeyId?: string } {
  const settings = accountSettingsIn(ctx, region);
  return asked || settings.ebsEncryptionByDefault ? { encrypted: true, kmsKeyId: settings.ebsDefaultKmsKeyId } : { encrypted: false };
}

// Whether a key id names the AWS managed EBS key (its alias, or the alias's ARN; no key id: the default, that key).
export function isAwsManagedEbsKey(keyId: string | undefined): boolean {
  return keyId === undefined || keyId === awsManagedEbsKey || /:alias\/aws\/ebs$/.test(keyId ?? "");
}

// What pre-flight finds (cloud/preflight.ts and the checks it runs): one problem per region and cause, with what to do.

/** One thing that would make the run fail, found before anything is created. */
export interface PreflightProblem {
  region?: string;
  code:
    | "credentials"
    | "region-unknown"
    | "region-disabled"
    | "name-taken"
    | "block-public-access"
    | "public-quota"
    | "public-encrypted"
    | "shared-encrypted"
    | "ebs-encryption-by-default"
    | "cloud-error"
    | "s3-block-public-access"
    | "deprecation-too-late"
    | "artifact-prefix"
    | "no-default-vpc"
    | "subnet-not-found";
  message: string;
}

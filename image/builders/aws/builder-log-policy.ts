// The inline policy that lets the temporary builder role upload its Run Command output.
//
// runSsmScript asks SSM to write each command's full stdout/stderr to `s3://<bucket>/logs/<build id>/…`, and
// the SSM agent does that upload with the *instance's* credentials. AmazonSSMManagedInstanceCore gives the
// agent what it needs to take commands but no s3:PutObject, so without this policy the upload fails
// silently (the command still succeeds) and only the API's first 24,000 characters are left. The policy
// allows that one action on this build's log prefix only: no read, no list, no other build's logs, no other
// key of the bucket (the staging bundle comes through a presigned URL, signed by the operator).

/** The name of the inline policy on `rtcgw-build-<id>` roles. */
export const builderLogPolicyName = "rtcgw-command-output";

/** Where a build's Run Command output goes in the staging bucket. */
export function logPrefixFor(buildId: string): string {
  return `logs/${buildId}/`;
}

// The ARN partition of a region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere.
export function partitionOf(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

// The policy document (pure): s3:PutObject on `arn:<partition>:s3:::<bucket>/logs/<build id>/*` and nothing else.
export function renderBuilderLogPolicy(bucket: string, buildId: string, region: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`not an S3 bucket name: ${JSON.stringify(bucket)}`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(buildId)) throw new Error(`not a build id: ${JSON.stringify(buildId)}`);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "UploadRunCommandOutput", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:${partitionOf(region)}:s3:::${bucket}/${logPrefixFor(buildId)}*` }],
  });
}

// The EC2 launch wizard for an AMI, in the console's own URL format.
export function formatLaunchInstanceUrl(region: string, imageId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#LaunchInstances:ami=${imageId}`;
}

// CloudFormation quick-create for a template in S3 (an HTTPS S3 URL: website URLs are rejected), with parameters prefilled.
export function formatLaunchStackUrl(region: string, templateUrl: string, stackName: string, params: Record<string, string> = {}): string {
  const extra = Object.entries(params)
    .map(([key, value]) => `&param_${key}=${encodeURIComponent(value)}`)
    .join("");
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/create/review?templateURL=${encodeURIComponent(templateUrl)}&stackName=${encodeURIComponent(stackName)}${extra}`;
}

// The virtual-hosted HTTPS URL of an S3 object.
export function formatS3Url(bucket: string, region: string, key: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/${key.split("/").map(encodeURIComponent).join("/")}`;
}

// AWS's commercial, China and GovCloud regions (from AWS's region list, December 2026), with their partition and
// whether an account must opt in before using them. Recipes are checked against it: a misspelt region fails at
// `check`, not an hour into a publish.

/** One AWS region. */
export interface AwsRegion {
  name: string;
  title: string;
  partition: "aws" | "aws-cn" | "aws-us-gov";
  optIn: boolean;
}

const commercial: [string, string, boolean][] = [
  ["us-east-1", "US East (N. Virginia)", false],
  ["us-east-2", "US East (Ohio)", false],
  ["us-west-1", "US West (N. California)", false],
  ["us-west-2", "US West (Oregon)", false],
  ["af-south-1", "Africa (Cape Town)", true],
  ["ap-east-1", "Asia Pacific (Hong Kong)", true],
  ["ap-east-2", "Asia Pacific (Taipei)", true],
  ["ap-south-1", "Asia Pacific (Mumbai)", false],
  ["ap-south-2", "Asia Pacific (Hyderabad)", true],
  ["ap-southeast-1", "Asia Pacific (Singapore)", false],
  ["ap-southeast-2", "Asia Pacific (Sydney)", false],
  ["ap-southeast-3", "Asia Pacific (Jakarta)", true],
  ["ap-southeast-4", "Asia Pacific (Melbourne)", true],
  ["ap-southeast-5", "Asia Pacific (Malaysia)", true],
  ["ap-southeast-6", "Asia Pacific (New Zealand)", true],
  ["ap-southeast-7", "Asia Pacific (Thailand)", true],
  ["ap-northeast-1", "Asia Pacific (Tokyo)", false],
  ["ap-northeast-2", "Asia Pacific (Seoul)", false],
  ["ap-northeast-3", "Asia Pacific (Osaka)", false],
  ["ca-central-1", "Canada (Central)", false],
  ["ca-west-1", "Canada West (Calgary)", true],
  ["eu-central-1", "Europe (Frankfurt)", false],
  ["eu-central-2", "Europe (Zurich)", true],
  ["eu-west-1", "Europe (Ireland)", false],
  ["eu-west-2", "Europe (London)", false],
  ["eu-west-3", "Europe (Paris)", false],
  ["eu-south-1", "Europe (Milan)", true],
  ["eu-south-2", "Europe (Spain)", true],
  ["eu-north-1", "Europe (Stockholm)", false],
  ["il-central-1", "Israel (Tel Aviv)", true],
  ["me-south-1", "Middle East (Bahrain)", true],
  ["me-central-1", "Middle East (UAE)", true],
  ["mx-central-1", "Mexico (Central)", true],
  ["sa-east-1", "South America (São Paulo)", false],
];

/** Every region rtcgw knows, by name. */
export const awsRegions: ReadonlyMap<string, AwsRegion> = new Map(
  [
    ...commercial.map(([name, title, optIn]): AwsRegion => ({ name, title, partition: "aws", optIn })),
    { name: "cn-north-1", title: "China (Beijing)", partition: "aws-cn", optIn: false },
    { name: "cn-northwest-1", title: "China (Ningxia)", partition: "aws-cn", optIn: false },
    { name: "us-gov-west-1", title: "AWS GovCloud (US-West)", partition: "aws-us-gov", optIn: false },
    { name: "us-gov-east-1", title: "AWS GovCloud (US-East)", partition: "aws-us-gov", optIn: false },
  ].map((region): [string, AwsRegion] => [region.name, region as AwsRegion]),
);

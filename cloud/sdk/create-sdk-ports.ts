import type { CloudPorts } from "../ports.ts";
import { createRealClock } from "../real-clock.ts";
import type { SdkOptions } from "./client-options.ts";
import { createEbsAdapter } from "./ebs-adapter.ts";
import { createEc2Adapter } from "./ec2-adapter.ts";
import { createIamAdapter, createStsAdapter } from "./iam-sts-adapter.ts";
import { createS3Adapter } from "./s3-adapter.ts";
import { createSsmAdapter } from "./ssm-adapter.ts";

// Every cloud port over real AWS (default credential chain, `--profile`, `--region`) and the wall clock.
export function createSdkPorts(options: SdkOptions): CloudPorts {
  return {
    ec2: createEc2Adapter(options),
    ebs: createEbsAdapter(options),
    ssm: createSsmAdapter(options),
    s3: createS3Adapter(options),
    iam: createIamAdapter(options),
    sts: createStsAdapter(options),
    clock: createRealClock(),
  };
}

// The optional SSH key pair of both templates. `AWS::EC2::KeyPair::KeyName` cannot be left empty, so the parameter is a
// String and the instance gets `KeyName` only when one is given: without it, Session Manager reaches the gateway (its
// instance role has AmazonSSMManagedInstanceCore), or nothing does, which is a valid choice too.

/** The `KeyName` parameter. */
export const keyNameParameter = {
  KeyName: {
    Type: "String",
    Default: "",
    AllowedPattern: "[\\x20-\\x7E]{0,255}",
    Description: "Optional: an EC2 key pair for SSH as the admin user; empty: no key (use Session Manager)",
  },
};

/** The condition that a key pair was given. */
export const hasKeyNameCondition = { HasKeyName: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "KeyName" }, ""] }] } };

/** The instance's or launch template's `KeyName`: the parameter when given, no property otherwise. */
export const optionalKeyName = { "Fn::If": ["HasKeyName", { Ref: "KeyName" }, { Ref: "AWS::NoValue" }] };

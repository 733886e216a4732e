// The recipe defaults that more than one module applies (the schema and resolve.ts), written once. Every default is
// also documented with `@default` in dsl/types.ts; test/dsl/documented-defaults.test.ts holds the two equal.

/** `*` + 8 digits, the digits naming the room. */
export const defaultConferencePattern = "^\\*([0-9]{8})$";
export const defaultMusicPattern = "^music$";
/** Everything. */
export const catchAllPattern = ".*";

/** Codecs offered on each side when no codec-policy rule says otherwise (and a codec-policy rule's own defaults). */
export const defaultCodecs = { webrtc: ["opus", "PCMU", "PCMA"], sip: ["PCMU", "PCMA"] } as const;

// The service's settings from its command line (written into the systemd unit) and environment. Pure.

/** Everything the service can be told at start. */
export interface MediaServiceSettings {
  /** SIP and RTP bind address. @default "127.0.0.1" */
  address: string;
  /** SIP UDP port; 0 picks a free one (tests). @default 5090 */
  port: number;
  /** Conference rooms open at once. @default 50 */
  roomLimit: number;
  /** Participants per room. @default 100 */
  participantLimit: number;
  /** Silence from a leg for this long ends its call. @default 30000 */
  rtpTimeoutMs: number;
  /** Wait before answering an INVITE. @default 0 */
  answerDelayMs: number;
  /** Calls at once, rooms and music together. @default 2000 */
  maxDialogs: number;
}

/** The defaults, matching the recipe's `gateway.media` defaults. */
export const defaultMediaSettings: MediaServiceSettings = {
  address: "127.0.0.1",
  port: 5090,
  roomLimit: 50,
  participantLimit: 100,
  rtpTimeoutMs: 30_000,
  answerDelayMs: 0,
  maxDialogs: 2000,
};

const options: Record<string, { key: keyof MediaServiceSettings; env: string; min: number; max: number }> = {
  "--port": { key: "port", env: "RTCGW_MEDIA_PORT", min: 0, max: 65535 },
  "--room-limit": { key: "roomLimit", env: "RTCGW_MEDIA_ROOM_LIMIT", min: 1, max: 10000 },
  "--participant-limit": { key: "participantLimit", env: "RTCGW_MEDIA_PARTICIPANT_LIMIT", min: 1, max: 10000 },
  "--rtp-timeout-ms": { key: "rtpTimeoutMs", env: "RTCGW_MEDIA_RTP_TIMEOUT_MS", min: 100, max: 3_600_000 },
  "--answer-delay-ms": { key: "answerDelayMs", env: "RTCGW_MEDIA_ANSWER_DELAY_MS", min: 0, max: 60_000 },
  "--max-dialogs": { key: "maxDialogs", env: "RTCGW_MEDIA_MAX_DIALOGS", min: 1, max: 100_000 },
};

// Reads `--name value` arguments over `RTCGW_MEDIA_*` variables over the defaults; errors name the option and the bad value.
export function readMediaSettings(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { ok: true; settings: MediaServiceSettings } | { ok: false; error: string } {
  const settings: MediaServiceSettings = { ...defaultMediaSettings };
  const address = env.RTCGW_MEDIA_ADDRESS;
  if (address !== undefined) settings.address = address;
  for (const option of Object.values(options)) {
    const value = env[option.env];
    if (value === undefined) continue;
    const error = setNumber(settings, option, value, `\`${option.env}\``);
    if (error) return { ok: false, error };
  }
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) return { ok: false, error: `Expected a value after \`${name}\`` };
    if (name === "--address") settings.address = value;
    else if (options[name]) {
      const error = setNumber(settings, options[name], value, `\`${name}\``);
      if (error) return { ok: false, error };
    } else return { ok: false, error: `Unknown option \`${name}\` (expected --address, ${Object.keys(options).join(", ")})` };
  }
  if (!/^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$/.test(settings.address))
    return { ok: false, error: `Expected \`--address\` to be an IPv4 address, got \`${settings.address}\`` };
  return { ok: true, settings };
}

function setNumber(
  settings: MediaServiceSettings,
  option: { key: keyof MediaServiceSettings; min: number; max: number },
  value: string,
  label: string,
): string | undefined {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < option.min || number > option.max) {
    return `Expected ${label} to be an integer from ${option.min} to ${option.max}, got \`${value}\``;
  }
  (settings as unknown as Record<string, number>)[option.key] = number;
  return undefined;
}

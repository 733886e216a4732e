// Tight patterns for every string that can reach a generated file: none admits a control
// character, a quote or a backslash where the target syntax would give it meaning.

const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const ipv4Octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const ipv4 = `${ipv4Octet}(?:\\.${ipv4Octet}){3}`;
const ipv6 = "[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*";

export const namePattern = /^[a-z][a-z0-9-]{0,62}$/;
export const hostnamePattern = new RegExp(`^(?=.{1,253}$)${label}(?:\\.${label})*$`);
export const ipv4Pattern = new RegExp(`^${ipv4}$`);
export const ipv6Pattern = new RegExp(`^${ipv6}$`);
export const cidrPattern = new RegExp(`^(?:${ipv4}(?:/(?:3[0-2]|[12]?[0-9]))?|${ipv6}(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$`);
/** A dial-plan regular expression: no quotes, whitespace, slashes or control characters. */
export const dialPatternPattern = /^[A-Za-z0-9*#+^$.()[\]{}|?\\,_-]{1,128}$/;
export const userAgentFragmentPattern = /^[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-]$/;
export const imagePathPattern = /^(?:\/[A-Za-z0-9_.@+-]+)+$/;
export const debianPackagePattern = /^[a-z0-9][a-z0-9+.-]{1,62}(?:=[A-Za-z0-9.+~:-]{1,64})?$/;
export const ssmNamePattern = /^\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
export const unixUserPattern = /^[a-z_][a-z0-9_-]{0,31}$/;
export const instanceTypePattern = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const instanceProfilePattern = /^[A-Za-z0-9+=,.@_-]{1,128}$/;
export const subnetIdPattern = /^subnet-[0-9a-f]{8,17}$/;
export const regionPattern = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;
export const accountPattern = /^[0-9]{12}$/;
export const versionPattern = /^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][A-Za-z0-9.]{1,32})?$/;
export const titlePattern = /^[^\u0000-\u001f\u007f<>"'`&\\]{1,80}$/;
/** One or more PEM certificates (a CA to trust): base64 bodies only, nothing a config could interpret. */
export const pemCertificatesPattern = /^(?:-----BEGIN CERTIFICATE-----\r?\n(?:[A-Za-z0-9+/=]{1,76}\r?\n)+-----END CERTIFICATE-----\r?\n?)+$/;
/** A recipe file's base name: it is written into every generated file's header comment. */
export const recipeFileNamePattern = /^[A-Za-z0-9._+@-][A-Za-z0-9 ._+@-]{0,127}$/;
export const durationPattern = /^([0-9]{1,7})(ms|s|m|h|d)$/;
export const portRangePattern = /^([0-9]{1,5})-([0-9]{1,5})$/;

/** True when `value` is an IPv4 or IPv6 literal. */
export function isIpAddress(value: string): boolean {
  return ipv4Pattern.test(value) || (ipv6Pattern.test(value) && value.includes(":"));
}

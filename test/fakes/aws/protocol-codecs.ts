// Wire formats of the fake endpoint: EC2 Query (form in, XML out), STS Query (XML) and SSM JSON 1.1.
import type { ImageRecord } from "../../../cloud/ports.ts";

// Parses `A.1.B=x&A.1.C.1=y` form bodies into nested objects (numbered keys stay object keys).
export function parseQueryBody(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return root;
}

// The values of a numbered list (`Owner.1`, `Owner.2` → [..]).
export function listOf<T = unknown>(value: unknown): T[] {
  if (!value || typeof value !== "object") return [];
  return Object.keys(value)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => (value as Record<string, T>)[k]!);
}

// Escapes text for an XML element or attribute.
export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
const escape = xmlEscape;

// An EC2 `tagSet` element.
export function tagSetXml(tags: Record<string, string>): string {
  return `<tagSet>${Object.entries(tags)
    .map(([k, v]) => `<item><key>${escape(k)}</key><value>${escape(v)}</value></item>`)
    .join("")}</tagSet>`;
}

// An EC2 Query response document.
export function ec2Response(action: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>${inner}</${action}Response>`;
}

// An EC2 error document.
export function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`;
}

// One image in DescribeImages' XML.
export function imageXml(image: ImageRecord): string {
  const devices = image.snapshotIds.map((s) => `<item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>${s}</snapshotId></ebs></item>`).join("");
  return (
    `<item><imageId>${image.imageId}</imageId><name>${escape(image.name)}</name><imageState>${image.state}</imageState><imageOwnerId>${image.ownerId}</imageOwnerId>` +
    `<creationDate>${image.creationDate}</creationDate><isPublic>${image.public}</isPublic><blockDeviceMapping>${devices}</blockDeviceMapping>${tagSetXml(image.tags)}` +
    `${image.deprecationTime ? `<deprecationTime>${image.deprecationTime}</deprecationTime>` : ""}${image.imdsSupport ? `<imdsSupport>${image.imdsSupport}</imdsSupport>` : ""}</item>`
  );
}

// An STS (awsQuery) response document.
export function stsResponse(action: string, result: string): string {
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`;
}

// An STS error document.
export function stsError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;
}

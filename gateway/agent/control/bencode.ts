// Bencode, the encoding of rtpengine's ng control protocol: strings, integers, lists and dictionaries.

/** A bencoded value as JavaScript data (byte strings decode as UTF-8). */
export type BencodeValue = string | number | BencodeValue[] | { [key: string]: BencodeValue };

// Encodes a value; dictionary keys are sorted as the format requires.
export function encodeBencode(value: BencodeValue): Buffer {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`bencode integers only, got \`${value}\``);
    return Buffer.from(`i${value}e`);
  }
  if (typeof value === "string") {
    const bytes = Buffer.from(value);
    return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([Buffer.from("l"), ...value.map(encodeBencode), Buffer.from("e")]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([Buffer.from("d"), ...keys.flatMap((key) => [encodeBencode(key), encodeBencode(value[key]!)]), Buffer.from("e")]);
}

// Decodes one value that must fill the whole buffer.
export function decodeBencode(bytes: Buffer): BencodeValue {
  const [value, end] = decodeAt(bytes, 0, 0);
  if (end !== bytes.length) throw new Error(`bencode: ${bytes.length - end} trailing bytes`);
  return value;
}

function decodeAt(bytes: Buffer, at: number, depth: number): [BencodeValue, number] {
  if (depth > 32) throw new Error("bencode: nested too deep");
  const head = bytes[at];
  if (head === undefined) throw new Error("bencode: unexpected end");
  if (head === 0x69 /* i */) {
    const end = bytes.indexOf(0x65, at);
    const text = bytes.subarray(at + 1, end).toString();
    if (end < 0 || !/^-?\d+$/.test(text)) throw new Error(`bencode: bad integer at ${at}`);
    return [Number(text), end + 1];
  }
  if (head === 0x6c /* l */ || head === 0x64 /* d */) {
    const items: BencodeValue[] = [];
    let next = at + 1;
    while (bytes[next] !== 0x65) {
      if (next >= bytes.length) throw new Error("bencode: unterminated list");
      const [item, after] = decodeAt(bytes, next, depth + 1);
      items.push(item);
      next = after;
    }
    if (head === 0x6c) return [items, next + 1];
    const dict: { [key: string]: BencodeValue } = {};
    for (let i = 0; i + 1 < items.length; i += 2) dict[String(items[i])] = items[i + 1]!;
    return [dict, next + 1];
  }
  const colon = bytes.indexOf(0x3a, at);
  const length = Number(bytes.subarray(at, colon).toString());
  if (colon < 0 || !Number.isInteger(length) || colon + 1 + length > bytes.length) throw new Error(`bencode: bad string at ${at}`);
  return [bytes.subarray(colon + 1, colon + 1 + length).toString(), colon + 1 + length];
}

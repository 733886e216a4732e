import { CharSet, DFA, JS, NFA, Words } from "refa";
import type { NoParent, Node as RegexNode } from "refa";

// The exact set of dialled users a dial-plan pattern matches, as a finite automaton (refa), so that
// "is this route ever reached?" is decided by language inclusion instead of by sampling.
//
// Kamailio tests a pattern against the dialled user with a search (`$rU =~ "pattern"`): the pattern may
// match anywhere unless anchored, and `^`/`$` anchor at the ends of the user. To get a pure regular
// language, each user is framed as START user END with two sentinel characters that no dialled user and
// no pattern contains: `^` becomes START, `$` becomes END, and a search for X is the framed words in
// (any)* X (any)*. A SIP URI user is visible ASCII (RFC 3261), which is the alphabet here.

const maxCharacter = 0xffff;
const start = 0xe000;
const end = 0xe001;
const sentinels = CharSet.empty(maxCharacter).union([{ min: start, max: end }]);
const userCharacters = CharSet.empty(maxCharacter).union([{ min: 0x21, max: 0x7e }]);

/** The framed language of one pattern (refa NFA), ready for inclusion tests. */
export type DialLanguage = NFA;

// The language of dialled users `pattern` matches (throws on what refa cannot represent, e.g. a backreference).
export function buildDialLanguage(pattern: string): DialLanguage {
  const { expression } = JS.Parser.fromLiteral({ source: pattern, flags: "" }).parse({ assertions: "parse", backreferences: "throw", simplify: false });
  const anything = repeat(charClass(CharSet.all(maxCharacter)));
  const search: NoParent<RegexNode> = {
    type: "Concatenation",
    elements: [anything, { type: "Alternation", alternatives: expression.alternatives.map((a) => replaceAnchors(a)) } as NoParent<RegexNode>, anything],
  } as NoParent<RegexNode>;
  const framed: NoParent<RegexNode> = {
    type: "Concatenation",
    elements: [charClass(only(start)), repeat(charClass(userCharacters)), charClass(only(end))],
  } as NoParent<RegexNode>;
  const options = { maxCharacter };
  return NFA.fromIntersection(NFA.fromRegex(search as never, options), NFA.fromRegex(framed as never, options));
}

/** Why a route is never reached: a user it matches, and that an earlier pattern takes it (or that it matches no user). */
export type Unreachable = { kind: "empty" } | { kind: "shadowed"; witness: string };

// Decides whether every user `later` matches is already matched by one of `earlier` (exact language inclusion).
export function findUnreachable(later: DialLanguage, earlier: readonly DialLanguage[]): Unreachable | undefined {
  const own = firstUser(later);
  if (own === undefined) return { kind: "empty" };
  if (earlier.length === 0) return undefined;
  return firstUser(notTakenBy(later, earlier)) === undefined ? { kind: "shadowed", witness: own } : undefined;
}

// A non-empty user that `later` matches and none of `earlier` takes, i.e. one that reaches `later`'s route: the
// shortest, most readable (undefined when there is none).
export function findReachingUser(later: DialLanguage, earlier: readonly DialLanguage[]): string | undefined {
  return firstUser(notTakenBy(NFA.fromIntersection(later, buildDialLanguage("^.")), earlier));
}

// The users of `later` that none of `earlier` matches.
function notTakenBy(later: DialLanguage, earlier: readonly DialLanguage[]): DialLanguage {
  if (earlier.length === 0) return later;
  const union = earlier[0]!.copy();
  for (const language of earlier.slice(1)) union.union(language);
  const notTaken = DFA.fromFA(union);
  notTaken.complement();
  return NFA.fromIntersection(later, notTaken);
}

// The shortest, most readable user of a language, without its frame; undefined when it has none.
function firstUser(language: DialLanguage): string | undefined {
  for (const wordSet of language.wordSets()) {
    const word = Words.pickMostReadableWord(wordSet);
    return Words.fromUTF16ToString(word.slice(1, -1));
  }
  return undefined;
}

type Element = NoParent<RegexNode>;

function replaceAnchors(node: Element): Element {
  const n = node as { type: string; [key: string]: unknown };
  switch (n.type) {
    case "Concatenation":
      return { ...n, elements: (n.elements as Element[]).map(replaceAnchors) } as Element;
    case "Alternation":
    case "Expression":
      return { ...n, alternatives: (n.alternatives as Element[]).map(replaceAnchors) } as Element;
    case "Quantifier":
      return { ...n, alternatives: (n.alternatives as Element[]).map(replaceAnchors) } as Element;
    case "CharacterClass":
      return charClass((n.characters as CharSet).without(sentinels));
    case "Assertion":
      if (n.negate && isAnyCharacter(n.alternatives as Element[])) return charClass(only(n.kind === "behind" ? start : end));
      throw new Error("only ^ and $ assertions are supported in dial patterns");
    default:
      throw new Error(`unsupported element ${n.type} in a dial pattern`);
  }
}

// `^` parses as (?<![^]) and `$` as (?![^]): a negated assertion over one character of any kind.
function isAnyCharacter(alternatives: readonly Element[]): boolean {
  const [only] = alternatives as unknown as { elements?: { type: string; characters?: CharSet }[] }[];
  const element = alternatives.length === 1 && only?.elements?.length === 1 ? only.elements[0] : undefined;
  return element?.type === "CharacterClass" && element.characters!.isAll;
}

function charClass(characters: CharSet): Element {
  return { type: "CharacterClass", characters } as Element;
}

function repeat(element: Element): Element {
  return { type: "Quantifier", lazy: false, min: 0, max: Infinity, alternatives: [{ type: "Concatenation", elements: [element] }] } as Element;
}

function only(character: number): CharSet {
  return CharSet.empty(maxCharacter).union([{ min: character, max: character }]);
}

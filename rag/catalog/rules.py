"""Word patterns for catalog questions, one per kind of constraint (author count, dates, order, code, category)."""

from __future__ import annotations

import re

_GROUPS = ("pair", "duo", "couple", "trio")  # "a pair of authors": counts, not numerals
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a dozen": 12,
    "dozen": 12,
    "pair": 2,
    "duo": 2,
    "couple": 2,
    "trio": 3,
}
NUM = r"(\d+|" + "|".join(w for w in sorted(NUMBER_WORDS, key=len, reverse=True) if w not in _GROUPS) + r")"
PAPERS = r"(?:papers?|works?|articles?|publications?|entries|records|preprints?|studies|abstracts?)"
AUTHORS = r"(?:authors?|co-?authors?|people|persons|researchers|names|contributors|writers)"

# "how many papers ...", "number of papers", "count the papers": the answer is a number (and the list)
COUNT = re.compile(
    rf"\b(?:how\s+many\s+(?:[\w.-]+\s+){{0,3}}?{PAPERS}|(?:the\s+)?(?:number|count|total)\s+of\s+(?:[\w.-]+\s+)?{PAPERS}|count\s+(?:the\s+|all\s+)?(?:[\w.-]+\s+)?{PAPERS})\b",
    re.I,
)
LIST_CUE = re.compile(r"\b(?:which|what|list|show|find|give|name|any|all|every|papers?|are\s+there)\b", re.I)
PLURAL_LIST = re.compile(
    r"\b(?:which|what|list|show|find|give\s+me|name)\s+(?:\w+\s+){0,3}?(?:papers|works|articles|publications|entries|ones)\b|\b(?:list|show)\b|\ball\s+(?:the\s+)?papers\b"
    # a question that is a noun phrase: "Robustness papers by X"
    r"|^\W*(?:[\w-]+\s+){0,3}?(?:papers|works|articles|publications)\s+(?:by|from|with|in|of|since|after|before|that|which|where)\b"
    r"|\b(?:are\s+there|any)\s+(?:\w+\s+){0,3}?(?:papers|works|articles|publications)\b",
    re.I,
)

# author-count comparisons
SINGLE_AUTHOR = re.compile(
    rf"\b(?:(?:a|one)\s+single\s+(?:author|person|researcher)|single[- ](?:authored|author)|sole\s+author|solo[- ]?(?:authored|author|papers?)?|only\s+one\s+{AUTHORS}|just\s+one\s+{AUTHORS}|(?:one|a\s+single)\s+(?:author|person|researcher|writer)\b(?!s)|by\s+(?:one|a\s+single)\s+(?:person|author|researcher|individual)|(?:lone|solitary|individual|one-person|single-person)\s+(?:author|researcher|writer)s?\b|(?:one|1)-(?:author|person)\b|sole-authored|written\s+alone)",  # noqa: E501
    re.I,
)
MORE_THAN = re.compile(
    rf"(?<!\bno\s)(?<!\bnot\s)\b(?:more\s+than|over|above|greater\s+than|in\s+excess\s+of|exceeding)\s+{NUM}\s+{AUTHORS}",
    re.I,
)
AT_LEAST = re.compile(
    rf"\b(?:at\s+least|a\s+minimum\s+of|no\s+fewer\s+than|no\s+less\s+than)\s+{NUM}\s+{AUTHORS}|\b{NUM}\s+or\s+more\s+{AUTHORS}|\b(\d+)\+\s*{AUTHORS}",
    re.I,
)
FEWER_THAN = re.compile(rf"(?<!\bno\s)(?<!\bnot\s)\b(?:fewer\s+than|less\s+than|under|below)\s+{NUM}\s+{AUTHORS}", re.I)
AT_MOST = re.compile(
    rf"\b(?:at\s+most|no\s+more\s+than|not\s+more\s+than|a\s+maximum\s+of|up\s+to)\s+{NUM}\s+{AUTHORS}|\b{NUM}\s+or\s+(?:fewer|less)\s+{AUTHORS}",
    re.I,
)
BETWEEN_AUTHORS = re.compile(
    rf"\bbetween\s+{NUM}\s+and\s+{NUM}\s+{AUTHORS}|\b{NUM}\s*(?:-|–|to)\s*{NUM}\s+{AUTHORS}", re.I
)
EXACTLY = re.compile(
    rf"\b(?:exactly|precisely|just|only)?\s*{NUM}\s+{AUTHORS}\b|\b{NUM}[- ](?:authored|author)\b(?!s)"
    rf"|\b(?:a\s+)?(pair|duo|couple|trio)\s+of\s+{AUTHORS}",
    re.I,
)
AUTHOR_COUNT_WORDS = re.compile(rf"\bauthor\s+(?:count|list)|\bnumber\s+of\s+{AUTHORS}|\bhow\s+many\s+{AUTHORS}", re.I)

# ordering and superlatives
OLDEST = re.compile(
    r"\b(?:oldest|earliest|least\s+recent(?:ly)?|first\s+published|published\s+first|chronological(?:ly)?|oldest\s+first)\b",
    re.I,
)
NEWEST = re.compile(
    r"\b(?:newest|latest|most\s+recent(?:ly)?|freshest|last\s+published|published\s+last|recent\s+first|newest\s+first|reverse\s+chronological)\b",
    re.I,
)
MOST_UPVOTED = re.compile(
    r"\b(?:most|highest|top)[- ](?:up-?voted|voted|popular|liked)|\bmost\s+(?:up-?votes|votes|likes|popularity)|\bhighest\s+(?:number\s+of\s+)?(?:up-?votes|votes)|\bmost\s+attention|\bpopularity\b|\bup-?votes?\b"  # noqa: E501
    rf"|\btop\s+{NUM}\s+(?:most\s+)?(?:up-?voted|voted|popular|liked|rated)|\bup-?voted\b|\b(?:best[- ]received|highest[- ]rated|trending|hottest)\b",  # noqa: E501
    re.I,
)
LEAST_UPVOTED = re.compile(r"\b(?:least|fewest|lowest)[- ](?:up-?voted|voted|popular|up-?votes|votes|liked)\b", re.I)
MOST_AUTHORS = re.compile(
    rf"\b(?:most|largest\s+number\s+of|highest\s+number\s+of|biggest(?:\s+number\s+of)?)\s+{AUTHORS}|\b(?:largest|biggest|longest)\s+(?:author\s+(?:list|team)|team)\b",
    re.I,
)
FEWEST_AUTHORS = re.compile(
    rf"\b(?:fewest|least|smallest\s+number\s+of|lowest\s+number\s+of)\s+{AUTHORS}|\b(?:smallest|shortest)\s+(?:author\s+(?:list|team)|team)\b",
    re.I,
)
_SMALL = NUM.replace(r"\d+", r"\d{1,3}(?!\d)")  # a limit, never a year ("the latest 2024 papers")
_SUPERLATIVE = r"(?:oldest|earliest|newest|latest|most\s+recent(?:ly)?|most\s+up-?voted|most\s+popular|most\s+liked)"
TOP_N = re.compile(
    rf"\b(?:the\s+)?(?:top\s+)?{NUM}\s+(?:most\s+|least\s+)?(?:oldest|earliest|newest|latest|recent(?:ly)?|up-?voted|popular|voted)\b|\b(?:top|first|last)\s+{NUM}\b"
    rf"|\b{_SUPERLATIVE}\s+{_SMALL}\b(?!\s+{AUTHORS})",  # "the earliest three papers"
    re.I,
)
SINGULAR_SUPERLATIVE = re.compile(
    r"\b(?:the|which|what)\s+(?:single\s+)?(?:\w+\s+){0,2}?(?:paper|work|article|publication|entry|one)\b(?!s)|\bwhich\s+paper\b",
    re.I,
)

# code
NO_CODE = re.compile(
    r"\b(?:without|no|lack(?:s|ed|ing)?|missing|absent)\s+(?:\w+\s+){0,2}?(?:code|implementations?|github|repos?(?:itory|itories)?)\b|\b(?:do|does|did)\s*(?:n't|\s+not)\s+(?:\w+\s+){0,2}?(?:release|share|provide|publish|have|include|come\s+with|ship|link)\s+(?:\w+\s+){0,2}?(?:code|implementations?|github|repos?(?:itory|itories)?)\b|\bclosed[- ]source\b|\bcode[- ]less\b",  # noqa: E501
    re.I,
)
HAS_CODE = re.compile(
    r"\b(?:with|has|have|having|release[sd]?|releasing|share[sd]?|sharing|provide[sd]?|providing|publish(?:es|ed)?|include[sd]?|public|open|available|offer(?:s|ed)?|come\s+with)\s+(?:\w+\s+){0,2}?(?:code|implementations?|source\s+code|github|repos?(?:itory|itories)?)\b|\bcode\s+(?:is\s+|was\s+)?(?:available|released|public|provided|linked)|\bopen[- ]source[ds]?\b|\bcode\s+release|\b(?:and|plus)\s+(?:public\s+|released\s+|open\s+|available\s+)?(?:code|github\s+repos?|repos?(?:itory|itories)?|implementations?)\b|\b(?:ship(?:s|ped)?|accompanied\s+by|links?\s+to|linked\s+to|point(?:s|ing)?\s+to)\s+(?:\w+\s+){0,2}?(?:code|implementations?|github|repos?(?:itory|itories)?)\b",  # noqa: E501
    re.I,
)

# dates
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
YEAR = r"((?:19|20)\d\d)"
MONTH_YEAR = rf"(?:({MONTH})\.?\s+(?:of\s+)?)?{YEAR}"
BETWEEN = re.compile(rf"\b(?:between|from)\s+{MONTH_YEAR}\s+(?:and|to|until|through|-|–)\s+{MONTH_YEAR}\b", re.I)
SINCE = re.compile(
    rf"\b(?:since|after|postdat(?:e|es|ing)|from(?=\s+(?:{MONTH}\.?\s+)?(?:19|20)\d\d\s+(?:on|onwards?|forward)\b)|starting(?:\s+in|\s+from)?|beginning(?:\s+in)?|later\s+than|newer\s+than|in\s+or\s+after)\s+(?:the\s+(?:start|beginning)\s+of\s+)?{MONTH_YEAR}(?:\s+on(?:wards?)?)?\b|\b{MONTH_YEAR}\s+(?:or|and)\s+(?:later|after|newer|onwards?|beyond)\b",
    re.I,
)
BEFORE = re.compile(
    rf"\b(before|predat(?:e|es|ing)|pre-dat(?:e|es|ing)|preced(?:e|es|ing)|until|till|up\s+to|through|earlier\s+than|older\s+than|prior\s+to|by\s+the\s+end\s+of|no\s+later\s+than)\s+{MONTH_YEAR}\b|\b{MONTH_YEAR}\s+(?:or|and)\s+(earlier|before|older)\b",
    re.I,
)
# the collection's own years: "in the last year of the collection", "the most recent year", "the corpus's first year"
_COLLECTION = r"(?:the\s+|this\s+)?(?:collection|corpus|dataset|data\s*set|records|data|listings?)"
_LATE = r"last|latest|newest|final|most\s+recent"
_EARLY = r"first|earliest|oldest"
COLLECTION_YEAR = re.compile(
    rf"\bthe\s+({_LATE}|{_EARLY})\s+year\s+(?:of|in|covered\s+by|spanned\s+by)\s+{_COLLECTION}\b"
    rf"|\b{_COLLECTION}['’]s?\s+({_LATE}|{_EARLY})\s+year\b"
    r"|\bthe\s+(latest|newest|most\s+recent|earliest|oldest)\s+year\b",
    re.I,
)
LATE_WORDS = frozenset({"last", "latest", "newest", "final", "most recent"})
DECADE = re.compile(r"\b(?:in\s+|during\s+|from\s+)?(?:the\s+)?((?:19|20)\d)0['’]?s\b", re.I)  # "the 2010s"
YEAR_LIST = re.compile(rf"\b{YEAR}((?:\s*,\s*(?:19|20)\d\d)*\s*,?\s+(?:or|and|&)\s+(?:in\s+)?(?:19|20)\d\d)\b", re.I)
IN_YEAR = re.compile(
    rf"\b(?:in|during|from|published\s+in|dated|of|for)\s+{MONTH_YEAR}\b|\b{MONTH_YEAR}\s+{PAPERS}\b", re.I
)

# "2024-10" -> "oct 2024", so the month patterns read ISO months too
ISO_MONTH = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)")
# "what's" -> "what is": the attribute and list patterns are written for the long forms
CONTRACTION = re.compile(r"\b(what|who|when|where|which|how|that|there|it)['’]s\b", re.I)

# organizations and sources
ORG_CUE = re.compile(
    r"\b(?:universit(?:y|ies)|institutes?|institution|college|school|labs?|laborator(?:y|ies)|research\s+(?:center|centre|group)|affiliat\w*|organi[sz]ations?|compan(?:y|ies)|industry|corporat\w+|inc\b|team\s+at)\b",
    re.I,
)
ORG_SPAN = re.compile(r"(?:^|[\s(])(?:the\s+)?([A-Z][\w&.'-]*)")  # where an organization's name may start
ORG_JOIN = re.compile(r"\s*(?:,\s*(?:(?:or|and)\s+)?|/\s*|&\s*|(?:or|and)\s+)(?:the\s+)?", re.I)  # "CMU / UW"
# verbs that frame an affiliation and nothing else there ("papers that carry a CMU affiliation", "hold Adobe or UW
# affiliations"); "have", "list", "name" are frame words anywhere (words.py)
AFFILIATION_VERB = re.compile(
    r"\b(?:carr(?:y|ies|ied|ying)|bear(?:s|ing)?|bore|hold(?:s|ing)?|held|shows|showing|state[sd]?|report(?:s|ed)?"
    r"|claim(?:s|ed)?)\b(?=\s+(?:\S+\s+){0,8}?affiliat)",
    re.I,
)
# names right before the word affiliation: "a Carnegie Mellon affiliation", "CMU / UW affiliations"
NAMES_BEFORE_AFFILIATION = re.compile(r"(?:[A-Z][\w&.'-]*[\s,/]+|(?:of|the|and|or|for)\s+)+affiliat")
SOURCE_FILE = re.compile(r"\b(\d{3}_[0-9a-f]{6,}(?:\.txt)?)\b", re.I)

# attributes of one named paper
FIRST_AUTHOR_OF = re.compile(
    r"\b(?:who\s+(?:is|was|'s)\s+)?the\s+(?:first|lead|leading|main|primary)\s+author\s+(?:of|on|for)\s+(?P<title>.+)",
    re.I,
)
LAST_AUTHOR_OF = re.compile(
    r"\b(?:who\s+(?:is|was|'s)\s+)?the\s+(?:last|senior|final)\s+author\s+(?:of|on|for)\s+(?P<title>.+)", re.I
)
AUTHORS_OF = re.compile(
    r"\b(?:who\s+(?:wrote|authored|are\s+the\s+authors\s+of|were\s+the\s+authors\s+of|is\s+behind)|(?:the\s+)?authors?\s+(?:of|on|for)|(?:names?|lists?)\s+the\s+authors\s+of)\s+(?P<title>.+)",
    re.I,
)
COUNT_OF = re.compile(
    rf"\b(?:how\s+many\s+{AUTHORS}\s+(?:does|did|do|are\s+(?:there\s+)?(?:on|in|for)|wrote|worked\s+on|has|have|are\s+listed\s+(?:on|for))|the\s+(?:number\s+of\s+{AUTHORS}|author\s+count|size\s+of\s+the\s+author\s+list)\s+(?:of|on|for|in))\s+(?P<title>.+?)(?:\s+(?:have|has|list|got))?\s*\??$",
    re.I,
)
WHEN_OF = re.compile(
    r"\b(?:when\s+(?:was|were|did)|what\s+(?:is\s+|was\s+)?the\s+(?:publication\s+|release\s+)?date\s+(?:of|for)|(?:what|which)\s+year\s+(?:was|did))\s+(?P<title>.+?)(?:\s+(?:published|released|appear|come\s+out|posted|submitted))?\s*\??$",
    re.I,
)

# an author as a constraint: "by X", "X as first author", "first author is X", "X's papers"
NAME = r"(?:[A-Z][\w'’-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*)(?:\s+(?:[a-z]{1,3}\s+)?(?:[A-Z][\w'’-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*)){0,3}(?:,\s+[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?)?"  # noqa: E501
FIRST_CUE = re.compile(
    r"\b(?:first[- ]author(?:ed)?|lead[- ]author(?:ed)?|primary\s+author|as\s+(?:the\s+|its\s+|their\s+)?(?:first|lead|primary)\s+author|led\s+by|first[- ]listed|listed\s+first|named\s+first|first\s+in\s+the\s+(?:author|byline)\s+list|first-named|in\s+first\s+position)\b",  # noqa: E501
    re.I,
)
LAST_CUE = re.compile(
    r"\b(?:last[- ]author(?:ed)?|senior[- ]author(?:ed)?|final[- ]author|as\s+(?:the\s+|its\s+|their\s+)?(?:last|senior|final)\s+author|last[- ]listed|listed\s+last|named\s+last|last\s+in\s+the\s+(?:author|byline)\s+list|in\s+last\s+position)\b",  # noqa: E501
    re.I,
)
AUTHOR_PATTERNS = [
    re.compile(
        rf"\b(?i:first|last|lead|senior|final|primary|main)\s+(?i:author)\s+(?i:is|was|being|named|called)?\s*(?P<name>{NAME})"
    ),
    re.compile(
        rf"\b(?:by|from|of)\s+(?P<name>{NAME})(?=\s+(?:as|in|among|is|was|are|were|that|which|who|with|and\s+(?:others|colleagues|coauthors))\b|\s*[,?.!]|$|\s+(?:first|last|lead|senior)\b)"
    ),
    re.compile(
        rf"\b(?P<name>{NAME})\s+(?:as|is|was|being)\s+(?:an?\s+|the\s+|its\s+|their\s+|one\s+of\s+the\s+)?(?:first\s+|last\s+|lead\s+|senior\s+|final\s+|co-?)?authors?\b"
    ),
    re.compile(
        rf"\b(?i:list|lists|listing|name|names|naming|include|includes|including|credit|credits|feature|features|with|has|have)\s+(?P<name>{NAME})\s+(?:as|among|in|on)\b"
    ),
    re.compile(rf"\b(?i:authored|written|co-?authored|co-?written|published|led)\s+(?:\w+\s+)?by\s+(?P<name>{NAME})"),
    re.compile(
        rf"\b(?i:did|has|have|does|is|was)\s+(?P<name>{NAME})\s+(?:publish|write|wrote|co-?author|author|listed)"
    ),
    re.compile(rf"\b(?P<name>{NAME})(?:'s|’s)\s+(?:\w+\s+)?(?:papers?|works?|publications?|articles?|profile|page)\b"),
    re.compile(rf"\b(?i:papers?|works?|publications?|articles?|entries)\s+(?:of|from|by)\s+(?P<name>{NAME})"),
]
NOT_NAMES = {
    "The",
    "This",
    "That",
    "These",
    "Which",
    "What",
    "Who",
    "How",
    "List",
    "Show",
    "Are",
    "Is",
    "Did",
    "Does",
    "Papers",
    "Paper",
    "Any",
    "All",
    "Find",
    "Give",
    "Name",
    "In",
    "Of",
    "On",
    "By",
    "From",
    "And",
    "Or",
    "Code",
    "A",
    "An",
    "Me",
    "When",
    "Count",
    "Tell",
}


def number(text: str) -> int:
    text = text.lower().strip()
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def clean_name(raw: str) -> str | None:
    """A captured name without leading question words; None when what is left cannot be a name."""
    words = raw.strip(" ,.?").split()
    while words and words[0].strip(",") in NOT_NAMES:
        words = words[1:]
    while words and words[-1].strip(",") in NOT_NAMES:
        words = words[:-1]
    name = re.sub(r"['’]s$", "", " ".join(words)).strip(" ,")
    return name if name and (len(name.split()) >= 2 or "," in name) else None

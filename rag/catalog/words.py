"""The vocabulary of catalog questions: arXiv category names, and the words that only frame a question (not a topic)."""

from __future__ import annotations

import re

# arXiv category names (the taxonomy's own words): a question says "vision papers", the records say "CV"
CATEGORY_NAMES = {
    "CV": ("computer vision", "vision", "pattern recognition", "cs.cv"),
    "CL": (
        "computation and language",
        "natural language processing",
        "nlp",
        "computational linguistics",
        "language",
        "cs.cl",
    ),
    "LG": ("machine learning", "cs.lg"),
    # stat.ML's arXiv name is "machine learning" too: alone it is cs.LG's (listed first), "statistics machine
    # learning" is stat.ML's (see ARCHIVE_NAMES)
    "ML": ("statistical machine learning", "stat.ml", "statistics", "machine learning"),
    "AI": ("artificial intelligence", "cs.ai"),
    "IR": ("information retrieval", "recommendation", "recommender systems", "cs.ir"),
    "SI": ("social and information networks", "social networks", "cs.si"),
    "ME": ("methodology", "statistical methodology", "stat.me"),
    "RO": ("robotics", "cs.ro"),
    "SD": ("sound", "audio", "cs.sd"),
    "CR": ("cryptography and security", "security", "cs.cr"),
    "HC": ("human-computer interaction", "cs.hc"),
    "GR": ("graphics", "cs.gr"),
    "NE": ("neural and evolutionary computing", "cs.ne"),
}

# arXiv archives as questions name them: arXiv writes a category as "Statistics - Methodology" (stat.ME) or "Computer
# Science - Machine Learning" (cs.LG), so an archive's name before a category's name is part of the category phrase
ARCHIVE_NAMES = {"cs": ("computer science", "cs"), "stat": ("statistics", "statistical", "stat")}


def archive_of(code: str) -> str:
    """The archive a category code belongs to, from its dotted name: "ME" ("stat.me") -> "stat"."""
    return next(name.partition(".")[0] for name in CATEGORY_NAMES[code] if "." in name)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\S+", text))


# English function words: never a topic, whatever the question asks
FUNCTION_WORDS = _words(
    """
    which what who whom whose how where when why whether the a an of in on at as to for from by with and or nor but yet
    so if than then that this these those there here is are was were be been being am do does did doing done have
    has having had can could would should shall will may might must i me my mine we our ours us you your yours it
    its they them their theirs he she his her one ones any all every each either neither some several many few much
    more most less least other others another same own such very too just only also even ever still already again
    now ago between within without into onto upon up down out off over under above below per via among amongst
    against toward towards across along around during since until till before after about regarding concerning
    not no please thanks thank hi hello let lets know see want need like tell show give find list name
    """
)
# words that frame a catalog question: its nouns, verbs and qualifiers; what is left after them is its topic
CATALOG_WORDS = _words(
    """
    count number total overall papers paper works work articles article publications publication entries entry
    records record preprints preprint studies items item submissions abstracts collection corpus dataset listed
    lists listing written wrote write writes writing authored author authors co co-author co-authors co-authored
    co-written coauthor coauthors coauthored authorship byline published publish publishes publishing released
    release releases releasing appear appears appeared posted dated date dates year years month months day days
    sorted sort order ordered first last most fewer exactly single sole solo lone individual whole entire stored
    indexed included include includes including named called name names naming credited credit credits code
    available github repo repos repository repositories implementation implementations open source new newest
    oldest latest earliest recent recently top ranked set kind kinds type types category categories field fields
    area areas subject people person persons researchers researcher team teams members contributors contributor
    writers writer affiliated affiliation affiliations organization organizations university universities
    institute institution lab labs laboratory company come comes came coming based everything anything classified
    tagged filed both listings sources file files profile profiles page pages related topic topics deal dealing
    discuss discussing address addressing focus focused cover covering exist exists existing first-authored
    single-authored one-author solo-authored involve involves involving involved feature features featuring
    featured contain contains containing hold holds store stores mention mentions mentioning put produce produced
    contribute contributed
    provide provides provided share shares shared offer offers have lack lacks lacking missing miss went go goes
    gone got get belong belongs fall falls predate predates postdate postdates precede precedes lead leads led
    leading senior final primary main principal position place spot listed-first popular popularity liked likes
    upvoted upvotes votes voted favourite favorite rated highest lowest biggest largest smallest longest shortest
    greatest pair couple dozen half hundred furthest farthest back chronologically chronological trending hottest
    scraped crawled collected gathered taken pulled extracted imported ingested loaded downloaded fetched obtained
    stem stems originate originates originated source sourced
    """
)
NUMBER_WORDS = _words("two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty")
FRAME = FUNCTION_WORDS | CATALOG_WORDS | NUMBER_WORDS

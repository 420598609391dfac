"""The catalog questions and what each asks, as predicates over records (gold computed by build_catalog_questions).

TUNING was written first and used to develop the rules in rag/catalog/rules.py and rag/catalog/query.py. TEST was
written afterwards, covering every kind of issue 17 in other words, and not used to change the rules.
"""

from __future__ import annotations

from evals.catalog_predicates import Spec, count_in, every, has_author, org, topic, year_in

KS = "Kyungwoo Song"
CO = "Changdae Oh"

TUNING = [
    Spec("c001", "Which papers have more than 6 authors?", "list", count_in(7, None)),
    Spec("c002", "How many papers in the collection were written by a single author?", "count", count_in(1, 1)),
    Spec("c003", "What is the earliest paper in the collection?", "top", order="oldest", top=1),
    Spec("c004", "Which is the most recent paper?", "top", order="newest", top=1),
    Spec("c005", "Which papers did Changdae Oh write as first author?", "list", has_author(CO, "first")),
    Spec(
        "c006",
        "Who is the first author of Geodesic Multi-Modal Mixup for Robust Fine-Tuning?",
        "name",
        title="Geodesic Multi-Modal Mixup for Robust Fine-Tuning",
    ),
    Spec("c007", "Which computer vision papers come with code?", "list", lambda p: p.category == "CV" and p.has_code),
    Spec("c008", "Which papers have an author affiliated with CMU?", "list", org("cmu")),
    Spec("c009", "What is the most upvoted paper?", "top", order="upvotes", top=1),
    Spec("c010", "How many papers were published in 2021?", "count", year_in(2021, 2021)),
    Spec("c011", "Which papers have exactly 2 authors?", "list", count_in(2, 2)),
    Spec("c012", "List the papers in the CL category.", "list", lambda p: p.category == "CL"),
    Spec("c013", "Which papers list K. Song as an author?", "list", has_author(KS)),
    Spec(
        "c014",
        "Which papers by Kyungwoo Song were published before 2020?",
        "list",
        every(has_author(KS), year_in(1900, 2019)),
    ),
    Spec(
        "c015",
        "How many papers from the Data Intelligence Laboratory, LG AI Research are there?",
        "count",
        org("Data Intelligence Laboratory, LG AI Research"),
    ),
    Spec("c016", "Which papers have fewer than 3 authors?", "list", count_in(None, 2)),
    Spec("c017", "Which papers were published between 2015 and 2018?", "list", year_in(2015, 2018)),
    Spec(
        "c018",
        "Which papers by Geoffrey Hinton are in the collection?",
        "none",
        lambda p: has_author("Geoffrey Hinton")(p),
        checked=("Geoffrey Hinton",),
    ),
    Spec(
        "c019",
        "Which papers come from Stanford University?",
        "none",
        org("Stanford University"),
        checked=("Stanford University",),
    ),
    Spec(
        "c020",
        "How many authors does The RoboDepth Challenge: Methods and Advancements Towards Robust Depth Estimation have?",
        "number",
        title="The RoboDepth Challenge: Methods and Advancements Towards Robust Depth Estimation",
    ),
    Spec("c021", "Which machine learning papers have code?", "list", lambda p: p.category == "LG" and p.has_code),
    Spec(
        "c022", "List the papers published in 2024 or later, newest first.", "list", year_in(2024, 2100), order="newest"
    ),
]

TEST = [
    # how many authors
    Spec("t101", "Are there any papers with a team of more than ten authors?", "list", count_in(11, None)),
    Spec("t102", "Show me the single-authored papers.", "list", count_in(1, 1)),
    Spec("t103", "Which works have at least 8 authors?", "list", count_in(8, None)),
    Spec("t104", "Which papers were written by exactly four people?", "list", count_in(4, 4)),
    Spec("t105", "How many papers have two or fewer authors?", "count", count_in(None, 2)),
    Spec("t106", "Which paper has the largest author list?", "top", order="authors", top=1),
    Spec("t107", "Name the papers that have under 3 authors.", "list", count_in(None, 2)),
    # dates and ordering
    Spec("t108", "Which paper in the collection is the oldest one?", "top", order="oldest", top=1),
    Spec("t109", "What's the newest paper you have?", "top", order="newest", top=1),
    Spec("t110", "Give me the 3 earliest papers.", "top", order="oldest", top=3),
    Spec("t111", "List papers from 2020.", "list", year_in(2020, 2020)),
    Spec("t112", "How many of the papers came out in 2022?", "count", year_in(2022, 2022)),
    Spec("t113", "Which papers appeared after 2024?", "list", year_in(2025, 2100)),
    Spec("t114", "Papers published from 2016 to 2019?", "list", year_in(2016, 2019)),
    Spec("t115", "Which papers were published in March 2023?", "list", lambda p: (p.date or "").startswith("2023-03")),
    Spec("t116", "How many papers date from before 2019?", "count", year_in(1900, 2018)),
    # authors: position, variants
    Spec(
        "t117", "Which papers did Kyungwoo Song co-author in 2021?", "list", every(has_author(KS), year_in(2021, 2021))
    ),
    Spec("t118", "Who is the lead author of Bivariate Beta-LSTM?", "name", title="Bivariate Beta-LSTM"),
    Spec("t119", "In which papers is Changdae Oh the first-listed author?", "list", has_author(CO, "first")),
    Spec("t120", "Papers by Oh, Changdae?", "list", has_author(CO)),
    Spec("t121", "Which papers name H. Byun among the authors?", "list", has_author("Hoyoon Byun")),
    Spec(
        "t122",
        "Who wrote Neural Ideal Point Estimation Network?",
        "name",
        title="Neural Ideal Point Estimation Network",
    ),
    Spec("t123", "Which papers have Il-Chul Moon as the last author?", "list", has_author("Il-Chul Moon", "last")),
    Spec("t124", "What has Jane Doe published here?", "none", has_author("Jane Doe"), checked=("Jane Doe",)),
    Spec(
        "t125",
        "Are there papers by Yoshua Bengio in this collection?",
        "none",
        has_author("Yoshua Bengio"),
        checked=("Yoshua Bengio",),
    ),
    Spec("t147", "How many papers list Kyungwoo Song as an author?", "count", has_author(KS)),
    # category and code
    Spec("t126", "Which vision papers release their code?", "list", lambda p: p.category == "CV" and p.has_code),
    Spec("t127", "Which NLP papers are in the collection?", "list", lambda p: p.category == "CL"),
    Spec("t128", "How many machine learning (LG) papers are there?", "count", lambda p: p.category == "LG"),
    Spec("t129", "Which papers have a public code release?", "list", lambda p: p.has_code),
    Spec(
        "t130",
        "Which papers in the CV category don't provide code?",
        "list",
        lambda p: p.category == "CV" and not p.has_code,
    ),
    Spec("t131", "Which statistics methodology papers are there?", "list", lambda p: p.category == "ME"),
    # organizations and affiliations
    Spec("t132", "Which papers are affiliated with the University of Washington?", "list", org("uw")),
    Spec("t133", "What did Adobe publish in this collection?", "list", org("Adobe")),
    Spec("t134", "Which papers come from LG AI Research?", "list", org("Data Intelligence Laboratory, LG AI Research")),
    Spec("t135", "Are there any papers from MIT?", "none", org("MIT"), checked=("MIT",)),
    Spec("t136", "Which papers have authors at Carnegie Mellon?", "list", org("cmu")),
    # popularity
    Spec("t137", "Which paper got the most upvotes?", "top", order="upvotes", top=1),
    Spec("t138", "What are the three most upvoted papers?", "top", order="upvotes", top=3),
    Spec("t139", "Which is the least upvoted paper?", "top", order="fewest_upvotes", top=1),
    # source files
    Spec(
        "t140",
        "How many papers are in the file 002_87569abedee599f0.txt?",
        "count",
        lambda p: "002_87569abedee599f0.txt" in p.sources,
    ),
    Spec(
        "t141",
        "List the papers from 000_7260f6b4ff62f6ec.txt.",
        "list",
        lambda p: "000_7260f6b4ff62f6ec.txt" in p.sources,
    ),
    # combinations and topics
    Spec(
        "t142",
        "Which papers with code have more than 3 authors?",
        "list",
        lambda p: p.has_code and count_in(4, None)(p),
    ),
    Spec(
        "t143", "How many papers from 2023 have exactly 3 authors?", "count", every(year_in(2023, 2023), count_in(3, 3))
    ),
    Spec(
        "t144",
        "Which papers about diffusion have more than 5 authors?",
        "list",
        every(topic("diffusion"), count_in(6, None)),
    ),
    Spec("t145", "What is the oldest paper by Kyungwoo Song?", "top", has_author(KS), order="oldest", top=1),
    Spec("t146", "Which is the earliest paper that releases code?", "top", lambda p: p.has_code, order="oldest", top=1),
    Spec("t148", "Which one-author papers were published in 2024?", "list", every(count_in(1, 1), year_in(2024, 2024))),
]

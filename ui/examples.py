"""Example questions answerable from the bundled corpus (data/seeds)."""

EXAMPLES: list[str] = [
    "How does BlackVIP adapt a pre-trained model without access to its parameters?",
    "What is the lottery ticket hypothesis?",
    "How are diffusion models used in medical image analysis?",
    "Which methods generate synthetic outliers for out-of-distribution detection?",
    "What did Changdae Oh publish on robust fine-tuning since 2023?",
]

"""The llama.cpp backend with a real (small) GGUF model."""

from rag.config import Settings
from rag.generators.llama_cpp import LlamaCppGenerator
from rag.prompts import EXAMPLES, PREFIX, answer_messages


def test_after_warm_up_a_question_reads_only_its_own_tokens():
    generator = LlamaCppGenerator("smollm2", Settings())
    llm = generator.llm
    evaluated: list[int] = []
    real_eval = llm.eval
    llm.eval = lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1]

    generator.warm_up(PREFIX)
    cached = llm.detokenize(llm._input_ids[: llm.n_tokens].tolist()).decode("utf-8", "replace")
    assert EXAMPLES[-1][1] in cached  # the last worked answer: the whole prefix is in the KV cache
    prefix_tokens = evaluated[0]

    evaluated.clear()
    "".join(generator.stream(answer_messages("What AUROC does SONA reach?", [], max_words=40), max_tokens=2))
    assert evaluated[0] < 30 < prefix_tokens  # the question's prompt reused the cached prefix

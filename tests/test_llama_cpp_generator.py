"""The llama.cpp backend with a real (small) GGUF model."""

from rag.config import Settings
from rag.generation.llama_cpp import LlamaCppGenerator
from rag.generation.prompts import EXAMPLES, PREFIX, answer_messages, probe_messages
from rag.types import Paper, Passage

QUESTION = answer_messages("What AUROC does SONA reach?", [])
SONA = Passage(1, Paper(doc_id="s", title="SONA", abstract="x", authors=()), 1.0, ("SONA reaches 88% AUROC.",))


def _counting_evals(generator: LlamaCppGenerator) -> list[int]:
    evaluated: list[int] = []
    real_eval = generator.llm.eval
    generator.llm.eval = lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1]
    return evaluated


def test_after_warm_up_a_question_reads_only_its_own_tokens():
    generator = LlamaCppGenerator("smollm2", Settings())
    llm = generator.llm
    evaluated = _counting_evals(generator)

    generator.warm_up(PREFIX)
    cached = llm.detokenize(llm._input_ids[: llm.n_tokens].tolist()).decode("utf-8", "replace")
    assert EXAMPLES[-1][1] in cached  # the last worked answer: the whole prefix is in the KV cache
    prefix_tokens = evaluated[0]

    evaluated.clear()
    "".join(generator.stream(QUESTION, max_tokens=2))
    assert evaluated[0] < 30 < prefix_tokens  # the question's prompt reused the cached prefix


def test_a_new_process_loads_the_saved_prefix_and_answers_exactly_as_if_it_had_read_it(tmp_path):
    settings = Settings(prompt_cache_dir=tmp_path)
    first = LlamaCppGenerator("smollm2", settings)
    first.warm_up(PREFIX)
    assert len(list(tmp_path.glob("*.kv"))) == 1
    expected = "".join(first.stream(QUESTION, max_tokens=24))

    second = LlamaCppGenerator("smollm2", settings)  # a fresh model, as in a new process
    evaluated = _counting_evals(second)
    second.warm_up(PREFIX)
    assert evaluated == []  # nothing read: the prefix came from disk
    assert "".join(second.stream(QUESTION, max_tokens=24)) == expected
    assert evaluated[0] < 30  # only the question's own tokens were read


def test_a_damaged_or_outdated_state_file_is_not_used(tmp_path):
    settings = Settings(prompt_cache_dir=tmp_path)
    LlamaCppGenerator("smollm2", settings).warm_up(PREFIX)
    [saved] = tmp_path.glob("*.kv")
    saved.write_bytes(saved.read_bytes()[:1000])  # e.g. a disk that filled up mid-write by another tool

    generator = LlamaCppGenerator("smollm2", settings)
    evaluated = _counting_evals(generator)
    generator.warm_up(PREFIX)
    assert max(evaluated, default=0) > 100  # read the prefix again ...
    assert saved.stat().st_size > 1000  # ... and saved a good state over the damaged one

    changed_prompt = [*PREFIX[:-1], {**PREFIX[-1], "content": PREFIX[-1]["content"] + " Be brief."}]
    fresh = LlamaCppGenerator("smollm2", settings)
    evaluated = _counting_evals(fresh)
    fresh.warm_up(changed_prompt)
    assert max(evaluated, default=0) > 100  # a different prefix never loads the old state
    assert [p.name for p in tmp_path.glob("*.kv")] != [saved.name]  # and replaces it


def test_the_probe_reads_the_evidence_once_for_itself_and_the_answer():
    """The probe is the answer prompt plus a question after it: the answer that follows re-reads a few tokens."""
    generator = LlamaCppGenerator("smollm2", Settings())
    generator.warm_up(PREFIX)
    evaluated = _counting_evals(generator)
    question = "What AUROC does SONA reach on near-OOD datasets?"
    p_yes = generator.yes_probability(probe_messages(question, [SONA] * 3))
    assert 0.0 <= p_yes <= 1.0
    probe_read = evaluated[0]
    evaluated.clear()
    "".join(generator.stream(answer_messages(question, [SONA] * 3), max_tokens=2))
    assert evaluated[0] <= 6 < probe_read  # the evidence and question came from the probe's cache
    assert generator.last_prompt_read == evaluated[0]


def test_prompt_lookup_answers_prompts_longer_than_a_batch_after_the_prefix(tmp_path):
    # llama-cpp-python 0.3 sized its logits buffer by the logits_all argument (n_batch rows) while a draft model
    # writes n_ctx rows: every prompt reaching past 512 tokens failed until the generator passed logits_all=True
    generator = LlamaCppGenerator("smollm2", Settings(prompt_cache_dir=tmp_path), prompt_lookup=4)
    generator.warm_up(PREFIX)
    long_evidence = Passage(1, SONA.paper, 1.0, ("SONA reaches 88% AUROC on near-OOD benchmarks.",) * 40)
    for question in ("What AUROC does SONA reach?", "Which benchmarks does SONA use?"):
        text = "".join(generator.stream(answer_messages(question, [long_evidence]), max_tokens=8))
        assert text.strip()


def test_a_question_is_read_from_the_prefix_on_whatever_was_asked_before():
    """Warmed again at the start of a question, the model forgets what came after the prefix: the same question gets
    the same probabilities after any other question (reading on from a cached part of the last question's evidence
    had moved them), and nothing before the prefix's end is read again."""
    generator = LlamaCppGenerator("smollm2", Settings())
    generator.warm_up(PREFIX)
    question = "What AUROC does SONA reach on near-OOD datasets?"
    alone = generator.choice_probabilities(probe_messages(question, [SONA] * 3), ("Yes", "No"))
    other = Passage(1, SONA.paper, 1.0, ("SONA reaches 88% AUROC. It uses diffusion models to make outliers.",))
    generator.yes_probability(probe_messages("How does SONA make outliers?", [SONA, other]))
    generator.warm_up(PREFIX)
    assert generator.llm.n_tokens == generator._prefix_tokens
    evaluated = _counting_evals(generator)
    again = generator.choice_probabilities(probe_messages(question, [SONA] * 3), ("Yes", "No"))
    assert again == alone
    assert evaluated[0] < 200  # the question and its evidence only

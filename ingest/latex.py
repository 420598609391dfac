"""LaTeX repair: turn real LaTeX and LaTeX whose backslashes were stripped by scraping into readable Unicode text."""

from __future__ import annotations

import re
import unicodedata

# fmt: off
SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "leq": "≤", "geq": "≥", "neq": "≠", "approx": "≈", "propto": "∝", "times": "×", "cdot": "·", "circ": "∘",
    "infty": "∞", "ell": "ℓ", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "pm": "±",
    "le": "≤", "ge": "≥", "ne": "≠", "ll": "≪", "gg": "≫", "sim": "∼", "in": "∈", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "mid": "|", "ldots": "…", "cdots": "⋯", "dots": "…", "sqrt": "√",
    "eg": "e.g.", "ie": "i.e.", "etal": "et al.", "etc": "etc.", "textemdash": "—", "textendash": "–",
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "i": "i", "l": "ł", "L": "Ł", "LaTeX": "LaTeX",
}
# fmt: on
# Names that may be glued to other letters in stripped math ("Phicirc" = \Phi\circ); short English words excluded.
_SEGMENTABLE = sorted(
    (n for n in SYMBOLS if len(n) >= 3 and n not in {"sum", "prod", "sqrt", "dots", "etc", "etal", "LaTeX"}),
    key=len,
    reverse=True,
)
# fmt: off
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
         "textstyle", "quad", "qquad", "noindent", "par", "newline", "limits", "nolimits", "color"}
_STRIPPED_OK = {"textit", "textbf", "emph", "text", "mathrm", "mathbf", "mathit", "mathcal", "mathbb", "mathsf",
                "operatorname", "boldsymbol", "frac", "sqrt", "widetilde", "widehat", "textcolor"}
_ACCENTED = {"widetilde": "\u0303", "widehat": "\u0302", "tilde": "\u0303", "hat": "\u0302", "bar": "\u0304",
             "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
_DROP_WITH_ARG = {"color", "cite", "citep", "citet", "ref", "eqref", "label", "vspace", "hspace", "footnotesize"}
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328"}
# fmt: on
_SUP = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"{}\\|^`]+", re.IGNORECASE)
_HINT = re.compile(r"[\\${}~^`_]|''|math|left|right|epsilon|propto|leq|geq|frac|\bgg\b|!")
_HREF = re.compile(r"\\href\{([^{}]*)\}\{([^{}]*)\}")
_URL_CMD = re.compile(r"\\url\{([^{}]*)\}")
_URL_SAME = re.compile(r"((?:https?://|www\.)[^\s{}]+)\}\{\1\}?")
_URL_TEXT = re.compile(r"((?:https?://|www\.)[^\s{}]+)\}?\{([^{}]*)\}")
_COMMAND = re.compile(r"(\\?)([A-Za-z]+)\*?(?=\s*[\[{])")
_ACCENT = re.compile(r"\\(?:([\"'`^~=.])|([uvHck])(?=[\s{]))\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))")
_ESCAPE = re.compile(r"\\([%&_#${}])")
_NAMED = re.compile(r"\\([A-Za-z]+)\*?|\\([,;:! ])|\\\\")
_MATH_DELIM = re.compile(r"\$\$?|\\[()\[\]]")
_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}|\^([0-9A-Za-z])")
_STRIPPED_ACCENT = re.compile(r"(?<![A-Za-z])(widetilde|widehat|mathcal|mathbb|mathrm|mathbf|overline) ([A-Za-z])\b")
_STRIPPED_LEFT = re.compile(r"(?:(?<=[^\sA-Za-z])|(?<![A-Za-z])(max|min|sup|inf|log|exp))left(?=[(\[|])")
_STRIPPED_RIGHT = re.compile(r"(?:(?<=[^\sA-Za-z])|(?<=[^A-Za-z][A-Za-z0-9]))right(?=[)\]|])")
_STRIPPED_REL = re.compile(r"(?<![A-Za-z])(leq|geq|neq)(?![A-Za-z])|varepsilon|propto|(?<![A-Za-z])epsilon")
_MUCH = re.compile(r"(?<=\b[A-Za-z] )(gg|ll)(?= [A-Za-z]\b)")
_MATH_TOKEN_CHARS = re.compile(r"[_^{}]")
_LETTERS = re.compile(r"[A-Za-z]+")
_THIN_SPACE = re.compile(r"(?<=\S)!(?=[^\s.,;:!?\"')\]])|(?<=[<>=≤≥(])!")
_THIN_SPACE_REL = re.compile(r"(?<=[<>=≤≥≠∝])!|!(?=[<>≤≥≠∝])")
_COLOR = re.compile(r"\\?(?<![A-Za-z])(?:textcolor|color)(?:\[[^\]]*\])?\{[^{}]*\}")
_TIE = re.compile(r"(?<=[^\s\d/(])~(?=\S|$)")  # LaTeX's non-breaking space; "~3%" and "3.4~10%" stay
_SHORT_GREEK = re.compile(r"(?<![A-Za-z])(mu|nu|xi|pi)(?=[_^])")
_DASH = re.compile(r"\\text(em|en)dash\s*")


def _group(text: str, start: int) -> tuple[str, int] | None:
    """Content of the balanced {...} group opening at text[start], and the index after it."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    return None


def _simple(expr: str) -> str:
    return expr if re.fullmatch(r"[\w.]+", expr) else f"({expr})"


def _commands(text: str) -> str:
    """Commands with brace arguments: keep the argument text, drop the formatting."""
    out, pos = [], 0
    for match in _COMMAND.finditer(text):
        slash, name = match.group(1), match.group(2)
        if match.start() < pos or not (slash or _stripped_command(text, match)):
            continue
        i = match.end()
        if name == "textcolor" and text.startswith("[", i):
            i = text.find("]", i) + 1 or len(text)
        while i < len(text) and text[i].isspace():
            i += 1
        first = _group(text, i)
        if first is None:
            continue
        arg, end = first
        if name in ("textcolor", "frac"):
            second = _group(text, end)
            if second is None:
                continue
            arg = second[0] if name == "textcolor" else f"{_simple(arg)}/{_simple(second[0])}"
            end = second[1]
        elif name in _ACCENTED:
            arg += _ACCENTED[name]
        elif name == "sqrt":
            arg = f"√{_simple(arg)}"
        elif name in _DROP_WITH_ARG:
            arg = ""
        elif slash and not arg.strip():  # `\LaTeX{}`: the empty group only ends the command name
            arg = SYMBOLS.get(name, "" if name in _DROP else name)
        out.append(text[pos : match.start()])
        out.append(_commands(arg))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _stripped_command(text: str, match: re.Match[str]) -> bool:
    """A backslash-less command like `mathcal{O}`: a known name, not inside a word, directly followed by `{`."""
    start, end = match.start(), match.end()
    glued = start > 0 and text[start - 1].isalpha()
    return match.group(2) in _STRIPPED_OK and not glued and text.startswith(("{", "["), end)


def _segment(word: str) -> str | None:
    """`word` as a run of known symbol names ("Phicirc" -> "Φ∘"), else None."""
    if not word:
        return ""
    for name in _SEGMENTABLE:
        if word.startswith(name) and (rest := _segment(word[len(name) :])) is not None:
            return SYMBOLS[name] + rest
    return None


def _math_tokens(text: str) -> str:
    """Symbol names and thin spaces inside stripped math tokens (tokens with _ ^ { }, or inside braces)."""
    pieces, depth = re.split(r"(\s+)", text), 0
    for index, token in enumerate(pieces):
        if not token or token.isspace():
            continue
        if depth > 0 or _MATH_TOKEN_CHARS.search(token):
            token = _LETTERS.sub(lambda m: _segment(m.group(0)) or m.group(0), token)
            token = _SHORT_GREEK.sub(lambda m: SYMBOLS[m.group(1)], token)
            token = _THIN_SPACE.sub("", token)
            pieces[index] = token
        depth = max(0, depth + token.count("{") - token.count("}"))
    return "".join(pieces)


def _script(match: re.Match[str]) -> str:
    mark, body = (match.group(1), match.group(2)) if match.group(1) else ("^", match.group(3))
    table = _SUP if mark == "^" else _SUB
    translated = body.translate(table)
    if body and not any(ch in body for ch in translated):
        return translated
    return f"{mark}{body}" if len(body) == 1 or re.fullmatch(r"[A-Za-z0-9]+", body) else f"{mark}({body})"


def _braces(text: str) -> str:
    """Drop grouping braces; keep only those attached to a word (set notation in math like `min{S, T}`)."""
    stack: list[int] = []
    drop: set[int] = set()
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if not stack:
                drop.add(i)
                continue
            opening = stack.pop()
            if opening == 0 or not text[opening - 1].isalnum():
                drop.update((opening, i))
    drop.update(stack)
    return "".join(ch for i, ch in enumerate(text) if i not in drop)


def _segment_text(text: str) -> str:
    text = _ACCENT.sub(lambda m: (m.group(3) or m.group(4)) + _ACCENTS[m.group(1) or m.group(2)], text)
    text = _commands(text)
    text = _ESCAPE.sub(lambda m: {"{": "\x02", "}": "\x03", "$": "\x04"}.get(m.group(1), m.group(1)), text)
    text = _STRIPPED_ACCENT.sub(lambda m: m.group(2) + _ACCENTED.get(m.group(1), ""), text)
    text = _NAMED.sub(_named, text)
    text = _MATH_DELIM.sub("", text)
    text = _STRIPPED_REL.sub(lambda m: SYMBOLS[m.group(1) or m.group(0)], text)
    text = _STRIPPED_LEFT.sub(lambda m: m.group(1) or "", text)
    text = _STRIPPED_RIGHT.sub("", text)
    text = _MUCH.sub(lambda m: SYMBOLS[m.group(1)], text)
    text = _math_tokens(text)
    text = _THIN_SPACE_REL.sub("", text)
    text = _SCRIPT.sub(_script, text)
    text = _braces(text)
    text = _TIE.sub(" ", text.replace("``", '"').replace("''", '"'))
    return text.replace("\x02", "{").replace("\x03", "}").replace("\x04", "$")


def _named(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None:
        return "" if match.group(2) == "!" else " "
    if name in _DROP:
        return ""
    return SYMBOLS.get(name, name)


def _href(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2).strip()
    return url if not label or URL.fullmatch(label) else f"{label} ({url})"


def repair_latex(text: str) -> str:
    """Readable text from an abstract or title that contains LaTeX, with or without its backslashes."""
    if not _HINT.search(text):
        return text
    text = _HREF.sub(_href, text)
    text = _COLOR.sub("", text)
    text = _DASH.sub(lambda m: "—" if m.group(1) == "em" else "–", text)
    text = _URL_CMD.sub(r"\1", text)
    text = _URL_SAME.sub(r"\1", text)
    text = _URL_TEXT.sub(r"\1 \2", text)
    out, pos = [], 0
    for match in URL.finditer(text):  # URLs pass through untouched
        out.append(_segment_text(text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_segment_text(text[pos:]))
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))

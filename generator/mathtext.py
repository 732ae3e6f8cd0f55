"""LaTeX formulas in titles and abstracts (`$\\pi$`, `$\\{\\pm 1, \\pm i\\}$`), drawn.

Papers write inline formulas between `$` signs (or `\\(` and `\\)`). This module reads the
simple kinds they use (letters, numbers, operators, Greek letters and symbols, sub- and
superscripts, `\\frac`, `\\sqrt`, accents, `\\mathbb` and the other alphabets, `\\text`)
and writes each formula three ways:

* `html`: MathML, which browsers draw themselves: no script, stylesheet or font to load,
  a few hundred bytes a formula, and only where a formula is;
* `plain`: Unicode text (`{±1, ±i}`, `x²`), for page titles, meta tags and search
  results;
* `latex`: the formula rebuilt from the known commands only, for BibTeX.

A formula with anything else (an unknown command, an unbalanced brace, a run of four
letters outside `\\text`, which is prose between two dollar signs, a currency amount)
stays the text it was. Dollar signs count as delimiters the way Pandoc counts them: the
opening one followed by a non-space, the closing one preceded by a non-space and not
followed by a digit. Every character of the input reaches the page escaped (`safe.esc`);
tags come only from this module. The work is bounded: formulas of at most
`MAX_FORMULA` characters and `MAX_DEPTH` levels of nesting are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .safe import esc

MAX_FORMULA = 300
MAX_DEPTH = 12
MAX_LETTER_RUN = 3  # more letters in a row outside \text: prose, not a formula

_FORMULA = re.compile(
    r"(?<![\\$])\$(?=[^\s$])((?:[^$\\]|\\.){1,MAX}?)(?<=[^\s\\])\$(?![\d$])"
    r"|\\\((.{1,MAX}?)\\\)".replace("MAX", str(MAX_FORMULA)), re.S)
_TOKEN = re.compile(r"\\[A-Za-z]+|\\[^A-Za-z]|[A-Za-z]|\d+(?:\.\d+)?|\s+|.", re.S)

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ", "hbar": "ℏ", "imath": "ı",
}
SYMBOLS = {
    "pm": "±", "mp": "∓", "times": "×", "div": "÷", "cdot": "⋅", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "∙", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡",
    "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉", "ni": "∋",
    "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "cup": "∪",
    "cap": "∩", "setminus": "∖", "emptyset": "∅", "varnothing": "∅", "forall": "∀",
    "exists": "∃", "neg": "¬", "lnot": "¬", "wedge": "∧", "land": "∧", "vee": "∨",
    "lor": "∨", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←",
    "leftrightarrow": "↔", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔",
    "implies": "⟹", "iff": "⟺", "mapsto": "↦", "uparrow": "↑", "downarrow": "↓",
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫",
    "oint": "∮", "cdots": "⋯", "ldots": "…", "dots": "…", "vdots": "⋮", "ddots": "⋱",
    "prime": "′", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋",
    "lceil": "⌈", "rceil": "⌉", "mid": "∣", "parallel": "∥", "perp": "⊥", "top": "⊤",
    "bot": "⊥", "oplus": "⊕", "otimes": "⊗", "odot": "⊙", "dagger": "†", "angle": "∠",
    "triangle": "△", "sqcup": "⊔", "vert": "|", "Vert": "‖", "lvert": "|", "rvert": "|",
    "lVert": "‖", "rVert": "‖", "backslash": "∖", "colon": ":", "checkmark": "✓",
    "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", "|": "‖",
}
FUNCTIONS = frozenset({
    "log", "ln", "exp", "sin", "cos", "tan", "arg", "max", "min", "sup", "inf", "lim",
    "det", "dim", "deg", "gcd", "Pr", "argmax", "argmin", "softmax", "sign", "tr", "rank",
    "diag"})
ALPHABETS = ("mathbb", "mathcal", "mathscr", "mathbf", "boldsymbol", "bm", "mathrm",
             "mathit", "mathsf", "mathtt", "mathfrak")
TEXTS = ("text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox", "operatorname")
ACCENTS = {"hat": "^", "widehat": "^", "bar": "¯", "overline": "¯", "tilde": "~",
           "widetilde": "~", "vec": "→", "dot": "˙", "ddot": "¨"}
SPACES = {",": 0.17, ":": 0.22, ";": 0.28, "!": 0.0, " ": 0.25, "quad": 1.0,
          "qquad": 2.0}
FRACTIONS = ("frac", "dfrac", "tfrac")
_OPERATORS = "+-=<>,;:()[]|/!'*.?"
_MO_SHOWN = {"-": "−", "'": "′", "*": "∗"}
_LATEX_OF = {v: k for k, v in GREEK.items()} | {"∞": "infty", "≤": "leq", "≥": "geq",
                                                 "±": "pm", "×": "times", "→": "to"}
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPERSCRIPTABLE = set("0123456789+-=()n")
_SUBSCRIPTABLE = set("0123456789+-=()")


class Unsupported(Exception):
    """The formula uses something this module does not draw: it stays text."""


@dataclass(frozen=True)
class Node:
    kind: str  # mi, mn, mo, mtext, row, sup, sub, subsup, frac, sqrt, root, accent, space
    text: str = ""  # what is shown (mi, mn, mo, mtext, accent mark)
    children: tuple[Node, ...] = ()
    latex: str = ""  # the command it was written with (for the LaTeX form)
    upright: bool = False  # mi drawn upright (function names, \mathrm, multi-letter)


# --- alphabets ------------------------------------------------------------------------------

_ALPHABET_START = {"mathbf": (0x1D400, 0x1D41A), "boldsymbol": (0x1D400, 0x1D41A),
                   "bm": (0x1D400, 0x1D41A), "mathbb": (0x1D538, 0x1D552),
                   "mathcal": (0x1D49C, 0x1D4B6), "mathscr": (0x1D49C, 0x1D4B6),
                   "mathsf": (0x1D5A0, 0x1D5BA), "mathtt": (0x1D670, 0x1D68A),
                   "mathfrak": (0x1D504, 0x1D51E)}
_ALPHABET_HOLES = {  # letters Unicode placed in the Letterlike Symbols block
    "mathbb": {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"},
    "mathcal": {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ",
                "R": "ℛ", "e": "ℯ", "g": "ℊ", "o": "ℴ"},
    "mathfrak": {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"},
}
_ALPHABET_HOLES["mathscr"] = _ALPHABET_HOLES["mathcal"]


def _styled(letter: str, alphabet: str) -> str:
    if alphabet not in _ALPHABET_START or not ("A" <= letter <= "Z" or "a" <= letter <= "z"):
        return letter
    hole = _ALPHABET_HOLES.get(alphabet, {}).get(letter)
    if hole:
        return hole
    upper, lower = _ALPHABET_START[alphabet]
    return chr(upper + ord(letter) - 65) if letter <= "Z" else chr(lower + ord(letter) - 97)


# --- reading --------------------------------------------------------------------------------

class _Reader:
    def __init__(self, source: str):
        self.tokens = [t for t in _TOKEN.findall(source)]
        self.k = 0

    def peek(self) -> str | None:
        while self.k < len(self.tokens) and self.tokens[self.k].isspace():
            self.k += 1
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise Unsupported("formula ends too early")
        self.k += 1
        return token

    def row(self, depth: int, closing: str | None = None) -> Node:
        if depth > MAX_DEPTH:
            raise Unsupported("nested too deeply")
        items: list[Node] = []
        run = 0
        while True:
            token = self.peek()
            if token is None:
                if closing:
                    raise Unsupported("unbalanced brace")
                break
            if token == closing:
                self.k += 1
                break
            if token in "^_":
                self.k += 1
                base = items.pop() if items else Node("mi")
                items.append(self._script(base, token, depth))
                continue
            node = self.atom(depth)
            run = run + 1 if node.kind == "mi" and len(node.text) == 1 and node.text.isascii() \
                and node.text.isalpha() and not node.latex else 0
            if run > MAX_LETTER_RUN and depth == 0:
                raise Unsupported("a run of letters: prose, not a formula")
            items.append(node)
        return items[0] if len(items) == 1 else Node("row", children=tuple(items))

    def _script(self, base: Node, mark: str, depth: int) -> Node:
        script = self.group(depth + 1, words=True)
        if mark == "^" and base.kind == "sub":
            return Node("subsup", children=(base.children[0], base.children[1], script))
        if mark == "_" and base.kind == "sup":
            return Node("subsup", children=(base.children[0], script, base.children[1]))
        if base.kind in ("sup", "sub", "subsup"):
            raise Unsupported("double script")
        return Node("sup" if mark == "^" else "sub", children=(base, script))

    def group(self, depth: int, words: bool = False) -> Node:
        """A `{...}` group or one atom (the argument of a command or a script)."""
        token = self.peek()
        if token == "{":
            self.k += 1
            start = self.k
            node = self.row(depth + 1, "}")
            if words:  # x_{max}: a word in a script is a name, drawn upright
                letters = self.tokens[start:self.k - 1]
                if len(letters) > 1 and all(len(t) == 1 and t.isalpha() for t in letters):
                    return Node("mi", "".join(letters), upright=True)
            return node
        if token is None or token == "}":
            raise Unsupported("missing argument")
        return self.atom(depth + 1)

    def text_group(self) -> str:
        if self.take() != "{":
            raise Unsupported("\\text needs braces")
        out = []
        while True:
            if self.k >= len(self.tokens):
                raise Unsupported("unbalanced brace")
            token = self.tokens[self.k]
            self.k += 1
            if token == "}":
                return "".join(out)
            if token == "{":
                raise Unsupported("nested braces in text")
            if token.startswith("\\"):
                name = token[1:]
                if name in "%$&#_{} ":
                    out.append(name)
                    continue
                raise Unsupported(f"command in text: {token}")
            out.append(token)

    def atom(self, depth: int) -> Node:
        token = self.take()
        if token == "{":
            return self.row(depth + 1, "}")
        if token == "}":
            raise Unsupported("unbalanced brace")
        if token.startswith("\\"):
            return self.command(token[1:], depth)
        if token[0].isdigit():
            return Node("mn", token)
        if token == "~":
            return Node("space", "0.25")
        if token in _OPERATORS:
            return Node("mo", _MO_SHOWN.get(token, token), latex=token)
        if token in "&#%$\\":
            raise Unsupported(f"special character {token}")
        if token.isalpha():
            return Node("mi", token)
        return Node("mo", token)

    def command(self, name: str, depth: int) -> Node:
        if name in GREEK:
            return Node("mi", GREEK[name], latex=name, upright=name[0].isupper())
        if name in SYMBOLS:
            return Node("mo", SYMBOLS[name], latex=name)
        if name in SPACES:
            return Node("space", str(SPACES[name]), latex=name)
        if name in FUNCTIONS:
            return Node("mi", name, latex=name, upright=True)
        if name in FRACTIONS:
            top = self.group(depth)
            return Node("frac", children=(top, self.group(depth)), latex=name)
        if name == "sqrt":
            if self.peek() == "[":
                self.k += 1
                index = self.row(depth + 1, "]")
                return Node("root", children=(self.group(depth), index), latex=name)
            return Node("sqrt", children=(self.group(depth),), latex=name)
        if name in ACCENTS:
            return Node("accent", ACCENTS[name], (self.group(depth),), latex=name)
        if name in ALPHABETS:
            return _restyle(self.group(depth), name)
        if name in TEXTS:
            text = self.text_group()
            if name == "operatorname":
                return Node("mi", text, latex=name, upright=True)
            return Node("mtext", text, latex=name)
        if name in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            following = self.peek()
            if following == ".":
                self.k += 1
                return Node("row")
            return self.atom(depth) if following is not None else Node("row")
        raise Unsupported(f"unknown command \\{name}")


def _restyle(node: Node, alphabet: str) -> Node:
    if node.kind == "mi" and not node.latex:
        shown = "".join(_styled(c, alphabet) for c in node.text)
        return Node("mi", shown, latex=f"{alphabet}:{node.text}",
                    upright=alphabet in ("mathrm", "mathsf", "mathtt") or shown != node.text)
    if node.kind in ("row", "sup", "sub", "subsup"):
        return Node(node.kind, node.text, tuple(_restyle(c, alphabet) for c in node.children),
                    node.latex, node.upright)
    return node


def parse(formula: str) -> Node:
    """The formula's tree; `Unsupported` when it uses anything this module does not draw."""
    if len(formula) > MAX_FORMULA:
        raise Unsupported("too long")
    reader = _Reader(formula)
    node = reader.row(0)
    if reader.peek() is not None:
        raise Unsupported("unbalanced brace")
    return node


def segments(text: str) -> list[tuple[str, Node | None]]:
    """The text cut into plain runs (None) and formulas (their tree), in order."""
    out: list[tuple[str, Node | None]] = []
    last = 0
    if "$" not in text and "\\(" not in text:
        return [(text, None)] if text else []
    for m in _FORMULA.finditer(text):
        try:
            node = parse(m.group(1) if m.group(1) is not None else m.group(2))
        except Unsupported:
            continue
        if m.start() > last:
            out.append((text[last:m.start()], None))
        out.append((m.group(), node))
        last = m.end()
    if last < len(text):
        out.append((text[last:], None))
    return out


def has_math(text: str) -> bool:
    return any(node is not None for _, node in segments(text))


# --- writing --------------------------------------------------------------------------------

def _mathml(node: Node) -> str:
    kind = node.kind
    if kind == "mi":
        variant = ' mathvariant="normal"' if node.upright and len(node.text) == 1 else ""
        return f"<mi{variant}>{esc(node.text)}</mi>"
    if kind in ("mn", "mo"):
        return f"<{kind}>{esc(node.text)}</{kind}>"
    if kind == "mtext":
        return f"<mtext>{esc(node.text)}</mtext>"
    if kind == "space":
        return f'<mspace width="{float(node.text):g}em"></mspace>'
    inner = [_mathml(c) for c in node.children]
    if kind == "row":
        return f"<mrow>{''.join(inner)}</mrow>"
    if kind in ("sup", "sub"):
        tag = "msup" if kind == "sup" else "msub"
        return f"<{tag}>{inner[0]}{inner[1]}</{tag}>"
    if kind == "subsup":
        return f"<msubsup>{inner[0]}{inner[1]}{inner[2]}</msubsup>"
    if kind == "frac":
        return f"<mfrac>{inner[0]}{inner[1]}</mfrac>"
    if kind == "sqrt":
        return f"<msqrt>{inner[0]}</msqrt>"
    if kind == "root":
        return f"<mroot>{inner[0]}{inner[1]}</mroot>"
    if kind == "accent":
        return f'<mover accent="true">{inner[0]}<mo>{esc(node.text)}</mo></mover>'
    raise AssertionError(kind)


def _plain(node: Node) -> str:
    kind = node.kind
    if kind in ("mi", "mn", "mo", "mtext"):
        return node.text
    if kind == "space":
        return " " if float(node.text) >= 0.25 else ""
    parts = [_plain(c) for c in node.children]
    if kind == "row":
        return "".join(parts)
    if kind == "sup":
        return parts[0] + _script(parts[1], _SUPERSCRIPTABLE, _SUPERSCRIPT, "^")
    if kind == "sub":
        return parts[0] + _script(parts[1], _SUBSCRIPTABLE, _SUBSCRIPT, "_")
    if kind == "subsup":
        return (parts[0] + _script(parts[1], _SUBSCRIPTABLE, _SUBSCRIPT, "_")
                + _script(parts[2], _SUPERSCRIPTABLE, _SUPERSCRIPT, "^"))
    if kind == "frac":
        return f"{_grouped(parts[0])}/{_grouped(parts[1])}"
    if kind == "sqrt":
        return f"√{_wrapped(parts[0])}"
    if kind == "root":
        return f"{parts[1]}√{_wrapped(parts[0])}"
    if kind == "accent":
        return parts[0] + ("\u0302" if node.text == "^" else "")
    raise AssertionError(kind)


def _wrapped(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _grouped(text: str) -> str:
    """A fraction's part in parentheses when an operator would split it."""
    return f"({text})" if re.search(r"[-+−=<>,±×⋅/ ]", text) else text


def _script(text: str, allowed: set[str], table: dict[int, int], mark: str) -> str:
    if text and set(text) <= allowed:
        return text.translate(table)
    return f"{mark}{_wrapped(text)}"


def _latex(node: Node) -> str:
    kind = node.kind
    if kind == "mi":
        if node.latex.count(":") == 1 and node.latex.split(":")[0] in ALPHABETS:
            alphabet, letters = node.latex.split(":")
            return f"\\{alphabet}{{{letters}}}"
        if node.latex == "operatorname":
            return f"\\operatorname{{{node.text}}}"
        if node.latex:
            return f"\\{node.latex} "
        if len(node.text) > 1:
            return f"\\mathrm{{{node.text}}}"
        return f"\\{_LATEX_OF[node.text]} " if node.text in _LATEX_OF else node.text
    if kind == "mn":
        return node.text
    if kind == "mo":
        if node.latex in SYMBOLS and len(node.latex) > 1:
            return f"\\{node.latex} "
        if node.latex == "|":
            return "\\|" if node.text == "‖" else "|"
        if node.latex and len(node.latex) == 1 and node.latex in "%$&#_{}":
            return "\\" + node.latex
        if node.latex:
            return node.latex
        return f"\\{_LATEX_OF[node.text]} " if node.text in _LATEX_OF else node.text
    if kind == "mtext":
        return f"\\{node.latex}{{{_latex_text(node.text)}}}"
    if kind == "space":
        name = node.latex or "~"
        return "~" if name == "~" else (f"\\{name} " if name.isalpha() else f"\\{name}")
    parts = [_latex(c) for c in node.children]
    if kind == "row":
        return "{" + "".join(parts) + "}"
    if kind == "sup":
        return f"{parts[0]}^{{{parts[1]}}}"
    if kind == "sub":
        return f"{parts[0]}_{{{parts[1]}}}"
    if kind == "subsup":
        return f"{parts[0]}_{{{parts[1]}}}^{{{parts[2]}}}"
    if kind in ("frac", "sqrt", "accent"):
        return f"\\{node.latex}" + "".join(f"{{{p}}}" for p in parts)
    if kind == "root":
        return f"\\sqrt[{parts[1]}]{{{parts[0]}}}"
    raise AssertionError(kind)


def _latex_text(text: str) -> str:
    return re.sub(r"[%$&#_{}]", lambda m: "\\" + m.group(), text)


def html(text: str) -> str:
    """The text escaped for HTML (`safe.esc`), its formulas as MathML."""
    return "".join(esc(part) if node is None else
                   f'<math alttext="{esc(plain(part))}">{_mathml(node)}</math>'
                   for part, node in segments(text))


def plain(text: str) -> str:
    """The text with its formulas as Unicode text."""
    return "".join(part if node is None else _plain(node) for part, node in segments(text))


def latex(text: str, escape) -> str:
    """The text for LaTeX: plain runs through `escape`, formulas rebuilt from known
    commands only, between `$` signs."""
    return "".join(escape(part) if node is None else f"${_latex(node).strip()}$"
                   for part, node in segments(text))

"""Korean particles (조사) chosen from the word before them: 이/가, 을/를, 은/는, 과/와,
(으)로. A sentence that attaches a particle to data (an amount, a quoted milestone) picks
it here, never by hand: "1,434가" (천사백삼십사), "944가", "'…사업 추진'이".

The choice follows how the word is read aloud: the last syllable's final consonant
(받침); an amount is read as a Korean number (10 십, 100 백, 1,000 천, 10,000 만; 4 사,
7 칠), a percentage as 퍼센트; closing quotes and brackets are looked through.
"""

import re

PAIRS = {  # after a final consonant, after none
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "은/는": ("은", "는"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
}
# How each digit reads (일 이 삼 사 오 육 칠 팔 구), and the units a trailing zero leaves
# last: 10 십, 100 백, 1,000 천, 10,000 만 (then 십만, 백만, 천만 end in those units).
DIGIT_SYLLABLES = "영일이삼사오육칠팔구"
UNIT_SYLLABLES = {1: "십", 2: "백", 3: "천", 4: "만"}
CLOSING = "'\"’”」』)]》〉"
_NUMBER = re.compile(r"(\d[\d,]*)(?:\.(\d+))?\s*(%?)$")


def last_syllable(word: str) -> str:
    """The syllable a reader says last: through closing quotes, before a parenthesis (a
    particle after "기투자(임기 전)" belongs to 기투자), digits as Korean numbers."""
    word = str(word).rstrip()
    while word and word[-1] in CLOSING:
        if word[-1] in ")]" and ("(" in word or "[" in word):
            word = word[: max(word.rfind("("), word.rfind("["))].rstrip()
        else:
            word = word[:-1].rstrip()
    number = _NUMBER.search(word)
    if number:
        whole, decimals, percent = number.groups()
        if percent:
            return "트"  # 퍼센트
        if decimals:
            return DIGIT_SYLLABLES[int(decimals[-1])]
        digits = whole.replace(",", "")
        zeros = len(digits) - len(digits.rstrip("0"))
        if zeros == len(digits):
            return "영"
        if zeros == 0:
            return DIGIT_SYLLABLES[int(digits[-1])]
        return UNIT_SYLLABLES[(zeros - 1) % 4 + 1]
    return word[-1:] if word else ""


def final_consonant(syllable: str) -> int | None:
    """The final consonant's index (0 none, 8 ㄹ, …) of a Hangul syllable; None otherwise."""
    if not syllable or not "가" <= syllable <= "힣":
        return None
    return (ord(syllable) - ord("가")) % 28


def particle(word, pair: str) -> str:
    """The particle of ``pair`` ("이/가", "을/를", "은/는", "과/와", "으로/로") that follows
    ``word``; both forms ("이(가)") where the word's reading is unknown (Latin letters)."""
    with_final, without = PAIRS[pair]
    final = final_consonant(last_syllable(word))
    if final is None:
        return f"{with_final}({without})"
    if pair == "으로/로" and final == 8:  # ㄹ takes 로: 서울로, 일로
        return without
    return with_final if final else without


def josa(word, pair: str) -> str:
    """The word with its particle attached: josa("1,434", "이/가") → "1,434가"."""
    return f"{word}{particle(word, pair)}"


# A particle placeholder written after a value in a message: "%(amount)s(이)가",
# "'%(text)s'(을)를", "%(place)s(으)로", resolved once the value is in.
_MARKER = re.compile(r"\((이|을|은|과|으)\)(가|를|는|와|로)")
_MARKER_PAIRS = {"이": "이/가", "을": "을/를", "은": "은/는", "과": "과/와", "으": "으로/로"}


def resolve(text: str) -> str:
    """Every "(이)가"-style marker of a formatted sentence replaced by the particle the word
    before it takes: "집행 1,434(이)가 많습니다" → "집행 1,434가 많습니다"."""
    parts = []
    position = 0
    for match in _MARKER.finditer(text):
        before = text[position : match.start()]
        parts.append(before)
        word = "".join(parts)
        parts.append(particle(word, _MARKER_PAIRS[match.group(1)]))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


# A particle right after a number or a closing quote, as a rendered page prints it: what
# the page test checks (after a Hangul word a particle cannot be told from the word).
ATTACHED = re.compile(
    r"(\d[\d,]*(?:\.\d+)?%?|(?<=\S)[" + re.escape(CLOSING) + r"])(으로|이|가|을|를|은|는|과|와|로)"
    r"(?=[\s.,;:!?]|$)"
)
_OF_PARTICLE = {
    form: pair for pair, forms in PAIRS.items() for form in forms if pair != "으로/로"
} | {"으로": "으로/로", "로": "으로/로"}


def disagreements(text: str) -> list[str]:
    """The particles of ``text`` attached to a number or a quotation that disagree with the
    word before them, each with its context ("1,434이")."""
    found = []
    for match in ATTACHED.finditer(text):
        start = max(0, match.start() - 30)
        word = text[start : match.end(1)]
        written = match.group(2)
        expected = particle(word, _OF_PARTICLE[written])
        if "(" in expected:  # reading unknown: either form is acceptable
            continue
        if written != expected:
            found.append(text[max(0, match.start() - 20) : match.end()])
    return found

"""Who a complaint could be accusing: spans of identifiable persons and bodies in the tokens.

A *target* is identifiable when a reader could tell who it is:

- ``local_numbered`` — a neighbourhood head with a number: "RT 03", "Ketua RW 05";
- ``local`` — a neighbourhood head without one ("pak RT", "ketua RW", "pengurus kampung"): in a
  complaint this is the complainant's own RT/RW, whom the operator can identify;
- ``official_placed`` — a role tied to a place or unit: "Camat Wonocolo", "lurah sonokwijenan",
  "kepala sekolah SMPN 22", "petugas Puskesmas Ngagel";
- ``named_person`` — a title or cue and a name: "Pak Imran", "Sdr. Deni", "bernama Solihin";
- ``named_org`` — a business, school, hospital, office or association with its name or number:
  "PT Ramora", "SMK Negeri 6", "RSUD dr Soetomo", "Cafe Zona", "kelurahan Gayungan";
- ``account`` — a social-media account; ``plate`` — a vehicle plate ("L 8513 BP");
- ``official`` / ``org`` — a role or body without anything that pins it down (weak);
- ``unnamed`` — "jukir liar", "preman", "oknum yang tidak bertanggung jawab" (a reason *not* to flag).

Targets that are the complainant ("saya selaku ketua RT") or the addressee ("mohon Pak Lurah")
are marked so the decision can ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.screening.spans import Lexicon, Tokens
from pipeline.text.lexicon import root_words, slang_dictionary
from pipeline.text.tokens import stem_token

TARGET_KINDS = ("local_numbered", "local", "official_placed", "named_person", "named_org", "account", "plate",
                "official", "org", "unnamed")
# bodies whose next word is a place name even in lower case ("puskesmas kalirungkut")
PLACE_BODIES = frozenset({"pt", "cv", "ud", "toko", "cafe", "kafe", "warkop", "apotek", "paguyuban", "sakit","puskesmas", "kelurahan", "kecamatan", "kel", "kec", "rsud", "rsu", "rsi", "rs", "pustu",
                          "smpn", "sdn", "sman", "smkn", "smp", "sd", "sma", "smk", "mts", "samsat", "pasar", "swk",
                          "kua", "liponsos", "lurah", "camat", "sekolah", "dinas", "koperasi", "yayasan", "klinik"})
NUMBER_WORDS = frozenset({"negeri", "n", "no", "nomor"})
# lower-case words that follow a body but are not its name
NOT_PLACE = frozenset({
    "yang", "yg", "dan", "di", "ke", "dari", "untuk", "utk", "ini", "itu", "tsb", "tersebut", "setempat", "sudah",
    "sdh", "tidak", "tdk", "belum", "masih", "juga", "jg", "kami", "saya", "sy", "kota", "surabaya", "sana", "sini",
    "dengan", "dgn", "pada", "akan", "bisa", "harus", "hanya", "malah", "pun", "lagi", "terkait", "terdekat", "lain",
    "baru", "lama", "swasta", "negeri", "pihak", "bagian", "petugas", "terus", "karena", "krn", "tapi", "tetapi",
    "oleh", "mana", "mau", "ada", "para", "semua", "sampai", "sampe", "hari", "bulan", "tahun", "tgl", "tanggal",
    "karna", "kelontong", "sembako", "online", "besar", "kecil", "anak", "murid", "siswa", "tempat", "wilayah",
    "daerah", "kampung", "sekitar", "depan", "dekat", "sebelah", "samping", "jalan", "jl", "jln", "gang", "gg",
    "sekolah", "kelurahan", "kecamatan", "dinas", "atau", "maupun", "lebih", "sangat", "selalu", "sering", "kok",
})
# capitalised words that start sentences or greet, not names
COMMON_CAPITALISED = frozenset({"apa", "apakah", "padahal", "kesannya", "terimakasih", "terima", "rasa", "mohon", "saya",
                                "kami", "tolong", "kenapa", "mengapa", "bagaimana", "dan", "tapi", "namun", "jadi",
                                "karena", "sehingga", "selamat", "salam", "assalamualaikum", "demikian", "sekian"})
SKIP_AFTER_BODY = frozenset({"dr", "dokter"})  # "RSUD dr Soetomo"


def _common_word(norm: str) -> bool:
    """A dictionary word, a slang spelling of one, or an inflected one ("menghindari", "smua")."""
    return norm in root_words() or norm in slang_dictionary() or stem_token(norm) in root_words()


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    kind: str
    role: str = ""  # "self" (the complainant), "addressee", or "" (a possible accused)


def find_targets(tok: Tokens, lex: Lexicon) -> list[Target]:
    """All target spans of one text, sorted by position (see the module docstring for the kinds)."""
    norms = tok.norms
    n = len(norms)
    not_name = lex.words("not_name")
    out: list[Target] = []

    def name_at(i: int) -> bool:
        return i < n and tok.is_capitalised(i) and norms[i] not in not_name and len(norms[i]) >= 3 \
            and (norms[i] not in COMMON_CAPITALISED) and not (tok.starts[i] and _sentence_start(tok, i))

    def place_at(i: int, body: str) -> int:
        """Length of a place/name after a body at ``i`` (0 if none)."""
        if i >= n:
            return 0
        if norms[i] in SKIP_AFTER_BODY and body in ("rs", "rsud", "rsu", "rumah", "sakit") and i + 1 < n:
            k = place_at(i + 1, "rsud")
            return k + 1 if k else 0
        if norms[i] in NUMBER_WORDS and i + 1 < n and norms[i + 1].isdigit():
            return 2
        if norms[i].isdigit() and len(norms[i]) <= 3:
            return 1
        if name_at(i):
            k = 1
            while k < 3 and name_at(i + k):
                k += 1
            return k
        if body in PLACE_BODIES and norms[i].isalpha() and len(norms[i]) >= 4 and norms[i] not in NOT_PLACE \
                and norms[i] not in not_name and not _common_word(norms[i]) and tok.clauses[i] == tok.clauses[i - 1]:
            return 2 if i + 1 < n and norms[i + 1] in ("wetan", "kulon", "lor", "kidul", "barat", "timur", "utara",
                                                         "selatan", "tengah", "baru", "indah") else 1
        return 0

    for s, e, cls in lex.match(tok, ("local", "official", "org", "account", "title", "name_cue", "unnamed")):
        if cls == "local":
            if e - s == 1 and norms[s] in ("rt", "rw") and not _cued_local(tok, s):
                # a bare "RT 05" is mostly part of an address; it is a head next to a number only as a target
                if e < n and norms[e].isdigit():
                    out.append(Target(s, e + 1, "local_numbered"))
                continue
            extra = 1 if e < n and norms[e].isdigit() else 0
            if not extra and e + 1 < n and norms[e] in ("rt", "rw") and norms[e + 1].isdigit():
                extra = 2
            out.append(Target(s, e + extra, "local_numbered" if extra else "local"))
        elif cls in ("official", "org"):
            body = norms[e - 1]
            k = place_at(e, body)
            if not k and norms[s] == "oknum" and e < n and (lex.match_at(norms, e, "org") or lex.match_at(norms, e, "local")
                                                              or lex.match_at(norms, e, "official")):
                k = max(lex.match_at(norms, e, c) for c in ("org", "local", "official"))  # "oknum Satpol PP"
            if not k and cls == "official" and e < n:
                # "kepala sekolah SMPN 22", "petugas kelurahan Gayungan": a role followed by a named body
                skip = 1 if norms[e] in ("sekolah", "dinas", "bagian") and lex.match_at(norms, e + 1, "org") else 0
                body_len = lex.match_at(norms, e + skip, "org")
                if body_len:
                    k2 = place_at(e + skip + body_len, norms[e + skip + body_len - 1])
                    if k2:
                        k = skip + body_len + k2
            if k:
                out.append(Target(s, e + k, "official_placed" if cls == "official" else "named_org"))
            else:
                out.append(Target(s, e, cls))
        elif cls == "account":
            out.append(Target(s, min(n, e + 1), "account"))
        elif cls == "title":
            if name_at(e):
                k = 1
                while k < 3 and name_at(e + k):
                    k += 1
                out.append(Target(s, e + k, "named_person"))
        elif cls == "name_cue":
            if e < n and norms[e].isalpha() and len(norms[e]) >= 3 and norms[e] not in not_name \
                    and (name_at(e) or not _common_word(norms[e])):
                out.append(Target(s, e + 1 + int(name_at(e + 1)), "named_person"))
        elif cls == "unnamed":
            out.append(Target(s, e, "unnamed"))
    out += _plates(tok)
    return sorted((_with_role(t, tok, lex) for t in _dedupe(out)), key=lambda t: (t.start, -t.end))


def _sentence_start(tok: Tokens, i: int) -> bool:
    """The word opens a clause (a capital there says nothing about a name)."""
    return i > 0 and tok.clauses[i] != tok.clauses[i - 1]


def _cued_local(tok: Tokens, i: int) -> bool:
    """``oleh RT``, ``pihak RT``, ``RT saya``, ``RT setempat``: a bare RT/RW that is a person."""
    before = tok.norms[i - 1] if i else ""
    after = tok.norms[i + 1] if i + 1 < len(tok) else ""
    return before in ("oleh", "pihak", "ke", "dari", "sama", "dgn", "dengan", "oknum", "di", "wilayah", "ketua") or \
        after in ("saya", "kami", "setempat", "nya", "tersebut", "tsb", "itu", "kampung")


def _plates(tok: Tokens) -> list[Target]:
    """Vehicle plates: ``L 8513 BP``, ``B1215WMM`` (letters, digits, letters in capitals)."""
    out = []
    w = tok.words
    for i in range(len(w) - 2):
        if w[i].isalpha() and w[i].isupper() and len(w[i]) <= 2 and w[i + 1].isdigit() and 1 <= len(w[i + 1]) <= 4 \
                and w[i + 2].isalpha() and w[i + 2].isupper() and len(w[i + 2]) <= 3:
            out.append(Target(i, i + 3, "plate"))
    for i, word in enumerate(w):
        if 6 <= len(word) <= 9 and word.isalnum() and word.isupper() and word[0].isalpha() and word[-1].isalpha() \
                and any(c.isdigit() for c in word) and _plate_shape(word):
            out.append(Target(i, i + 1, "plate"))
    return out


def _plate_shape(word: str) -> bool:
    k = 0
    while k < len(word) and word[k].isalpha():
        k += 1
    j = k
    while j < len(word) and word[j].isdigit():
        j += 1
    return 1 <= k <= 2 and 1 <= j - k <= 4 and word[j:].isalpha() and 1 <= len(word) - j <= 3


def _dedupe(targets: list[Target]) -> list[Target]:
    """Drop a target inside a longer, stronger one ("pak" inside "pak RT 03", "rt" inside "ketua RT").
    Targets are a few tokens long, so only neighbours that start shortly before can contain one."""
    strength = {k: i for i, k in enumerate(TARGET_KINDS)}
    ordered = sorted(targets, key=lambda t: (t.start, -t.end))
    keep = []
    for k, t in enumerate(ordered):
        inside = False
        j = k - 1
        while j >= 0 and ordered[j].start >= t.start - 8 and not inside:
            o = ordered[j]
            inside = o.end >= t.end and (o.end - o.start > t.end - t.start) and strength[o.kind] <= strength[t.kind]
            j -= 1
        j = k + 1
        while j < len(ordered) and ordered[j].start == t.start and not inside:
            o = ordered[j]
            inside = o.end >= t.end and (o.end - o.start > t.end - t.start) and strength[o.kind] <= strength[t.kind]
            j += 1
        if not inside:
            keep.append(t)
    return keep


def _with_role(t: Target, tok: Tokens, lex: Lexicon) -> Target:
    norms = tok.norms
    before = norms[max(0, t.start - 3):t.start]
    if (t.start and norms[t.start - 1] in lex.words("self")) or any(w in lex.words("self_cue") for w in before):
        return Target(t.start, t.end, t.kind, "self")
    if any(w in lex.words("addressee") for w in norms[max(0, t.start - 2):t.start]) or t.start == 0 and len(tok) > 1 \
            and tok.clauses[min(t.end, len(tok) - 1)] != tok.clauses[0]:
        return Target(t.start, t.end, t.kind, "addressee")
    return t

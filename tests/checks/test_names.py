"""Rewrites of names, through the registry (the functions' own cases are in
tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.checks.names import (
    abbreviations_as_written,
    full_names_as_written,
    initials_as_written,
    spellings_as_written,
    titles_as_written,
)
from qa.prompting import Passage
from tests.fakes import context


def _run(name: str, question: str, passages: list[Passage], text: str) -> str | None:
    return BY_NAME[name].run(context(question, passages), text)


def test_initials() -> None:
    book = [Passage(1, "b.txt", "B", 0, 50, "Buku karya Samuel P Huntington terbit 1996.")]
    assert _run("rewrite.initials", "Siapa?", book, "Oleh Samuel P. Huntington. [1]") == (
        "Oleh Samuel P Huntington. [1]"
    )


def test_full_names() -> None:
    egypt = [Passage(1, "e.txt", "E", 0, 80, "Atas nama Presiden Mesir Hosni Mubarak, katanya.")]
    who = "Siapakah Presiden Mesir sekarang?"
    assert _run("rewrite.full-names", who, egypt, "Presiden Mesir adalah Mubarak. [1]") == (
        "Presiden Mesir adalah Hosni Mubarak. [1]"
    )


def test_abbreviations() -> None:
    api = [Passage(1, "t.txt", "T", 0, 80, "Ketua Asosiasi Pertekstilan Indonesia (API) datang.")]
    answer = "Dia Ketua Asosiasi Pertekstilan Indonesia. [1]"
    assert _run("rewrite.abbreviations", "Siapa dia?", api, answer) == (
        "Dia Ketua Asosiasi Pertekstilan Indonesia (API). [1]"
    )


def test_spellings() -> None:
    old = [Passage(1, "s.txt", "S", 0, 40, "Presiden Soeharto meresmikan waduk itu.")]
    assert _run("rewrite.spellings", "Siapa?", old, "Presiden Suharto. [1]") == (
        "Presiden Soeharto. [1]"
    )


def test_titles() -> None:
    than = [Passage(1, "m.txt", "M", 0, 60, "Pemimpin junta, Jenderal Than Shwe, menolak.")]
    assert _run("rewrite.titles", "Siapa pemimpin junta?", than, "Than Shwe. [1]") == (
        "Jenderal Than Shwe. [1]"
    )


# ---------------------------------------- the functions on their own (from tests/test_grounding.py)

P = [
    Passage(
        1, "a.txt", "A", 0, 60, "Kim Jong Un ingin menunjukkan pengakuan di dunia kepada rakyat."
    ),
    Passage(
        2, "a.txt", "A", 61, 120, "Putin terakhir kali mengunjungi negara itu pada tahun 2000."
    ),
    Passage(
        3, "a.txt", "A", 121, 190, "Ia mengenang kunjungan terakhirnya ke Pyongyang 24 tahun lalu."
    ),
]


def test_initials_are_written_as_the_passages_write_them() -> None:
    book = [Passage(1, "b.txt", "B", 0, 50, "Buku karya Samuel P Huntington terbit 1996.")]
    assert initials_as_written("Oleh Samuel P. Huntington. [1]", book) == (
        "Oleh Samuel P Huntington. [1]"
    )
    # a name the passages do not write without the period is left alone
    assert initials_as_written("Oleh J. K. Rowling.", book) == "Oleh J. K. Rowling."


def test_a_who_answer_names_the_person_in_full_as_the_passages_do() -> None:
    egypt = [  # facqa berita-0086 and berita-0446
        Passage(1, "e.txt", "E", 0, 200, "Dukungan kuat itu dikatakan Suleiman di depan Parlemen"
                " Palestina, atas nama Presiden Mesir Hosni Mubarak. Menurut Omar Suleiman, ..."),
        Passage(2, "f.txt", "F", 0, 80, "Pada tahun 1981, Mubarak terpilih sebagai presiden."),
    ]  # fmt: skip
    who = "Siapakah Presiden Mesir sekarang?"
    assert full_names_as_written("Presiden Mesir adalah Mubarak. [1]", egypt, who) == (
        "Presiden Mesir adalah Hosni Mubarak. [1]"
    )
    # a title, a sentence's first word ("Menurut") or the question's own words are no given name
    assert full_names_as_written("Suleiman. [1]", egypt, "Siapa utusan itu?") == (
        "Omar Suleiman. [1]"
    )
    assert full_names_as_written("Suleiman. [1]", egypt, "Siapa Omar?") == "Suleiman. [1]"
    titled = [Passage(1, "g.txt", "G", 0, 40, "Kata Presiden Putin di Moskwa.")]
    assert full_names_as_written("Putin.", titled, "Siapa yang berkata?") == "Putin."
    # named in full already, not a who question, or two given names in the passages: left alone
    assert full_names_as_written("Hosni Mubarak, lalu Mubarak.", egypt, who) == (
        "Hosni Mubarak, lalu Mubarak."
    )
    assert full_names_as_written("Mubarak.", egypt, "Kapan Mubarak terpilih?") == "Mubarak."
    twins = [Passage(1, "k.txt", "K", 0, 40, "Kim Jong Un dan Kim Yo Jong bertemu Jong.")]
    assert full_names_as_written("Jong.", twins, "Siapa?") == "Jong."


def test_a_name_is_written_with_the_short_form_or_expansion_the_passages_give_it() -> None:
    """facqa f1160 and f1368: the model dropped "(API)" and "(Optical, … System)", which a reader
    looks for; and it spells out short forms the passages never spell out."""
    texts = [
        Passage(1, "t.txt", "T", 0, 300, "Rapat antara Ketua Asosiasi Pertekstilan Indonesia (API)"
                " Benny Sutrisno dan Komisi VI DPR. Wahana itu membawa sistem kamera OSIRIS"
                " (Optical, Spectroscopic, and InfraRed Imaging System). Menurut Dr Bana dari ITB,"
                " dana dicari. Kepala Kepolisian Daerah Jawa Tengah (Polda Jateng) datang ke"
                " Jawa Tengah. Michael Kuppers (Institut Max-Planck) menghitungnya."),
    ]  # fmt: skip
    assert abbreviations_as_written("Dia Ketua Asosiasi Pertekstilan Indonesia. [1]", texts) == (
        "Dia Ketua Asosiasi Pertekstilan Indonesia (API). [1]"
    )
    assert abbreviations_as_written("Sistem kamera OSIRIS dipakai.", texts) == (
        "Sistem kamera OSIRIS (Optical, Spectroscopic, and InfraRed Imaging System) dipakai."
    )
    assert abbreviations_as_written("Dr Bana dari Institut Teknologi Bandung (ITB).", texts) == (
        "Dr Bana dari ITB."
    )
    # without the brackets too, as the end of a longer name (facqa f0530: "Universitas Gadjah
    # Mada" where the passage only says "UGM" was refused as a name from memory)
    for spelt in ("Institut Teknologi Bandung", "Kampus Institut Teknologi Bandung"):
        assert abbreviations_as_written(f"Dr Bana dari {spelt}.", texts) == (
            f"Dr Bana dari {spelt.replace('Institut Teknologi Bandung', 'ITB')}."
        )
    # a bare short form gets the name it stands for (facqa f0786, "Apakah kepanjangan dari
    # UNOPS?"), only the words that spell it, and not a two-letter one ("dollar AS")
    aceh = [
        Passage(1, "g.txt", "G", 0, 200, "Pemerintah RI dan Gerakan Aceh Merdeka (GAM) berunding"
                " di Amerika Serikat (AS) dengan United Nations Office for Project Services"
                " (UNOPS)."),
    ]  # fmt: skip
    assert abbreviations_as_written("UNOPS adalah unit PBB. [1]", aceh) == (
        "United Nations Office for Project Services (UNOPS) adalah unit PBB. [1]"
    )
    assert (
        abbreviations_as_written("GAM berunding.", aceh) == "Gerakan Aceh Merdeka (GAM) berunding."
    )
    # a short form stands whole beside titles and names (facqa f1181)
    assert abbreviations_as_written("Ketua GAM Malik Mahmud.", aceh) == (
        "Ketua Gerakan Aceh Merdeka (GAM) Malik Mahmud."
    )
    for kept in ("Harganya 5 dollar AS.", "GAM adalah Gerakan Aceh Merdeka."):
        assert abbreviations_as_written(kept, aceh) == kept
    # the answer gives the short form too (facqa f1150)
    karaha = [Passage(1, "p.txt", "P", 0, 60, "Proyek Karaha Bodas ditunda. KBC menggugat.")]
    kept = "Ganti rugi dibayar kepada PT Karaha Bodas Company (KBC)."
    assert abbreviations_as_written(kept, karaha) == kept
    # left alone: a place that is only part of a bracketed name, an aside that is no short
    # form, a short form the answer gives already, an expansion whose words the passages have
    for kept in (
        "Longsor di Jawa Tengah.",
        "Michael Kuppers menghitungnya.",
        "Ketua API, Asosiasi Pertekstilan Indonesia, datang.",
        "Kepolisian Daerah Jawa Tengah (Polda) datang.",
        "Dr Bana dari Kebun Raya Bogor.",
    ):
        assert abbreviations_as_written(kept, texts) == kept


def test_a_name_gets_the_rank_degree_or_legal_form_the_passages_give_it() -> None:
    """facqa E f1558, D f0568, G f0267: the article's first mention carries the title."""
    shwe = [
        Passage(1, "m.txt", "M", 0, 90, "Muncul desas-desus Jenderal Than Shwe sakit. Namun, "
                "keberadaan Than Shwe belum jelas.")
    ]  # fmt: skip
    answer = "Pemimpin junta militer Myanmar adalah Than Shwe. [1]"
    assert titles_as_written(answer, shwe) == answer.replace("Than", "Jenderal Than")
    firm = [Passage(1, "p.txt", "P", 0, 60, "Sinopec bersama dengan PT Indelberg Indonesia.")]
    assert titles_as_written("Indelberg Indonesia. [1]", firm) == "PT Indelberg Indonesia. [1]"
    # a degree written in lower case (facqa L f0307, M f0127), but no other lower-case word
    susi = [Passage(1, "y.txt", "Y", 0, 60, "Istrinya, drg Susi Andriani, dan kata dr Ilham Patu.")]
    assert titles_as_written("Istrinya adalah Susi Andriani.", susi) == (
        "Istrinya adalah drg Susi Andriani."
    )
    assert titles_as_written("Ilham Patu.", susi) == "dr Ilham Patu."
    plain = [
        Passage(
            1, "z.txt", "Z", 0, 40, "Kata Presiden Susilo Bambang Yudhoyono dan kata Budi Santoso."
        )
    ]
    assert titles_as_written("Budi Santoso.", plain) == "Budi Santoso."
    # already titled in the answer, the title said elsewhere in it, or part of a longer title
    djabar = [Passage(1, "d.txt", "D", 0, 40, "Diprakarsai H Basril Djabar, pemimpin umum.")]
    assert titles_as_written("Oleh H Basril Djabar.", djabar) == "Oleh H Basril Djabar."
    schroeder = [Passage(1, "s.txt", "S", 0, 40, "Kata Kanselir Gerhard Schroeder di Berlin.")]
    answer = "Kanselir Jerman adalah Gerhard Schroeder."
    assert titles_as_written(answer, schroeder) == answer
    dirjen = [Passage(1, "k.txt", "K", 0, 50, "Kata Direktur Jenderal Pajak Hadi Poernomo.")]
    assert titles_as_written("Hadi Poernomo.", dirjen) == "Hadi Poernomo."


def test_a_name_is_written_as_the_passages_spell_it() -> None:
    text = "Pangkalan itu membantu operasi AS di Afganistan dan Irak."
    base = [Passage(1, "k.txt", "K", 0, len(text), text)]
    assert spellings_as_written("Di negara Afghanistan. [1]", base) == "Di negara Afganistan. [1]"
    assert spellings_as_written("Afghanistan dan Iraq.", base) == "Afganistan dan Irak."
    # a name the passages write as the answer does, or do not write at all, stays
    for kept in ("Di Afganistan.", "Di Pakistan.", "Di negara afghanistan."):
        assert spellings_as_written(kept, base) == kept

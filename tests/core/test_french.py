"""French as a reader expects it: the sort key and the elision, as pure functions."""

from __future__ import annotations

from markupsafe import Markup

from mobility.core.french import elide, sort_key, sorted_french


def test_accents_case_and_ligatures_are_ignored_when_sorting():
    names = ["Boynes", "Boësses", "Chuelles", "Chécy", "Œuvre", "Ouzouer-sur-Loire", "écouis", "Ezra"]
    assert sorted_french(names) == [
        "Boësses", "Boynes", "Chécy", "Chuelles", "écouis", "Ezra", "Œuvre", "Ouzouer-sur-Loire"
    ]


def test_hyphens_and_apostrophes_count_as_spaces():
    assert sort_key("Saint-Denis-de-l'Hôtel") == "saint denis de l hotel"
    assert sort_key("Saint-Cyr-en-Val") < sort_key("Saint-Denis-de-l'Hôtel")


def test_a_last_name_sorts_before_the_first_name():
    assert sort_key("Le Roy", "Anne") < sort_key("Leroy", "Anne")
    assert sort_key("Éluard", "Paul") < sort_key("Ezra", "Anne")


def test_de_is_elided_before_a_vowel_only():
    assert elide("bassin de Orléans") == "bassin d'Orléans"
    assert elide("bassin de Montargis") == "bassin de Montargis"
    assert elide("Bassin d'emploi de Épieds-en-Beauce") == "Bassin d'emploi d'Épieds-en-Beauce"
    # Inside a word, "de" is not the preposition.
    assert elide("code Ormes") == "code Ormes"


def test_elision_keeps_markup_as_markup():
    elided = elide(Markup("bassin de Orléans"))
    assert isinstance(elided, Markup) and str(elided) == "bassin d'Orléans"

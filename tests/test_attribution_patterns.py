"""General attribution patterns of news and health writing, one test per pattern.

Each sentence was written for the test (none comes from the annotated articles): the clause
analysis around the reporting verb, name spans and what is description, coreference, and
follow-on quotations.
"""

from __future__ import annotations

import pytest

from claims.extract import extract
from claims.extract.common import _SPEECH
from claims.models import Extraction
from claims.readers import parse


def _extract(text: str) -> Extraction:
    return extract(parse(text + "\n", "text", "test"))


def _speakers(ex: Extraction) -> list[str | None]:
    """The speaker of each source quote, None when it is not credited to a named one."""
    out: list[str | None] = []
    for q in ex.quotes:
        if q.kind == "source":
            named = q.attribution_kind == "named" and q.speaker_index is not None
            out.append(ex.speakers[q.speaker_index].name if named else None)
    return out


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # A party and state after a name is a description, never the speaker.
        ("Sen. Chuck Schumer, D-N.Y., said the bill was “a big step forward.”", ["Chuck Schumer"]),
        ("“It goes too far,” said Rep. Nancy Pelosi (D-Calif.).", ["Nancy Pelosi"]),
        # A body's name runs on through "and".
        ("“The product poses a serious risk,” according to the Food and Drug Administration.",
         ["Food and Drug Administration"]),
        # Credentials are description, not a name of their own.
        ("“This approval gives patients a new option,” said Peter Marks, M.D., Ph.D., director of the "
         "agency’s biologics center.", ["Peter Marks"]),
        # An abbreviation's full stop does not end the clause of an inverted credit.
        ("The Food and Drug Administration approved the drug. The agency said it would ship in spring.\n\n"
         "“This is a breakthrough,” said Dr. Amy Abernethy, the agency’s principal deputy commissioner.",
         ["Dr. Amy Abernethy"]),
        # A body or place that qualifies a role is not the subject; the person after the role is.
        ("White House press secretary Sarah Sanders told reporters: “The president has full confidence in the team.”",
         ["Sarah Sanders"]),
        ("“This is a good sign,” said Chinese Foreign Ministry spokesman Zhao Lijian.", ["Zhao Lijian"]),
        # A title word that is also a surname ends a name after a first name.
        ("Mary Brown met with Tom Green on Friday. “It was a productive meeting,” she said. "
         "“We agreed on most points,” Green said.", ["Mary Brown", "Tom Green"]),
    ],
)
def test_name_spans(text: str, speakers: list[str | None]) -> None:
    assert _speakers(_extract(text)) == speakers


def test_a_crowd_at_a_named_place_is_unnamed() -> None:
    ex = _extract("Researchers at Johns Hopkins University said the results were “striking.”")
    (quote,) = ex.quotes
    assert quote.kind == "source" and quote.partial
    assert quote.attribution_kind == "vague" and quote.speaker is None


def test_a_role_noun_resolves_to_the_person_given_that_role() -> None:
    ex = _extract("Governor Gavin Newsom spoke on Monday. “We have a plan,” the governor said.")
    assert _speakers(ex) == ["Gavin Newsom"]
    ex = _extract("Sarah Jones, a spokeswoman for the county, met the press. “We are ready,” the spokeswoman said.")
    assert _speakers(ex) == ["Sarah Jones"]
    # No one was given the role: the description stays unresolved, never a wrong name.
    ex = _extract("Gavin Newsom spoke on Monday. “We have a plan,” the senator said.")
    assert _speakers(ex) == [None]


def test_an_acronym_defined_in_parentheses_is_the_same_body() -> None:
    ex = _extract("The Centers for Disease Control and Prevention (CDC) issued new guidance. “Masks work,” the CDC said.")
    assert _speakers(ex) == ["Centers for Disease Control and Prevention"]


def test_a_clause_opening_with_a_person_description_is_the_subject() -> None:
    ex = _extract("The patient, a 52-year-old woman from Ohio, told doctors she had felt “a sharp pain” for weeks.")
    (quote,) = ex.quotes
    assert quote.kind == "source" and quote.attribution_kind == "vague"


def test_a_follow_on_quotation_after_a_pronoun_credit_keeps_the_speaker() -> None:
    ex = _extract("Linda Park has run the clinic for a decade.\n\n"
                  "“When I started, we saw ten patients a day,” she said. “Now we see fifty.\n\n"
                  "“And most of them have no insurance.”\n\n"
                  "Her colleague, Dr. Ben Ortiz, agreed. “The system is broken,” he said.")
    assert _speakers(ex) == ["Linda Park", "Linda Park", "Linda Park", "Dr. Ben Ortiz"]


def test_a_verb_form_inside_a_name_is_no_reporting_verb() -> None:
    assert _SPEECH.search("officials in the United States will decide") is None
    assert _SPEECH.search("the United States said on Monday") is not None
    assert _SPEECH.search("States said they would sue") is not None


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # "per X" is "according to X".
        ("“Sunscreen is the best anti-aging product,” per Dr. Shari Marchbein.", ["Dr. Shari Marchbein"]),
        # A spokesman for a body: the body speaks, in either word order.
        ("“We take this seriously,” said a spokesman for the Food and Drug Administration.",
         ["Food and Drug Administration"]),
        ("A spokesman for the Food and Drug Administration said: “We take this seriously.”",
         ["Food and Drug Administration"]),
        # A description of people after the verb stays unnamed, whatever name follows it.
        ("“Our data show a clear benefit,” wrote the authors, led by Dr. Mei Tan of Duke University.", [None]),
        # The subject is the description nearest the verb, not the publication before it.
        ("Writing in The Lancet, the authors said the results “should be interpreted with caution.”", [None]),
        # A noun phrase ends at its participle: the letter speaks, not the outlet that saw it.
        ("A leaked internal letter seen by the Daily Mail says “claims will be withdrawn after twenty days.”", [None]),
        # A label critics give is their words.
        ("Critics have dubbed the plan “Obamacare lite.”", [None]),
    ],
)
def test_descriptions_and_bodies(text: str, speakers: list[str | None]) -> None:
    assert _speakers(_extract(text)) == speakers


def test_a_lone_surname_after_an_honorific_has_no_gender() -> None:
    # "Chen" is also a man's given name; after "Dr." it is a surname and says nothing.
    ex = _extract("Dr. Chen, speaking at a briefing, said: “We have enough vaccine for everyone.” "
                  "Asked about side effects, she said they were “mild and short-lived.”")
    assert _speakers(ex) == ["Dr. Chen", "Dr. Chen"]


def test_pronouns_for_crowds_and_one_word_bodies() -> None:
    ex = _extract("Officials from the Department of Energy visited the plant on Monday. "
                  "“We are satisfied with the safety measures,” they said.")
    assert _speakers(ex) == [None]
    ex = _extract("Tesla did not respond to a request for comment. In a filing, it said it “disputes the allegations.”")
    assert _speakers(ex) == ["Tesla"]


def test_a_quotation_of_sentences_is_no_title() -> None:
    ex = _extract("Why did she want to attend so badly? “It's Warhol. He is a Legend.”")
    assert [q.kind for q in ex.quotes] == ["source"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # Quoted words that are the reporting verb's speech are a partial source quote...
        ("Officials urged residents to “stay home and stay safe.”", ["source"]),
        ("Police said the suspect was “armed.”", ["source"]),
        # ...words that are only what the verb is about, or a label on a thing, are not.
        ("They discussed the “dictionary of the future” at length.", ["term"]),
        ("The FDA warned consumers not to use products labeled as “miracle cures.”", ["term"]),
        ("The pills were sold as “natural.”", ["term"]),
        # A verb form inside a name reports nothing.
        ("Collections across the United States include Polaroids of “unknowns.”", ["term"]),
    ],
)
def test_partial_quotes_against_scare_quotes(text: str, kinds: list[str]) -> None:
    assert [q.kind for q in _extract(text).quotes] == kinds


def test_a_label_someone_gives_with_an_object_pronoun_is_their_words() -> None:
    ex = _extract("Trump labeled it as “a total hoax.”")
    assert [(q.kind, _speakers(ex)) for q in ex.quotes] == [("source", ["Trump"])]


def test_a_transcript_label_names_the_speaker() -> None:
    ex = _extract("President Jacob Zuma launched the campaign.\n\nJACOB ZUMA: “My April results were negative.”")
    assert _speakers(ex) == ["Jacob Zuma"]
    ex = _extract("Note: “This is not an endorsement of any product.”")
    assert _speakers(ex) == [None]


def test_a_role_set_off_by_a_comma_before_the_name() -> None:
    ex = _extract("Senate Majority Leader, Nevada Democrat Harry Reid said: “Voters want us to deliver.”")
    assert _speakers(ex) == ["Harry Reid"]


def test_the_white_house_is_a_body_not_a_man() -> None:
    ex = _extract("President Bush has said the bill is unacceptable. Before the vote, he met at the White House "
                  "with Republican members. “We stand united,” he said.")
    assert _speakers(ex) == ["Bush"]


def test_a_paragraph_run_on_after_a_closing_mark_is_no_credit() -> None:
    ex = _extract("Harry Reid spoke first. “We will deliver,” he said. “They want us to work together.”Senate "
                  "Minority Leader, Republican Mitch McConnell said voters want change.")
    assert _speakers(ex) == ["Harry Reid", "Harry Reid"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("He announced a reversal on a kind of spending called “earmarks” on Monday.", "term"),
        ("Doctors treat a condition known as “long COVID” in the clinic.", "term"),
        ("The senator called the plan “a disaster.”", "source"),
        ("Tom Jones arrived late. He called it “a witch hunt.”", "source"),
    ],
)
def test_a_naming_participle_labels_a_thing(text: str, kind: str) -> None:
    assert [q.kind for q in _extract(text).quotes] == [kind]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # A dash credit is read like any credit: titles and body go to the description.
        ("“We protect the environment and grow the economy.” - Acting Environmental Protection Agency "
         "Administrator Andrew Wheeler", ["Andrew Wheeler"]),
        # An office not yet taken up is a title.
        ("Secretary of State-designate Hillary Clinton told senators: “We will use smart power.”", ["Hillary Clinton"]),
        # A description with an adverb before its verb.
        ("On its website, the World Health Organization says smoking is falling. The organization also states "
         "that it “appears to be increasing in some regions.”", ["World Health Organization"]),
        # Crowds of every kind are unnamed.
        ("Organizers call it “the largest public health campaign in history.”", [None]),
        # A sentence run into the next without a space still ends the credit.
        ("“The plan is a high-level document,” says Alan Bernstein, director of the enterprise.Looking ahead, "
         "the group will meet in May.", ["Alan Bernstein"]),
        # "On North Korea, the president said": a topic is no appositive, the president is the one titled so.
        ("President Barack Obama spoke at the White House. On North Korea, the president stressed unity. "
         "“They must take action,” the president said.", ["Barack Obama"]),
    ],
)
def test_credits_of_agency_and_broadcast_copy(text: str, speakers: list[str | None]) -> None:
    assert _speakers(_extract(text)) == speakers


def test_a_quotation_paragraph_after_reported_speech_is_the_reporters() -> None:
    ex = _extract("Katherine O'Brien is a director at the WHO. She says that progress is at risk.\n\n"
                  "“Measles is one of the most contagious infections that there is.”")
    assert _speakers(ex) == ["Katherine O'Brien"]
    ex = _extract("The lead writer was Anne McTiernan. The risk was low, said McTiernan.\n\n"
                  "Another group of studies involved older women.\n\n"
                  "“We found a nine percent increased risk among them.”")
    assert _speakers(ex) == ["Anne McTiernan"]
    # Someone quoted since then goes on instead.
    ex = _extract("Anne Lee says that progress is at risk.\n\n“It is slow,” said Tom Park.\n\n"
                  "“We need more money for it.”")
    assert _speakers(ex) == ["Tom Park", "Tom Park"]


@pytest.mark.parametrize(
    "text",
    [
        "At some campaign stops, Mr. Obama used the term “Romnesia” -- combining two words.",
        "We have equipment in the lab nicknamed the 'Nickinator', 'i-Nick' and the 'Nicktendo64'.",
        "Ants\n\nI like to build the setups myself (we have equipment in the lab nicknamed the 'Nickinator').",
        "According to the coach, the team's robot, named “Better Idea of Afghan Girls,” scored two points.",
    ],
)
def test_words_talked_about_and_names_of_things_are_no_source(text: str) -> None:
    ex = _extract(text)
    assert ex.quotes and all(q.kind in ("term", "title") for q in ex.quotes)
    assert all(q.speaker is None and q.attribution is None for q in ex.quotes)


def test_a_name_that_makes_a_body_of_its_noun() -> None:
    ex = _extract("John McCain has increased what the Obama campaign calls “angry, personal attacks.”")
    assert _speakers(ex) == ["Obama campaign"]
    assert ex.speakers[0].kind == "organization"


def test_a_title_with_its_of_phrase_resolves_the_role_noun() -> None:
    ex = _extract("Secretary of State-designate Hillary Clinton spoke on Tuesday. In an opening statement at the "
                  "Foreign Relations Committee hearing, the secretary-designate said the world needs "
                  "“more partners and fewer adversaries.”")
    assert _speakers(ex) == ["Hillary Clinton"]


def test_a_named_subject_hands_over_with_a_colon_whatever_its_verb() -> None:
    ex = _extract("Dr. Francis Collins, the NIH director, put it simply: “Get vaccinated.”")
    assert _speakers(ex) == ["Dr. Francis Collins"]
    # A colon after no name credits no one.
    ex = _extract("The results were clear: “Get vaccinated.”")
    assert _speakers(ex) in ([], [None])

"""Identity keys and resolution: who is the same person across sources."""

from itertools import count

import pytest

from graph.identity import (
    Resolver,
    identity_keys,
    norm_company,
    norm_email,
    norm_linkedin_url,
    norm_name,
)


@pytest.mark.parametrize(
    "raw, want",
    [
        ("https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"),
        ("http://uk.linkedin.com/in/Ada-Lovelace/", "https://www.linkedin.com/in/ada-lovelace"),
        ("linkedin.com/in/ada-lovelace?trk=public_profile", "https://www.linkedin.com/in/ada-lovelace"),
        ("https://www.linkedin.com/in/j%C3%BCrgen-m/", "https://www.linkedin.com/in/jürgen-m"),
        ("https://www.linkedin.com/company/acme", None),
        ("https://evil.example/in/ada", None),
        ("", None),
    ],
)
def test_linkedin_urls_normalise_to_one_key(raw, want):
    assert norm_linkedin_url(raw) == want


@pytest.mark.parametrize(
    "raw, want",
    [(" Ada@Example.COM ", "ada@example.com"), ("mailto:a@b.co", "a@b.co"),
     ("<a@b.co>", "a@b.co"), ("not an email", None), ("a@b", None), ("", None)],
)  # fmt: skip
def test_emails_normalise(raw, want):
    assert norm_email(raw) == want


def test_company_spellings_fold_to_one_name():
    spellings = ["Globex", "Globex, Inc.", "GLOBEX INC", "Globex Corp.", "Globex GmbH", "The Globex Company"]
    assert {norm_company(s) for s in spellings} == {"globex"}
    assert norm_company("Procter & Gamble") == norm_company("Procter and Gamble Co.")


def test_names_fold_accents_titles_and_degrees():
    assert norm_name("Dr. José Núñez, Ph.D.") == norm_name("jose nunez") == "jose nunez"
    assert norm_name("Zoë O'Connor-Łukasiewicz MBA") == "zoe o connor lukasiewicz"


def test_a_name_alone_gives_no_key():
    assert identity_keys(name="John Smith") == []
    assert identity_keys(name="John", company="Acme") == []  # a first name is too weak


def _resolver():
    return Resolver(new_id=count(1))


def test_same_email_is_the_same_person():
    r = _resolver()
    a = r.resolve(identity_keys(name="Ada L", emails=["ada@x.org"]))
    b = r.resolve(identity_keys(name="Ada Lovelace", emails=["ADA@X.ORG"]))
    assert a.created and not b.created and a.person == b.person


def test_two_john_smiths_without_other_keys_stay_two_people():
    r = _resolver()
    a = r.resolve(identity_keys(name="John Smith"))
    b = r.resolve(identity_keys(name="John Smith"))
    assert a.person != b.person


def test_name_and_company_merges_two_people_and_says_why():
    r = _resolver()
    a = r.resolve(identity_keys(name="Ada Lovelace", linkedin_url="linkedin.com/in/ada"))
    b = r.resolve(identity_keys(name="Ada Lovelace", emails=["ada@ae.com"], company="Analytical Engines"))
    assert a.person != b.person  # nothing links them yet
    c = r.resolve(identity_keys(name="Ada Lovelace", emails=["ada@ae.com"], linkedin_url="https://linkedin.com/in/ada/"))
    assert c.person == b.person or c.person == a.person
    assert [reason for _, reason in c.merged] == ["linkedin"] or [reason for _, reason in c.merged] == ["email"]
    assert r.find(a.person) == r.find(b.person)


def test_people_kept_apart_are_not_merged_again():
    r = Resolver([("email", "x@y.com", 1), ("linkedin", "https://www.linkedin.com/in/x", 2)],
                 new_id=count(3), apart=[(1, 2)])  # fmt: skip
    m = r.resolve([("email", "x@y.com"), ("linkedin", "https://www.linkedin.com/in/x")])
    assert m.person == 1 and m.merged == []


def test_weak_key_attaches_only_to_a_unique_person():
    r = _resolver()
    one = r.resolve([("linkedin", "https://www.linkedin.com/in/dana")], [("ownername", "me|dana lee")])
    alone = r.resolve([], [("ownername", "me|dana lee")])
    assert alone.person == one.person and not alone.created
    r.resolve([("linkedin", "https://www.linkedin.com/in/dana2")], [("ownername", "me|dana lee")])
    third = r.resolve([], [("ownername", "me|dana lee")])
    assert third.created  # two Dana Lees now: the bare name is ambiguous


def test_profile_seen_only_in_messages_attaches_to_the_one_namesake_without_a_profile():
    """2021-23 Connections.csv has no URL column; messages.csv gives the same person's URL."""
    r = _resolver()
    conn = r.resolve(identity_keys(name="Mateo Wilson", company="Clearenergy GmbH"), [("ownername", "me|mateo wilson")])
    msg = r.resolve(identity_keys(name="Mateo Wilson", linkedin_url="linkedin.com/in/mateo-w"),
                    [("ownername", "me|mateo wilson")])  # fmt: skip
    assert msg.person == conn.person and not msg.created
    other = r.resolve(identity_keys(name="Mateo Wilson", linkedin_url="linkedin.com/in/another-mateo"),
                      [("ownername", "me|mateo wilson")])  # fmt: skip
    assert other.created  # the namesake already has a different profile
    with_company = r.resolve(identity_keys(name="Ada Byron", company="Acme"), [("ownername", "me|ada byron")])
    same_name_elsewhere = r.resolve(identity_keys(name="Ada Byron", company="Initech"), [("ownername", "me|ada byron")])
    assert with_company.person != same_name_elsewhere.person

"""The bundled demo: a sales team's real-layout exports, generated deterministically.

`write_demo_exports(folder)` writes what a four-person team at "Northwind Analytics" would
have: each rep's LinkedIn archive (in the layout of a different year: 2018 without preamble,
2022 without URLs, 2024 with preamble and URLs, an Excel-touched one with a BOM), a HubSpot
contact export and a Salesforce data export zip. About three thousand people in heavy-tailed
companies appear in several sources under slightly different spellings (``Globex, Inc.`` vs
``Globex``; with and without email), some rows are blank as in real exports, and a few names
are hostile (``<script>``, ``=HYPERLINK(...)``) so every output path meets them.

The same seed always writes the same bytes, so loading the demo twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

__all__ = ["write_demo_exports", "DEMO_OWNERS", "DEMO_AS_OF", "DEMO_COMPANY", "DEMO_TARGET"]

#: The demo's "today": every generated date is on or before it.
DEMO_AS_OF = datetime(2026, 11, 1, 9, 0)
DEMO_COMPANY = "Northwind Analytics"
#: The account and role of the demo's first intro (company, title).
DEMO_TARGET = ("Globex", "CFO")

#: (name, email, title, LinkedIn slug) of the demo team; each owns one LinkedIn archive.
DEMO_OWNERS = [
    ("Priya Shah", "priya.shah@northwind-analytics.com", "VP Sales", "priya-shah-nw"),
    ("Marco Rossi", "marco.rossi@northwind-analytics.com", "Account Executive", "marcorossi"),
    ("Dana Kim", "dana.kim@northwind-analytics.com", "Sales Development Rep", "dana-kim-22"),
    ("Sam O'Neil", "sam.oneil@northwind-analytics.com", "Marketing Lead", "sam-oneil"),
]

_FIRST = """Ada Alan Grace Linus Margaret Barbara Edsger Donald Ken Dennis Radia Frances John
Katherine Dorothy Mary Hedy Tim Vint Bob Sophie Lena Omar Aisha Wei Hiro Yuki Mateo Lucia
Sofia Noah Liam Emma Olivia Ava Mia Ethan Lucas Amir Fatima Leila Ravi Anika Arjun Priyanka
Chen Mei Jun Kenji Sakura Olu Chidi Amara Kwame Nia Zoë Søren Björn Ingrid Åsa Jürgen Renée
José Ángel Inês Łukasz Małgorzata Dmitri Olga Ivan Nadia Tomás Paulo Bianca Giulia Marco
Elena Hannah Jonas Felix Clara Maya Daniel Rachel David Sarah Michael Laura James Anna""".split()
_LAST = """Lovelace Turing Hopper Torvalds Hamilton Liskov Dijkstra Knuth Thompson Ritchie
Perlman Allen McCarthy Johnson Vaughan Jackson Lamarr Berners-Lee Cerf Kahn Wilson Schmidt
Haddad Khan Zhang Tanaka Sato Garcia Fernández Rossi Müller Smith Brown Jones Miller Davis
Patel Sharma Gupta Iyer Nair Li Wang Chen Nakamura Okafor Mensah Diallo Nguyen Kowalski
Nowak Ivanova Petrov Andersson Johansson Nielsen O'Brien D'Angelo García-López Silva
Costa Moreau Dubois Lefèvre Schäfer Weiß Novak Horvat Kim Park Lee Cohen Levi Murphy
Walsh Kelly Byrne Evans Roberts Clarke Wright Hughes Green Baker""".split()
_TITLES_SENIOR = ["CFO", "CTO", "CEO", "COO", "VP Sales", "VP Marketing", "VP Engineering",
                  "Head of Procurement", "Chief Data Officer", "Director of Finance",
                  "Director of IT", "Head of Revenue Operations"]  # fmt: skip
_TITLES = ["Account Manager", "Data Analyst", "Software Engineer", "Product Manager",
           "Marketing Manager", "Sales Manager", "Financial Analyst", "Controller",
           "Procurement Specialist", "Customer Success Manager", "Data Engineer",
           "Operations Manager", "Business Analyst", "Solutions Architect", "Recruiter"]  # fmt: skip
_COMPANIES = [
    ("Globex", "Manufacturing"), ("Initech", "Software"), ("Umbrella Health", "Healthcare"),
    ("Stark Industries", "Manufacturing"), ("Wayne Enterprises", "Financial Services"),
    ("Acme", "Retail"), ("Hooli", "Software"), ("Vandelay Industries", "Logistics"),
    ("Soylent Foods", "Food & Beverage"), ("Tyrell Corporation", "Biotech"),
    ("Cyberdyne Systems", "Software"), ("Massive Dynamic", "Biotech"),
    ("Wonka Industries", "Food & Beverage"), ("Oscorp", "Biotech"),
    ("Aperture Science", "Research"), ("Pied Piper", "Software"), ("Dunder Mifflin", "Retail"),
    ("Prestige Worldwide", "Media"), ("Gringotts Bank", "Financial Services"),
    ("Monarch Solutions", "Consulting"), ("Nakatomi Trading", "Logistics"),
    ("Blue Sun", "Energy"), ("Sirius Cybernetics", "Software"), ("Bluth Company", "Real Estate"),
    ("Virtucon", "Energy"), ("Gekko & Co", "Financial Services"), ("Ollivanders", "Retail"),
    ("Rekall", "Media"), ("Weyland-Yutani", "Energy"), ("Buy n Large", "Retail"),
]  # fmt: skip
_PREFIX = ["North", "Blue", "Bright", "Silver", "Green", "Red", "Clear", "Swift", "Iron",
           "Lumen", "Nova", "Apex", "Cedar", "Harbor", "Summit", "Vertex", "Quantum", "Polar"]  # fmt: skip
_SUFFIX = [("Logistics", "Logistics"), ("Analytics", "Software"), ("Health", "Healthcare"),
           ("Capital", "Financial Services"), ("Foods", "Food & Beverage"),
           ("Energy", "Energy"), ("Labs", "Research"), ("Media", "Media"),
           ("Robotics", "Manufacturing"), ("Consulting", "Consulting")]  # fmt: skip
_LEGAL = ["", "", " Inc", " Inc.", ", Inc.", " Ltd", " GmbH", " LLC", " Corp."]
#: People whose names are hostile text; every output path must show them as plain text.
HOSTILE_NAMES = [
    ("<img src=x onerror=alert(1)>", "Moreau"),
    ("<script>alert(1)</script>", "Nowak"),
    ('=HYPERLINK("http://evil.example","click")', "Byrne"),
    ("Robert'); DROP TABLE people;--", "Tables"),
    ("Zoë", "O'Connor-Łukasiewicz, Ph.D. 🚀"),
]

_NOTES = (
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"'
)


@dataclass
class _Person:
    idx: int
    first: str
    last: str
    company: int
    title: str
    slug: str
    email: str
    phone: str
    spelling: int = 0  # which legal-suffix spelling of the company this person's sources use
    reps: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class _World:
    companies: list[tuple[str, str, str]]  # (name, industry, domain)
    people: list[_Person]
    colleagues_of: dict[int, list[int]]


def _sf_id(prefix: str, n: int) -> str:
    """A Salesforce 18-character id: 15-character base plus the case-checksum suffix."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    body = ""
    x = n * 7919 + 12345
    for _ in range(9):
        body = alphabet[x % 62] + body
        x //= 62
    base = prefix + "5e0" + body
    table = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, c in enumerate(base[chunk * 5 : chunk * 5 + 5]):
            if c.isupper():
                bits |= 1 << i
        suffix += table[bits]
    return base + suffix


def _ascii(text: str) -> str:
    """`text` without accents or anything an email local part or URL slug would not hold."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in s.lower() if c.isalnum() or c in ".-")


def _world(rng: random.Random, n_people: int = 2600) -> _World:
    companies: list[tuple[str, str, str]] = []
    for name, industry in _COMPANIES:
        companies.append((name, industry, name.lower().replace(" ", "").replace("&", "") + ".com"))
    seen = {c[0] for c in companies}
    while len(companies) < 160:
        pre = rng.choice(_PREFIX)
        suf, industry = rng.choice(_SUFFIX)
        name = f"{pre}{suf.lower() if rng.random() < 0.3 else ' ' + suf}"
        if name in seen:
            continue
        seen.add(name)
        companies.append((name, industry, name.lower().replace(" ", "") + ".io"))
    # heavy-tailed company sizes: a Zipf-like weight per company
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(companies))]
    company_spelling = [rng.randrange(len(_LEGAL)) for _ in companies]
    people: list[_Person] = []
    sizes: dict[int, int] = {}
    used: set[str] = set()
    for i in range(n_people):
        while True:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            if (first, last) not in used or rng.random() < 0.02:  # a few true namesakes
                used.add((first, last))
                break
        while True:  # heavy-tailed, but nobody knows more than ~45 people at one company
            c = rng.choices(range(len(companies)), weights)[0]
            if sizes.get(c, 0) < 45:
                sizes[c] = sizes.get(c, 0) + 1
                break
        title = rng.choice(_TITLES_SENIOR) if rng.random() < 0.12 else rng.choice(_TITLES)
        slug = f"{_ascii(first)}-{_ascii(last)}-{rng.randrange(16**6):06x}"
        domain = companies[c][2]
        local = f"{_ascii(first)}.{_ascii(last)}"
        people.append(
            _Person(i, first, last, c, title, slug, f"{local}@{domain}",
                    f"+1 (555) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                    spelling=company_spelling[c])  # fmt: skip
        )
    # one CFO and one VP Sales at the two best-known accounts, for the examples in the README
    for c, title in ((0, "CFO"), (1, "VP Sales")):
        at = [p for p in people if p.company == c and p.title not in _TITLES_SENIOR]
        if at:
            at[len(at) // 2].title = title
    for j, (first, last) in enumerate(HOSTILE_NAMES):
        p = people[50 + j * 37]
        p.first, p.last = first, last
    colleagues: dict[int, list[int]] = {}
    for p in people:
        colleagues.setdefault(p.company, []).append(p.idx)
    return _World(companies, people, colleagues)


def _company_spelling(world: _World, p: _Person, variant: int | None = None) -> str:
    base = world.companies[p.company][0]
    return base + _LEGAL[p.spelling if variant is None else variant % len(_LEGAL)]


def _csv_bytes(header: list[str], rows: list[list[str]], *, quote_all: bool = False,
               preamble: str = "", bom: bool = False, encoding: str = "utf-8",
               delimiter: str = ",") -> bytes:  # fmt: skip
    buf = io.StringIO(newline="")
    buf.write(preamble)
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                   delimiter=delimiter, lineterminator="\r\n" if quote_all else "\n")  # fmt: skip
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _date_styles(style: str, dt: datetime) -> str:
    if style == "2018":
        return f"{dt.month}/{dt.day}/{dt:%y}, {dt.hour % 12 or 12}:{dt:%M} {'AM' if dt.hour < 12 else 'PM'}"
    if style == "excel":
        return f"{dt.day}-{dt:%b}-{dt:%y}"
    return f"{dt.day:02d} {dt:%b %Y}"


def _rand_date(rng: random.Random, start_year: int, end: datetime = DEMO_AS_OF) -> datetime:
    start = datetime(start_year, 1, 1)
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(max(span, 1)))


def _linkedin_archive(rng: random.Random, world: _World, rep: int, contacts: list[int],
                      layout: str) -> dict[str, bytes]:  # fmt: skip
    name, email, title, slug = DEMO_OWNERS[rep]
    first, last = name.split(" ", 1)
    files: dict[str, bytes] = {}
    files["Profile.csv"] = _csv_bytes(
        ["First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary",
         "Industry", "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers"],
        [[first, last, "", "", "", f"{title} at {DEMO_COMPANY}", "", "Software", "", "", "", "", ""]],
    )  # fmt: skip
    files["Positions.csv"] = _csv_bytes(
        ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
        [[DEMO_COMPANY, title, "Selling analytics, one warm intro at a time.", "Boston", "Mar 2022", ""],
         [world.companies[rep * 3 + 1][0], "Account Manager", "", "New York", "Jun 2017", "Feb 2022"]],
    )  # fmt: skip
    # connections, in this rep's year layout
    style = {"2018": "2018", "2022": "excel", "2024": "2024", "bom": "2024"}[layout]
    rows: list[list[str]] = []
    for i in contacts:
        p = world.people[i]
        when = _rand_date(rng, 2012 if layout == "2018" else 2016,
                          datetime(2018, 1, 5) if layout == "2018" else DEMO_AS_OF)  # fmt: skip
        mail = p.email if rng.random() < 0.02 else ""
        row = [p.first, p.last, f"https://www.linkedin.com/in/{p.slug}", mail,
               _company_spelling(world, p), p.title, _date_styles(style, when)]  # fmt: skip
        if layout == "2022":
            del row[2]
        rows.append(row)
        if rng.random() < 0.02:  # a deleted or private member: blank but for the date
            rows.append(["", "", "", "", "", "", _date_styles(style, when)][: len(row)])
    for teammate, (tname, _, ttitle, tslug) in enumerate(DEMO_OWNERS):
        if teammate == rep:
            continue
        tf, tl = tname.split(" ", 1)
        row = [tf, tl, f"https://www.linkedin.com/in/{tslug}", "", DEMO_COMPANY, ttitle,
               _date_styles(style, datetime(2022, 4, 1 + teammate))]  # fmt: skip
        if layout == "2022":
            del row[2]
        rows.append(row)
    header = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    if layout == "2022":
        header.remove("URL")
    preamble = "" if layout == "2018" else f"Notes:\n{_NOTES}\n\n"
    files["Connections.csv"] = _csv_bytes(header, rows, preamble=preamble, bom=(layout == "bom"))
    # messages: a strong core (frequent, recent, two-way), a dormant set, some group threads
    me_url = f"https://www.linkedin.com/in/{slug}"
    msg_rows: list[tuple[datetime, list[str]]] = []
    core = contacts[: max(8, len(contacts) // 12)]
    dormant = contacts[len(core) : len(core) + max(5, len(contacts) // 20)]
    conv = 0
    for group, (lo, hi), start in ((core, (4, 30), 2025), (dormant, (3, 12), 2017)):
        for i in group:
            p = world.people[i]
            conv += 1
            cid = f"2-{rng.randrange(16**12):012x}{conv:04d}=="
            t = _rand_date(rng, start, DEMO_AS_OF if start == 2025 else datetime(2019, 12, 31))
            for _ in range(rng.randint(lo, hi)):
                outgoing = rng.random() < 0.55
                them = (p.name, f"https://www.linkedin.com/in/{p.slug}")
                sender, recip = ((name, me_url), them) if outgoing else (them, (name, me_url))
                msg_rows.append((t, [cid, "", sender[0], sender[1], recip[0], recip[1], t,
                                     "", "Great to catch up, see you next week.", "INBOX"]))  # fmt: skip
                t += timedelta(hours=rng.randint(2, 24 * 20))
                if t > DEMO_AS_OF:
                    break
    for _ in range(max(3, len(contacts) // 60)):  # small group threads: weak evidence
        trio = rng.sample(contacts, 3)
        conv += 1
        cid = f"2-{rng.randrange(16**12):012x}{conv:04d}=="
        t = _rand_date(rng, 2023)
        names = [world.people[i].name for i in trio]
        urls = [f"https://www.linkedin.com/in/{world.people[i].slug}" for i in trio]
        msg_rows.append((t, [cid, "Intro thread", name, me_url, ", ".join(names), ", ".join(urls),
                             t, "", "Looping you all in.", "INBOX"]))  # fmt: skip
    msg_rows.sort(key=lambda r: r[0], reverse=True)
    if layout == "2018":
        m_header = ["From", "To", "Date", "Subject", "Content", "Direction", "Folder"]
        m_rows = [[r[2], r[4], _date_styles("2018", t), r[7], r[8],
                   "OUTGOING" if r[2] == name else "INCOMING", r[9]] for t, r in msg_rows]  # fmt: skip
        files["Messages.csv"] = _csv_bytes(m_header, m_rows)
    else:
        m_header = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                    "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER"]  # fmt: skip
        extra: list[str] = []
        if layout in ("2024", "bom"):
            extra = ["IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"]
        m_rows = []
        for t, r in msg_rows:
            row = list(r)
            row[6] = f"{t:%Y-%m-%d %H:%M:%S} UTC"
            if layout == "2022":
                del row[5]
            m_rows.append(row + ["No", "No"][: len(extra)])
        if extra:  # one draft, which must not count as an interaction
            t, r = msg_rows[0]
            m_rows.insert(0, [r[0], "", name, me_url, r[4], r[5], f"{DEMO_AS_OF:%Y-%m-%d %H:%M:%S} UTC",
                              "", "Draft: don't send yet", "DRAFT", "Yes", "No"])  # fmt: skip
        hdr = [h for h in m_header if not (layout == "2022" and h == "RECIPIENT PROFILE URLS")]
        files["messages.csv"] = _csv_bytes(hdr + extra, m_rows, bom=(layout == "bom"))
    inv_rows = []
    for i in contacts[-max(3, len(contacts) // 40) :]:
        p = world.people[i]
        t = _rand_date(rng, 2024)
        out = rng.random() < 0.5
        inv_rows.append([name if out else p.name, p.name if out else name,
                         _date_styles("2018", t), "", "OUTGOING" if out else "INCOMING",
                         me_url if out else f"https://www.linkedin.com/in/{p.slug}",
                         f"https://www.linkedin.com/in/{p.slug}" if out else me_url])  # fmt: skip
    files["Invitations.csv"] = _csv_bytes(
        ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
        inv_rows,
    )
    return files


def _hubspot(rng: random.Random, world: _World, contacts: list[int], owner_of: dict[int, int]) -> bytes:
    header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
              "Job Title", "Contact owner", "Associated Company IDs", "Associated Company",
              "Last Activity Date", "Create Date", "Lifecycle Stage"]  # fmt: skip
    rows = []
    for n, i in enumerate(contacts):
        p = world.people[i]
        rep = DEMO_OWNERS[owner_of[i]][0]
        cname = _company_spelling(world, p, p.spelling + 1)
        last = _rand_date(rng, 2024)
        created = last - timedelta(days=rng.randint(30, 900))
        rows.append([str(51000 + n * 3), p.first, p.last, p.email if rng.random() < 0.93 else "",
                     p.phone, cname, p.title, rep, str(9_000_000 + p.company), cname,
                     f"{last:%Y-%m-%d %H:%M}", f"{created:%Y-%m-%d %H:%M}",
                     rng.choice(["Lead", "Marketing Qualified Lead", "Opportunity", "Customer"])])  # fmt: skip
    return _csv_bytes(header, rows)


def _salesforce(rng: random.Random, world: _World, contacts: list[int], owner_of: dict[int, int]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    user_ids = [_sf_id("005", k) for k in range(len(DEMO_OWNERS))]
    users = []
    for k, (name, email, title, _) in enumerate(DEMO_OWNERS):
        first, last = name.split(" ", 1)
        users.append([user_ids[k], first, last, email, title, user_ids[0] if k else "", "true"])
    files["User.csv"] = _csv_bytes(
        ["Id", "FirstName", "LastName", "Email", "Title", "ManagerId", "IsActive"], users, quote_all=True
    )
    accounts = sorted({world.people[i].company for i in contacts})
    acc_id = {c: _sf_id("001", c) for c in accounts}
    files["Account.csv"] = _csv_bytes(
        ["Id", "Name", "Website", "Industry", "OwnerId", "ParentId"],
        [[acc_id[c], world.companies[c][0], f"https://www.{world.companies[c][2]}",
          world.companies[c][1], user_ids[c % len(user_ids)], "000000000000000AAA"]
         for c in accounts],
        quote_all=True,
    )  # fmt: skip
    con_id = {i: _sf_id("003", i) for i in contacts}
    by_company: dict[int, list[int]] = {}
    for i in contacts:
        by_company.setdefault(world.people[i].company, []).append(i)
    rows = []
    for i in contacts:
        p = world.people[i]
        boss = next((j for j in by_company[p.company] if j != i and world.people[j].title in _TITLES_SENIOR), None)
        last_act = _rand_date(rng, 2025)
        rows.append([con_id[i], acc_id[p.company], p.first, p.last, p.email, p.title, p.phone,
                     user_ids[owner_of[i]], con_id[boss][:15] if boss is not None else "",
                     f"{last_act:%Y-%m-%d}"])  # fmt: skip
    files["Contact.csv"] = _csv_bytes(
        ["Id", "AccountId", "FirstName", "LastName", "Email", "Title", "Phone", "OwnerId",
         "ReportsToId", "LastActivityDate"], rows, quote_all=True)  # fmt: skip
    tasks = []
    for n in range(len(contacts) * 2):
        i = rng.choice(contacts)
        sub = rng.choice(["Call", "Email", "Task"])
        when = _rand_date(rng, 2024)
        tasks.append([_sf_id("00T", n), con_id[i], acc_id[world.people[i].company],
                      user_ids[owner_of[i]], f"{sub}: follow up on pilot", f"{when:%Y-%m-%d}",
                      "Completed", sub, acc_id[world.people[i].company]])  # fmt: skip
    tasks.append([_sf_id("00T", 99999), "00Q5e000004XyZaEAK", "", user_ids[1], "Call lead",
                  "2026-10-01", "Completed", "Call", ""])  # a task on a Lead: not exported
    files["Task.csv"] = _csv_bytes(
        ["Id", "WhoId", "WhatId", "OwnerId", "Subject", "ActivityDate", "Status", "TaskSubtype",
         "AccountId"], tasks, quote_all=True)  # fmt: skip
    events, relations = [], []
    for n in range(len(contacts) // 3):
        i = rng.choice(contacts)
        comp = by_company[world.people[i].company]
        when = _rand_date(rng, 2025)
        eid = _sf_id("00U", n)
        events.append([eid, con_id[i], acc_id[world.people[i].company], user_ids[owner_of[i]],
                       "Discovery call", f"{when:%Y-%m-%dT%H:%M:%S.000+0000}", "45"])  # fmt: skip
        for j in rng.sample(comp, min(len(comp), rng.randint(0, 3))):
            if j != i:
                relations.append([con_id[j], eid, "true"])
    files["Event.csv"] = _csv_bytes(
        ["Id", "WhoId", "WhatId", "OwnerId", "Subject", "ActivityDateTime", "DurationInMinutes"],
        events, quote_all=True)  # fmt: skip
    files["EventRelation.csv"] = _csv_bytes(["RelationId", "EventId", "IsInvitee"], relations, quote_all=True)
    ocr = []
    for n, (_c, members) in enumerate(sorted(by_company.items())[:40]):
        opp = _sf_id("006", n)
        for j in members[:4]:
            ocr.append([opp, con_id[j], rng.choice(["Decision Maker", "Economic Buyer", "Influencer"]),
                        "true" if j == members[0] else "false"])  # fmt: skip
    files["OpportunityContactRole.csv"] = _csv_bytes(
        ["OpportunityId", "ContactId", "Role", "IsPrimary"], ocr, quote_all=True
    )
    return files


def _zip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def write_demo_exports(folder: str | Path, *, seed: int = 7) -> list[tuple[Path, str | None]]:
    """Write the demo team's exports into `folder`.

    Returns what to load, in order, as ``(path, owner)`` pairs: each rep's LinkedIn archive
    with that rep as owner, then the HubSpot and Salesforce exports (owner None: CRM exports
    name their reps themselves).
    """
    rng = random.Random(seed)
    world = _world(rng)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    n = len(world.people)
    order = list(range(n))
    rng.shuffle(order)
    sizes = [620, 480, 360, 300]
    layouts = ["2024", "2022", "2018", "bom"]
    plan: list[tuple[Path, str | None]] = []
    reach: dict[int, set[int]] = {}
    for rep, size in enumerate(sizes):
        # each rep knows a slice of the world, overlapping with the others'
        start = rep * 420
        contacts = [order[(start + k) % n] for k in range(size)]
        if rep == 0:  # the hostile names are among Priya's connections, so every view meets them
            hostile = {f"{f} {l}" for f, l in HOSTILE_NAMES}
            contacts += [p.idx for p in world.people if p.name in hostile and p.idx not in contacts]
        reach[rep] = set(contacts)
        files = _linkedin_archive(rng, world, rep, contacts, layouts[rep])
        path = out / f"Basic_LinkedInDataExport_{10 + rep:02d}-2{rep}-2026.zip"
        _zip(path, files)
        name, email, _, _ = DEMO_OWNERS[rep]
        plan.append((path, f"{name} <{email}>"))
    crm = sorted(rng.sample(range(n), 900))
    owner_of = {i: next((r for r in range(len(sizes)) if i in reach[r]), i % len(sizes)) for i in crm}
    hub = out / "hubspot-crm-exports-all-contacts-2026-11-01.csv"
    hub.write_bytes(_hubspot(rng, world, crm[:650], owner_of))
    plan.append((hub, None))
    sf = out / "WE_00D5e000000DemoEAC_1.zip"
    _zip(sf, _salesforce(rng, world, crm[300:], owner_of))
    plan.append((sf, None))
    return plan

"""Build the project's own sample documents into source_docs/.

    /work/venv/bin/python scripts/build_samples.py

The texts below were written for tms testing. They are NOT the network's Declaration or
Manifesto and must never be presented as such. The DOCX files are built with python-docx;
footnotes (which python-docx cannot create) are added as a footnotes part with lxml, and
the Roman/lettered list numbering is real Word numbering (numbering.xml). The output is
deterministic: fixed core properties and fixed ZIP timestamps, so a rebuild gives the same
bytes.

Inline markup in the texts: **bold**, *italic*, [text](url) and [^n] footnote references.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "source_docs"
FIXED_DATE = dt.datetime(2024, 1, 1, 12, 0, 0, tzinfo=dt.UTC)

NOTICE = ("**Sample text for tms testing.** This document was written by the tms project to "
          "test its translation workflow. It is not the Declaration of the Rights of Sex "
          "Workers in Europe, does not reproduce it, and does not speak for the network or "
          "for any organisation.")

# ------------------------------------------------------------------ the declaration
DECLARATION: list[tuple[Any, ...]] = [
    ("title", "Sample Declaration of the Rights of Sex Workers"),
    ("p", NOTICE),
    ("h1", "Preamble"),
    ("p", "Sex workers are workers, neighbours, parents, migrants, students and citizens. "
          "Like everyone else, they are entitled to the full protection of human rights law, "
          "whatever the legal status of their work.[^1]"),
    ("p", "Across Europe, people who sell sexual services face violence, stigma and "
          "discrimination. Many are shut out of health care, housing, banking and justice "
          "because of what they do for a living, because of their migration status, or "
          "because of their gender identity. Criminal and administrative laws that target "
          "sex work, clients or third parties often push workers into isolation and make it "
          "harder, not easier, to report abuse."),
    ("p", "This sample declaration sets out rights that any person can claim and the "
          "obligations that follow for states. It draws on principles found in instruments "
          "such as the [Universal Declaration of Human Rights]"
          "(https://www.un.org/en/about-us/universal-declaration-of-human-rights), without "
          "quoting them, and on the everyday experience of community organisations.[^2]"),
    ("p", "Language matters. In several languages a text like this one would use inclusive "
          "forms such as travailleur·euse·s, travailleuSEs, trabajador@s or SexarbeiterInnen; "
          "translators are free to choose the forms their communities prefer — and to explain "
          "their choice in a note."),
    ("p", "The drafters of this sample met workers who had been fined for standing on a "
          "corner, evicted after a neighbour's complaint, or refused treatment at a clinic "
          "once their occupation was known. They also met workers who had organised, "
          "negotiated with local authorities and won safer working conditions. Both "
          "experiences shaped the text that follows."),
    ("p", "Nothing in this text may be read as limiting rights already recognised elsewhere. "
          "Where national law gives more protection, the more protective rule applies."),
    ("h1", "Rights"),
    ("p", "The rights below apply to all sex workers, i.e. to women, men, trans and non-binary "
          "people, whether they work on the street, in venues, online or from home, and "
          "whether they work alone or together."),
    ("roman", 0, "**The right to life and security of person.** Every sex worker has the "
                 "right to live free from violence, including violence by clients, partners, "
                 "managers, landlords and state officials."),
    ("roman", 1, "States must investigate attacks against sex workers with the same "
                 "diligence as attacks against anyone else."),
    ("roman", 1, "A report of violence must never lead to the arrest, fine or deportation of "
                 "the person who makes it."),
    ("roman", 1, "Police officers who abuse their power, e.g. by demanding sexual services or "
                 "money, must be held to account."),
    ("roman", 0, "**The right to health.** Everyone has the right to the highest attainable "
                 "standard of physical and mental health, and to health services that are "
                 "accessible, confidential and free from judgement."),
    ("roman", 1, "Testing, treatment and prevention for HIV and other sexually transmitted "
                 "infections must be voluntary; mandatory testing of sex workers violates "
                 "bodily autonomy."),
    ("roman", 1, "Health workers must not report patients to the police or to immigration "
                 "authorities."),
    ("roman", 1, "Condoms and other safer-sex supplies must never be used as evidence of "
                 "sex work."),
    ("roman", 0, "**The right to work and to just conditions of work.** Sex workers have the "
                 "right to choose their work, to fair pay, to safe working conditions and "
                 "to rest."),
    ("roman", 1, "Labour protections, including protection against unfair dismissal and "
                 "unpaid wages, apply to people in the sex industry."),
    ("roman", 1, "No one may be forced to perform any act, with any client, at any time. "
                 "Consent can be withdrawn at any moment."),
    ("roman", 0, "**The right to privacy and family life.** Sex workers have the right to a "
                 "private life, to keep their work confidential, and to live with their "
                 "partners and children without interference."),
    ("roman", 1, "Personal data about sex work, such as registration lists or police "
                 "databases, must not be collected without a clear legal basis and must be "
                 "deleted when that basis ends."),
    ("roman", 1, "Living with, or being supported by, a sex worker must not in itself be "
                 "a crime."),
    ("roman", 1, "Children of sex workers must not be taken into care because of a parent's "
                 "occupation alone."),
    ("roman", 0, "**The right to freedom of movement and to migrate.** Migrant sex workers "
                 "have the same human rights as citizens, whatever their papers say."),
    ("roman", 1, "Anti-trafficking measures must protect victims; they must not serve as a "
                 "pretext for raids and deportations."),
    ("roman", 1, "Residence permits must not depend on the holder staying out of sex work."),
    ("roman", 0, "**The right to justice.** Sex workers have the right to equal protection of "
                 "the law, to a fair trial and to an effective remedy."),
    ("roman", 1, "Legal aid must be available on the same terms as for other people."),
    ("roman", 1, "Courts must not treat a person's involvement in sex work as proof that they "
                 "lack credibility.[^3]"),
    ("roman", 0, "**The right to freedom of association and expression.** Sex workers have "
                 "the right to form and join organisations and trade unions, to speak in "
                 "public, and to take part in the decisions that affect them."),
    ("roman", 1, "Organisations led by sex workers must be able to register, open bank "
                 "accounts and receive funding."),
    ("roman", 1, "Online platforms and advertising rules must not silence sex workers' own "
                 "voices."),
    ("roman", 0, "**The right to housing and to financial services.** No one may be evicted, "
                 "refused a tenancy or denied a bank account because they do, or once did, "
                 "sex work."),
    ("roman", 0, "**The right to information and education.** Sex workers have the right to "
                 "information about their rights, their health and the law, in a language "
                 "they understand."),
    ("roman", 1, "Information campaigns must be developed with sex workers, not about them."),
    ("roman", 1, "Schools, universities and training courses must be open to sex workers on "
                 "the same terms as to everyone else."),
    ("roman", 0, "**The right to equality and non-discrimination.** Sex workers have the right "
                 "to be treated equally before the law and in every area of public life, "
                 "without discrimination on any ground, including occupation, sex, gender "
                 "identity, sexual orientation, race, ethnic origin, disability, health "
                 "status, nationality or residence status."),
    ("roman", 1, "Laws that are neutral in their wording but that are enforced mainly against "
                 "sex workers, such as rules on loitering or public order, must be reviewed."),
    ("roman", 1, "Public services must not ask about a person's occupation unless it is "
                 "strictly necessary for the service requested."),
    ("h2", "Interpretation"),
    ("p", "The rights listed above are examples, not a closed list. They must be read "
          "together, in good faith and in the light of their purpose, which is to protect "
          "the dignity, safety and autonomy of every person who sells sexual services. "
          "When a right can be read in more than one way, the reading that gives the "
          "greater protection prevails."),
    ("p", "No provision of this sample may be used to justify measures that restrict the "
          "rights of sex workers in the name of protecting them. Protection that people "
          "have not asked for, and that takes away their income, their home or their "
          "freedom, is not protection."),
    ("h1", "Obligations of States"),
    ("p", "To give effect to these rights, states commit to the following measures. The list "
          "is not exhaustive: it describes a minimum."),
    ("number", 0, "Review all laws, regulations and local by-laws that criminalise or "
                  "penalise sex work, sex workers, clients or third parties, and repeal those "
                  "that harm the safety, health or rights of sex workers."),
    ("number", 0, "Consult organisations led by sex workers, in a meaningful way and in good "
                  "time, on every law and policy that concerns them, and pay them for their "
                  "expertise as for any other expert."),
    ("number", 0, "Train police officers, prosecutors, judges, health workers and social "
                  "workers on the rights in this declaration, with sex workers as trainers."),
    ("number", 0, "Collect data on violence against sex workers, broken down by gender, "
                  "migration status and type of work, while protecting the anonymity of "
                  "every person concerned."),
    ("number", 0, "Fund the services sex workers ask for, such as drop-in centres, peer "
                  "outreach, legal advice and support for those who want to change jobs, "
                  "without making any service conditional on leaving sex work."),
    ("number", 0, "Report publicly, at least every two years, on the steps taken, and publish "
                  "the report in the main languages spoken by sex workers in the country, "
                  "migrant languages included."),
    ("number", 0, "Ensure that victims of trafficking and exploitation receive support and "
                  "residence rights that do not depend on their cooperation with criminal "
                  "proceedings."),
    ("h2", "Implementation"),
    ("p", "An independent body, in which sex workers hold at least one third of the seats, "
          "should monitor these obligations. It should be able to receive complaints, visit "
          "places where people are detained, and publish its findings without prior approval "
          "by the government."),
    ("p", "Organisations that want to use this sample for testing will find the tms source "
          "code and documentation on the [project page](https://example.org/tms). Questions "
          "about the sample can be sent to sample@example.org."),
    ("h1", "Final provisions"),
    ("p", "Rights are indivisible. The right to health cannot be enjoyed without the right to "
          "safety, and neither can be enjoyed in fear of arrest. States, international bodies "
          "and civil society share the responsibility for making these rights real."),
    ("p", "Adopted as sample text for testing on 1 January 2024. Dr. A. Example and "
          "Ms. B. Placeholder served as fictional rapporteurs; approx. 12 fictional "
          "organisations took part in the fictional drafting."),
]

DECLARATION_NOTES = {
    1: "Throughout this text, “sex worker” means an adult who receives money or goods in "
       "exchange for consensual sexual services, regularly or occasionally.",
    2: "Universality, equality and non-discrimination are common to most human rights "
       "instruments; see e.g. art. 2 of the Universal Declaration.",
    3: "Judges and juries should be reminded that a complainant's occupation says nothing "
       "about whether an offence took place.",
}

# ------------------------------------------------------------------ the manifesto
MANIFESTO: list[tuple[Any, ...]] = [
    ("title", "Sample Manifesto for Safety, Dignity and Rights"),
    ("p", NOTICE.replace("the Declaration of the Rights of Sex Workers in Europe",
                         "the Sex Workers' Manifesto")),
    ("h1", "Who we are"),
    ("p", "We are a fictional alliance of sex workers and allies, imagined for this sample. "
          "We come from cities and villages, from many countries and many backgrounds. Some "
          "of us have done sex work for decades; others for a few months. Some of us love "
          "our work, some of us tolerate it, and some of us want to leave it. *All of us* "
          "want to be safe while we do it."),
    ("p", "We speak for ourselves. For too long, others have written about us: journalists, "
          "researchers, politicians and campaigners who never asked what we need. This "
          "manifesto is our answer. It is short, because our demands are simple; it is "
          "firm, because our lives depend on them."),
    ("p", "We know that our community is not one voice. Street workers and escorts, "
          "cisgender women and trans women, men, migrants with papers and migrants without, "
          "parents and students: our needs differ, and this text tries to hold all of them. "
          "Where it fails, we want to hear it."),
    ("p", "Our fictional alliance was founded after a winter in which three workers in one "
          "city were attacked within a month and none of the attacks was investigated. "
          "Workers began meeting in a café, then in a borrowed office, then online. What "
          "started as a warning list became an organisation with members, a budget, a "
          "helpline and, eventually, this manifesto. The story is invented for this sample, "
          "but stories like it are common wherever sex workers organise."),
    ("h1", "What we want"),
    ("p", "Our demands fall into three groups: safety, health and work. They are connected. "
          "A worker who fears the police will not report a violent client; a worker who "
          "cannot report violence will not feel safe enough to insist on condoms; a worker "
          "who cannot insist on condoms cannot protect her health."),
    ("h2", "Safety"),
    ("p", "Violence against sex workers is common and rarely punished. We want laws and "
          "practices that make it easier, not harder, to stay safe."),
    ("bullet", 0, "The right to work together, in pairs or groups, without being charged "
                  "with running a brothel."),
    ("bullet", 0, "The right to screen clients, share warnings and keep \"bad date\" lists "
                  "without being accused of advertising or organising."),
    ("bullet", 0, "Police who protect rather than raid, and who record our complaints without "
                  "asking about our papers."),
    ("bullet", 1, "Firewalls between the police and immigration services."),
    ("bullet", 1, "Independent complaint bodies for abuse by officers."),
    ("bullet", 0, "Landlords, hotels and platforms that are not made criminally liable for "
                  "our presence, so that they stop throwing us out."),
    ("p", "Safety is also about money. When fines pile up, workers take risks they would "
          "otherwise refuse: a client they do not trust, a place they do not know, a night "
          "without a break."),
    ("h2", "Health"),
    ("p", "We want health care that treats us as patients, not as vectors of disease. Peer "
          "educators have done more for sexual health in our communities than any "
          "compulsory check-up ever did."),
    ("quote", "“The nurse asked me what I did. I told her the truth, and she put on a second "
              "pair of gloves. I did not go back for two years.”"),
    ("p", "Stories like this one, which we heard in many forms while preparing this sample, "
          "explain why so many of us avoid clinics. **Confidentiality** and **respect** are "
          "not extras; they are the conditions for any health service to work."),
    ("bullet", 0, "Free, anonymous and voluntary testing, close to where we live and work."),
    ("bullet", 0, "Mental health support from people who understand our work."),
    ("bullet", 0, "Harm reduction services for those of us who use drugs, including "
                  "needle exchange and drug checking."),
    ("bullet", 0, "Gender-affirming care for trans workers, without gatekeeping."),
    ("h2", "Work"),
    ("p", "We want our work to be recognised as work. That means contracts when we want "
          "them, the right to refuse any client or any act, social security, pensions, sick "
          "pay and the protection of labour inspectors rather than vice squads."),
    ("p", "Recognition is not the same as approval. Nobody has to like what we do. But "
          "*everyone* who works deserves the protection of labour law, and we are no "
          "exception."),
    ("bullet", 0, "Access to social security and health insurance on the same terms as "
                  "other self-employed people."),
    ("bullet", 0, "The right to join trade unions, and unions willing to organise us."),
    ("bullet", 0, "Tax rules that we can follow without revealing our work to our "
                  "families or our landlords."),
    ("h2", "Money and housing"),
    ("p", "Banks close our accounts, payment services freeze our earnings and landlords "
          "refuse to rent to us, sometimes because a law makes them afraid of being "
          "accused of profiting from our work. The result is that many of us keep our "
          "savings in cash, pay higher rents for worse flats, and cannot prove an income "
          "when we want to change our lives."),
    ("bullet", 0, "A bank account for everyone, with no questions about lawful work."),
    ("bullet", 0, "Protection against eviction on the sole ground that a tenant sells sex."),
    ("bullet", 0, "Access to loans, mortgages and insurance on fair terms."),
    ("p", "These demands may sound ordinary. They are. That is exactly the point: we ask to "
          "be treated like everyone else, and it is the exceptions made for us that put us "
          "in danger."),
    ("h2", "Migration"),
    ("p", "Many of us are migrants. We moved for the same reasons as millions of other "
          "people: to earn a living, to support a family, to escape poverty, war or "
          "persecution, or simply to live somewhere else. In many countries, the fear of "
          "deportation is a greater danger to us than any client."),
    ("bullet", 0, "Residence and work permits that do not exclude sex work."),
    ("bullet", 0, "An end to raids presented as anti-trafficking operations that end in "
                  "detention and deportation."),
    ("bullet", 0, "Interpreters and information in our languages at every police station, "
                  "hospital and court."),
    ("p", "Trafficking and forced labour exist, and we are often the first to notice them. "
          "We want to be partners in fighting exploitation, not its collateral damage. A "
          "worker who trusts the authorities will report a colleague in danger; a worker "
          "who fears them will stay silent."),
    ("h1", "What we reject"),
    ("p", "We reject the idea that we are all victims, and the idea that we are all "
          "criminals. Both ideas erase what we say about our own lives. Both lead to laws "
          "written over our heads."),
    ("p", "We reject *rescue* that ends in a cell, a fine or a plane ticket home. We reject "
          "exit programmes that offer a few weeks of training and then leave people with no "
          "income. We reject campaigns that use our pictures without our consent, and "
          "research that takes our stories and gives nothing back."),
    ("p", "We also reject the violence some of us face inside our own communities and "
          "movements: racism, transphobia, contempt for street workers or for migrants. A "
          "movement for rights has to start by respecting the rights of its own members."),
    ("h1", "What we hear"),
    ("p", "While writing this sample, we imagined the voices of workers in different "
          "situations. None of them is a real person; all of them describe situations "
          "that peer workers will recognise."),
    ("quote", "“I have worked on the same street for eleven years. I know every car. What "
              "I need is not rescue; it is a lamp post that works and a police officer who "
              "answers when I call.”"),
    ("quote", "“When the new law came in, my regular clients disappeared. The ones who "
              "stayed were the ones who did not care about rules — any rules.”"),
    ("quote", "“I send money home every month. If I am deported, three people lose their "
              "income, not one.”"),
    ("h1", "Laws and their effects"),
    ("p", "Different legal models are discussed across Europe. The table below sums up, in "
          "deliberately simple terms, what each model does and what workers in our "
          "fictional alliance report about its effects. It is a sample for testing tables, "
          "not a legal analysis."),
    ("table", [
        ["Model", "What the law does", "What workers report", "Our assessment"],
        ["Full criminalisation", "Punishes selling, buying and organising sex",
         "Arrests, fines, fear of reporting violence", "Harmful"],
        ["Partial criminalisation", "Allows selling, punishes buying or organising",
         "Workers isolated, clients hurried, less screening", "Harmful"],
        ["Regulation", "Allows sex work under licences, zones or registration",
         "A legal minority, an illegal majority; data misused", "Mixed"],
        ["Decriminalisation", "Removes criminal laws specific to sex work",
         "Easier reporting, labour rights become possible", "Our aim"],
    ]),
    ("p", "Whatever the model, two questions matter most to us: *can a worker call the "
          "police without fear?* and *can a worker refuse a client without losing her "
          "income?* A law that fails these tests fails us."),
    ("h1", "How we work"),
    ("h2", "Peer support"),
    ("p", "Most of what keeps us safe was built by ourselves: phone trees, warning lists, "
          "shared flats, translation for newly arrived colleagues, and the simple habit of "
          "texting a friend the licence plate of a new client. We want funding for this "
          "work, not control over it."),
    ("p", "Peer support works because it is trusted. A worker who has been through the same "
          "situation knows which questions to ask and which ones never to ask. Services "
          "that want to reach us should hire us, pay us properly and listen to us."),
    ("h2", "Research and data"),
    ("p", "Good policy needs good evidence, and good evidence needs the trust of the people "
          "it describes. We ask researchers to involve sex workers from the start: in "
          "choosing the questions, in collecting the data and in reading the results. "
          "Interviews should be paid, anonymity should be real, and findings should come "
          "back to the community in a form it can use."),
    ("p", "Numbers can hurt as well as help. A register of workers, a police database or a "
          "list of \"known prostitutes\" can follow a person for life. Data about us must be "
          "collected only when it serves us, stored safely, and deleted when it is no "
          "longer needed."),
    ("h2", "Alliances"),
    ("p", "We work with feminist groups, trade unions, migrant organisations, LGBTQI+ groups, "
          "harm reduction networks, lawyers and health workers. Alliances are not always "
          "easy; some of our allies disagree with us on important questions. We believe "
          "that disagreement is no reason to stop talking, and that *nothing about us "
          "without us* is a principle every ally can share."),
    ("p", "Readers who want to test how links survive translation can follow this one to "
          "the [sample project page](https://example.org/tms/manifesto), which is a "
          "placeholder address."),
    ("quote", "“Our organisation started with five people and a kettle. Ten years later we "
              "run a helpline in six languages. Nobody gave us that; we built it.”"),
    ("h1", "A word to our allies"),
    ("p", "If you are a health worker, a lawyer, a journalist, a researcher, a politician "
          "or simply a friend, there is a lot you can do. Ask before you speak for us. Pay "
          "us when you ask for our time. Protect our names and faces. Check that a "
          "campaign said to be in our interest has actually been discussed with us."),
    ("p", "Above all, do not be discouraged when we disagree with you. Disagreement is a "
          "sign that we trust you enough to be honest. The alliances that have changed "
          "laws in the past were built by people who kept talking long after the first "
          "argument, and who learned from each other along the way."),
    ("p", "Translators deserve a special mention. Every text we publish reaches most of our "
          "community only through volunteers who carry it into other languages, often late "
          "at night and for no pay. *Thank you.* This sample exists so that the tools they "
          "use can be tested properly."),
    ("h1", "Our call"),
    ("p", "We call on governments, parliaments, international bodies, funders and the public "
          "to act. In particular, we ask them to:"),
    ("bullet", 0, "**listen** to sex workers before deciding anything about sex work;"),
    ("bullet", 0, "**remove** laws that punish us, our clients and the people we work with;"),
    ("bullet", 0, "**protect** every worker from violence, whatever her status;"),
    ("bullet", 0, "**fund** the services and organisations we lead;"),
    ("bullet", 0, "**include** us in research, from the first question to the last page."),
    ("p", "We are not asking for privileges. We are asking for the rights that everyone "
          "else already takes for granted: to be safe at work, to be healthy, to be heard "
          "and to be left alone when we want to be. That is all, and that is everything."),
    ("p", "*Written as sample text for tms, 1 January 2024.*"),
]

# ------------------------------------------------------------------ inline markup

_INLINE_RE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>.+?)\*|\[(?P<ltext>[^\]]+)\]\((?P<href>[^)]+)\)"
    r"|\[\^(?P<note>\d+)\]"
)


def inline_parts(text: str) -> list[tuple[str, str, str]]:
    """(kind, text, extra) pieces: plain, bold, italic, link (extra=href), note (extra=n)."""
    parts: list[tuple[str, str, str]] = []
    pos = 0
    for m in _INLINE_RE.finditer(text):
        if m.start() > pos:
            parts.append(("plain", text[pos : m.start()], ""))
        if m.group("bold") is not None:
            parts.append(("bold", m.group("bold"), ""))
        elif m.group("italic") is not None:
            parts.append(("italic", m.group("italic"), ""))
        elif m.group("ltext") is not None:
            parts.append(("link", m.group("ltext"), m.group("href")))
        else:
            parts.append(("note", "", m.group("note")))
        pos = m.end()
    if pos < len(text):
        parts.append(("plain", text[pos:], ""))
    return parts


# ------------------------------------------------------------------ DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _numbering(document: Any) -> dict[str, int]:
    """Add Roman/lettered, decimal and bullet list definitions; their numIds."""
    numbering = document.part.numbering_part.element
    defs = {
        "roman": (90, [("upperRoman", "%1."), ("lowerLetter", "%2)"), ("decimal", "%3.")]),
        "number": (91, [("decimal", "%1."), ("lowerLetter", "%2."), ("lowerRoman", "%3.")]),
        "bullet": (92, [("bullet", "•"), ("bullet", "◦"), ("bullet", "▪")]),
    }
    ids: dict[str, int] = {}
    first_num = numbering.find(qn("w:num"))
    for offset, (name, (abstract_id, levels)) in enumerate(defs.items()):
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{720 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            for i, (fmt, text) in enumerate(levels)
        )
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="0000A{abstract_id:03d}"/>'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>'
        )
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        num_id = 90 + offset
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}">'
            f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'))
        ids[name] = num_id
    return ids


def _set_numbering(paragraph: Paragraph, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
        f'<w:numId w:val="{num_id}"/></w:numPr>'))


def _add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{r_id}"><w:r><w:rPr>'
        f'<w:rStyle w:val="Hyperlink"/></w:rPr><w:t xml:space="preserve"></w:t></w:r>'
        f"</w:hyperlink>")
    link.find(f".//{qn('w:t')}").text = text
    paragraph._p.append(link)


def _add_note_ref(paragraph: Paragraph, note: int) -> None:
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f'<w:footnoteReference w:id="{note}"/></w:r>'))


def _fill(paragraph: Paragraph, text: str) -> None:
    for kind, value, extra in inline_parts(text):
        if kind == "plain":
            paragraph.add_run(value)
        elif kind == "bold":
            paragraph.add_run(value).bold = True
        elif kind == "italic":
            paragraph.add_run(value).italic = True
        elif kind == "link":
            _add_hyperlink(paragraph, value, extra)
        else:
            _add_note_ref(paragraph, int(extra))


def _styles(document: Any) -> None:
    styles = document.styles
    names = {s.name for s in styles}
    if "Footnote Text" not in names:
        style = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(9)
    if "Footnote Reference" not in names:
        styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER).font.superscript = True
    if "Hyperlink" not in names:
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.underline = True
        link.font.color.rgb = RGBColor(0x0B, 0x4F, 0x8A)


def _footnotes_part(document: Any, notes: dict[int, str]) -> None:
    """python-docx cannot create footnotes: add word/footnotes.xml and its relationship."""
    body = []
    for n, text in sorted(notes.items()):
        runs = []
        for kind, value, _extra in inline_parts(text):
            rpr = {"bold": "<w:rPr><w:b/></w:rPr>", "italic": "<w:rPr><w:i/></w:rPr>"}.get(
                kind, "")
            runs.append(f'<w:r>{rpr}<w:t xml:space="preserve">{_xml_escape(value)}</w:t></w:r>')
        body.append(
            f'<w:footnote w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> </w:t></w:r>{"".join(runs)}</w:p></w:footnote>')
    xml = (
        f'<w:footnotes {nsdecls("w", "r")}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
        'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
        'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
        "</w:r></w:p></w:footnote>" + "".join(body) + "</w:footnotes>"
    )
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml),
                   document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_docx(content: list[tuple[Any, ...]], notes: dict[int, str], *, title: str) -> bytes:
    """A DOCX for one sample text."""
    document = docx.Document()
    _styles(document)
    num_ids = _numbering(document)
    core = document.core_properties
    core.title = title
    core.author = "tms sample texts"
    core.last_modified_by = "tms sample texts"
    core.comments = "Sample text written for tms testing; not the network's document."
    core.created = core.modified = core.last_printed = FIXED_DATE.replace(tzinfo=None)
    core.revision = 1
    core.language = "en-GB"
    for item in content:
        kind = item[0]
        if kind == "title":
            _fill(document.add_paragraph(style="Title"), item[1])
        elif kind in ("h1", "h2"):
            _fill(document.add_paragraph(style=f"Heading {kind[1]}"), item[1])
        elif kind == "p":
            _fill(document.add_paragraph(), item[1])
        elif kind == "quote":
            _fill(document.add_paragraph(style="Quote"), item[1])
        elif kind in ("roman", "number", "bullet"):
            paragraph = document.add_paragraph(style="List Paragraph")
            _set_numbering(paragraph, num_ids[kind], item[1])
            _fill(paragraph, item[2])
        elif kind == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid" if "Table Grid" in {
                s.name for s in document.styles} else None
            for r, row in enumerate(rows):
                for c, cell_text in enumerate(row):
                    paragraph = table.cell(r, c).paragraphs[0]
                    _fill(paragraph, f"**{cell_text}**" if r == 0 else cell_text)
    if notes:
        _footnotes_part(document, notes)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so rebuilds are byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 12, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ------------------------------------------------------------------ Markdown

def build_markdown(content: list[tuple[Any, ...]], notes: dict[int, str]) -> str:
    """The same text as Markdown (Roman and lettered numbering become 1. 2. 3.)."""
    out: list[str] = []
    counters: dict[int, int] = {}
    prev = ""
    for item in content:
        kind = item[0]
        if kind in ("roman", "number", "bullet"):
            level, text = item[1], item[2]
            counters[level] = counters.get(level, 0) + 1 if prev == "list" else 1
            for deeper in [lv for lv in counters if lv > level]:
                del counters[deeper]
            marker = "-" if kind == "bullet" else f"{counters[level]}."
            line = "   " * level + f"{marker} {text}"
            if prev == "list":
                out[-1] += "\n" + line
            else:
                out.append(line)
            prev = "list"
            continue
        counters = {}
        prev = kind
        if kind == "title":
            out.append(f"# {item[1]}")
        elif kind == "h1":
            out.append(f"## {item[1]}")
        elif kind == "h2":
            out.append(f"### {item[1]}")
        elif kind == "p":
            out.append(item[1])
        elif kind == "quote":
            out.append(f"> {item[1]}")
        elif kind == "table":
            rows = item[1]
            lines = ["| " + " | ".join(f"**{c}**" for c in rows[0]) + " |",
                     "|" + "---|" * len(rows[0])]
            lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            out.append("\n".join(lines))
    if notes:
        out.append("\n".join(f"[^{n}]: {text}" for n, text in sorted(notes.items())))
    front = ('---\ntitle: "Sample Declaration of the Rights of Sex Workers"\nlang: en\n---\n\n')
    return front + "\n\n".join(out) + "\n"


def main() -> None:
    """Write the sample files into source_docs/."""
    OUT.mkdir(exist_ok=True)
    (OUT / "sample-declaration.docx").write_bytes(
        build_docx(DECLARATION, DECLARATION_NOTES, title=DECLARATION[0][1]))
    (OUT / "sample-declaration.md").write_text(
        build_markdown(DECLARATION, DECLARATION_NOTES), encoding="utf-8")
    (OUT / "sample-manifesto.docx").write_bytes(
        build_docx(MANIFESTO, {}, title=MANIFESTO[0][1]))
    for name in ("sample-declaration.docx", "sample-declaration.md", "sample-manifesto.docx"):
        print(f"wrote source_docs/{name}")


if __name__ == "__main__":
    main()

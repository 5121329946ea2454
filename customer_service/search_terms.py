"""A question as search terms: folded to plain lowercase letters, without the little words of the languages our
customers write in (so "wie kann ich meine Bestellung stornieren" keeps "bestellung stornieren"), both
backends' rankers start from these."""

import re
import unicodedata

MAX_TERMS = 12

_STOP_WORDS_BY_LANGUAGE = {
    "en": (
        "a about above after again all also am an and any are as at be because been before being below between "
        "both but by can could did do does doing done down during each few for from further get got had has have "
        "having he her here hers him his how i if in into is it its itself just me more most my myself no nor not "
        "now of off on once only or other our ours out over own same she should so some such than that the their "
        "them then there these they this those through to too under until up very was we were what when where "
        "which while who whom why will with would you your yours yourself hi hello hey dear thanks thank please "
        "pls plz want wanted need needs like know let tell someone anyone something way ok okay still already"
    ),
    "de": (
        "der die das den dem des ein eine einen einem einer eines und oder aber ich du er sie es wir ihr mich mir "
        "dich dir mein meine meinen meinem meiner unser unsere ist sind war waren bin bist hat habe hast haben wird "
        "werden kann koennen konnen kannst muss mussen soll wie was wo wann warum wer nicht kein keine keinen mit "
        "von zu zum zur auf aus bei fur nach uber unter vor im ins am an als auch noch schon nur so da dass hallo "
        "bitte danke gerne"
    ),
    "es": (
        "el la los las un una unos unas y o pero yo tu usted mi mis su sus nuestro es son fue estar esta estoy este "
        "esto ese eso que como donde cuando por para con sin de del al lo le les se no si hola gracias favor puedo "
        "quiero"
    ),
    "fr": (
        "le les un une des et ou mais je tu il elle nous vous ils elles mon ma mes ton ta tes son sa ses notre "
        "votre est sont etre avoir ai comment quoi qui quand pourquoi avec sans dans sur pour par pas ne bonjour "
        "merci"
    ),
    "pt": (
        "o os um uma uns umas e ou mas eu voce ele ela nos meu minha meus minhas seu sua sao foi como onde quando "
        "porque com sem em no na nas do da dos das para por nao sim ola obrigado obrigada posso quero"
    ),
    "it": (
        "il lo gli uno una e o ma io lei noi voi mio mia miei mie suo sua sono come dove quando perche con senza "
        "nel nella per non ciao grazie"
    ),
    "nl": (
        "het een en of maar ik jij je hij zij wij mijn jouw zijn is was hoe wat waar wanneer waarom met zonder "
        "voor niet geen hallo dank"
    ),
}
STOP_WORDS = frozenset(word for words in _STOP_WORDS_BY_LANGUAGE.values() for word in words.split())


def folded(text: str) -> str:
    """Lowercase ASCII where the letters allow it (é → e, ü → u), so "Rückgabe" and "ruckgabe" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", folded(text))


def query_terms(query: str) -> list[str]:
    """The distinct meaningful words of a question, in order, at most MAX_TERMS."""
    terms: list[str] = []
    for word in words_of(query):
        if len(word) > 1 and word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]

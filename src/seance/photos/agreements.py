"""The default image-rights and privacy agreement printed on QR cards and agreed to online.

Organizers can replace it with their own text (each edit is a new version); until they do,
this text is version 1 in their name. Written for schools: the parents of a minor agree.
"""

DEFAULT_TEXT = {
    "en": (
        "I agree that the photographer named on this card takes portrait and group photos of "
        "my child at school for this session. The photos are used only to offer them to my "
        "family and to the school: they are shown online in a private gallery opened by the "
        "code on this card, never publicly, and are not passed on to anyone else. Previews "
        "carry a watermark; full-resolution files go only to those who order them. The photos "
        "and the personal data given (names, class, email, phone) are kept until the gallery "
        "closes and then deleted, apart from what the law requires for invoices. I can ask for "
        "my data and my child's photos to be sent to me or deleted at any time by writing to "
        "the photographer."
    ),
    "fr": (
        "J’accepte que le photographe indiqué sur cette carte réalise des portraits et des "
        "photos de groupe de mon enfant à l’école pour cette séance. Les photos servent "
        "uniquement à être proposées à ma famille et à l’établissement : elles sont présentées "
        "en ligne dans une galerie privée ouverte par le code de cette carte, jamais en public, "
        "et ne sont transmises à personne d’autre. Les aperçus portent un filigrane ; les "
        "fichiers en haute définition ne sont remis qu’à ceux qui les commandent. Les photos et "
        "les données personnelles fournies (noms, classe, e-mail, téléphone) sont conservées "
        "jusqu’à la fermeture de la galerie puis supprimées, hors obligations légales de "
        "facturation. Je peux à tout moment demander au photographe de me transmettre ou "
        "d’effacer mes données et les photos de mon enfant."
    ),
}


def default_text(language: str) -> str:
    return DEFAULT_TEXT.get(language, DEFAULT_TEXT["en"])

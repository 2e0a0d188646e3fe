"""The demo site: a municipal guide in French, modelled on the reference item.

The site is localized: French is the primary locale (served at ``/``), German the
secondary one (served at ``/de/``), as in the bilingual canton the reference item
comes from. Every item has a German variant; most are still copies of the French,
a few are translated (``GERMAN``).

Collections: ``categories`` (referenced), ``infos`` (holding the reference item
"Social" exactly as Webflow serves it) and ``evenements``, which uses every field
type of the v2 enum. Items cover drafts, archived items, never-published items
and items with unpublished changes. Timestamps are fixed so the demo is the same
on every run.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

from .core import EmulatorState, StoredItem, object_id

SITE_ID = object_id("demo-site")
WORKSPACE_ID = object_id("demo-workspace")
LOCALE_ID = object_id("demo-locale-fr")
CMS_LOCALE_ID = object_id("demo-cms-locale-fr")
DE_LOCALE_ID = object_id("demo-locale-de")
DE_CMS_LOCALE_ID = object_id("demo-cms-locale-de")
CDN = "https://uploads-ssl.webflow.com/5d4d6299e11fbef0e969850a"
T0 = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)


def stamp(minutes: int) -> str:
    t = T0 + timedelta(minutes=minutes, milliseconds=(minutes * 37) % 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _field(coll: str, slug: str, kind: str, name: str, required: bool = False, validations: Any = None) -> dict[str, Any]:
    out = {"id": object_id(f"{coll}:{slug}"), "isEditable": True, "isRequired": required, "type": kind,
           "slug": slug, "displayName": name, "helpText": ""}
    if validations is not None:  # the reference types validations as an object: absent, never null
        out["validations"] = validations
    return out


def _put(state: EmulatorState, coll_id: str, key: str, data: dict[str, Any], *, created: str, updated: str,
         published: str | None, draft: bool = False, archived: bool = False, live_data: dict[str, Any] | None = None,
         item_id: str | None = None) -> StoredItem:
    coll = state.collections[coll_id]
    item = StoredItem(
        id=item_id or object_id(f"item:{key}"), cms_locale_id=CMS_LOCALE_ID, created_on=created,
        staged={"fieldData": data, "isDraft": draft, "isArchived": archived, "lastUpdated": updated},
    )
    if published is not None:
        item.last_published = published
        item.live = {"fieldData": live_data if live_data is not None else dict(data), "isArchived": archived,
                     "lastUpdated": updated if live_data is None else created}
    coll.items[item.id] = item
    return item


CATEGORIES = [
    ("Santé et social", "sante-et-social", "#E85D75"),
    ("Éducation", "education", "#3D7DD8"),
    ("Mobilité", "mobilite", "#2BA84A"),
    ("Environnement", "environnement", "#7A9E3F"),
    ("Culture et loisirs", "culture-et-loisirs", "#9B5DE5"),
    ("Administration", "administration", "#F2A541"),
]

INFOS = [
    ("Écoles primaires", "ecoles-primaires", "Écoles", "education", "Institutions"),
    ("Crèches et garderies", "creches-et-garderies", "Petite enfance", "education", "Institutions"),
    ("Bus urbains", "bus-urbains", "Transports", "mobilite", "Services"),
    ("Vélos en libre-service", "velos-en-libre-service", "Transports", "mobilite", "Services"),
    ("Déchetterie", "dechetterie", "Déchets", "environnement", "Services"),
    ("Tri des déchets", "tri-des-dechets", "Déchets", "environnement", "Conseils"),
    ("Bibliothèque", "bibliotheque", "Culture", "culture-et-loisirs", "Institutions"),
    ("Piscines", "piscines", "Sport", "culture-et-loisirs", "Loisirs"),
    ("État civil", "etat-civil", "Guichet", "administration", "Démarches"),
    ("Permis de construire", "permis-de-construire", "Urbanisme", "administration", "Démarches"),
    ("Aide à domicile", "aide-a-domicile", "CMS", "sante-et-social", "Institutions"),
    ("Hôpital", "hopital", "Santé", "sante-et-social", "Institutions"),
    ("Seniors", "seniors", "Âge", "sante-et-social", "Conseils"),
    ("Nouveaux habitants", "nouveaux-habitants", "Accueil", "administration", "Démarches"),
]

SOCIAL_IMAGE = CDN + "/5e4287df7ad055a2dd51b17e_Sant%C3%A9%20-%20cms.jpg"
CDN_PATH_OF = CDN.removeprefix("https://uploads-ssl.webflow.com")
#: the CDN serves these paths the bytes of another one: the same picture uploaded twice
CDN_SAME_BYTES = {
    f"{CDN_PATH_OF}/{object_id('img:creches-et-garderies')}_creches-et-garderies.jpg":
        f"{CDN_PATH_OF}/{object_id('img:ecoles-primaires')}_ecoles-primaires.jpg",
}


def _slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def build_demo(state: EmulatorState) -> EmulatorState:
    state.id_seed = "demo"
    state.add_site({
        "id": SITE_ID, "workspaceId": WORKSPACE_ID, "displayName": "Guide de Sierre", "shortName": "guide-sierre",
        "previewUrl": "https://screenshots.webflow.com/sites/guide-sierre.png", "timeZone": "Europe/Zurich", "createdOn": "2019-08-09T10:21:02.000Z",
        "lastUpdated": "2024-03-26T02:53:20.988Z", "lastPublished": "2024-03-26T02:53:20.988Z", 
        "customDomains": [],
        "locales": {"primary": {"id": LOCALE_ID, "cmsLocaleId": CMS_LOCALE_ID, "enabled": True,
                                "displayName": "French (Switzerland)", "redirect": True,
                                "subdirectory": "", "tag": "fr"},
                    "secondary": [{"id": DE_LOCALE_ID, "cmsLocaleId": DE_CMS_LOCALE_ID, "enabled": True,
                                   "displayName": "German (Switzerland)",
                                   "redirect": True, "subdirectory": "de", "tag": "de"}]},
        "dataCollectionEnabled": False, "dataCollectionType": "disabled",
    })

    cat_id = object_id("collection:categories")
    state.add_collection(SITE_ID, id=cat_id, display_name="Catégories", singular_name="Catégorie", slug="categories",
                         fields=[_field("categories", "couleur", "Color", "Couleur")])
    cat_ids = {}
    for n, (name, slug, color) in enumerate(CATEGORIES):
        item = _put(state, cat_id, f"cat:{slug}", {"name": name, "slug": slug, "couleur": color},
                    created=stamp(n), updated=stamp(n + 1), published=stamp(n + 2))
        cat_ids[slug] = item.id

    infos_id = object_id("collection:infos")
    state.add_collection(SITE_ID, id=infos_id, display_name="Infos", singular_name="Info", slug="infos", fields=[
        _field("infos", "tag-3", "PlainText", "Tag 3", validations={"maxLength": 256}),
        _field("infos", "contenu", "RichText", "Contenu"),
        _field("infos", "tag-2", "PlainText", "Tag 2", validations={"maxLength": 256}),
        _field("infos", "couleur", "Reference", "Couleur", validations={"collectionId": cat_id}),
        _field("infos", "image-2", "Image", "Image 2"),
        _field("infos", "mini-description", "PlainText", "Mini description", validations={"maxLength": 512}),
    ])
    social_html = resources.files(__package__).joinpath("fixtures/social.html").read_text(encoding="utf-8")
    _put(state, infos_id, "info:social", {
        "name": "Social", "slug": "social", "tag-3": "Institutions", "contenu": social_html, "tag-2": "CMS",
        "couleur": cat_ids["sante-et-social"],
        "image-2": {"fileId": "5e4287df7ad055a2dd51b17e", "url": SOCIAL_IMAGE, "alt": None},
        "mini-description": '"Les interactions sociales sont essentielles pour créer des liens, partager des '
                            'expériences et construire une société plus harmonieuse."',
    }, created="2019-09-19T13:55:17.171Z", updated="2024-03-26T02:51:06.637Z", published="2024-03-26T02:53:20.988Z",
        item_id="f22320c353821b46a1b2c3d4")
    for n, (name, slug, tag2, cat, tag3) in enumerate(INFOS):
        data: dict[str, Any] = {
            "name": name, "slug": slug, "tag-3": tag3, "tag-2": tag2, "couleur": cat_ids[cat],
            "contenu": f"<h3>{name.upper()}</h3><p>Informations pratiques sur <strong>{name.lower()}</strong> à Sierre.</p>"
                       f"<ul role=\"list\"><li>Horaires : du lundi au vendredi</li><li>Contact : 027 452 01 11</li></ul>"
                       f"<p>‍</p><p>Plus d'informations sur <a href=\"https://www.sierre.ch/\">sierre.ch</a>.</p>",
            "image-2": {"fileId": object_id(f"img:{slug}"), "url": f"{CDN}/{object_id('img:' + slug)}_{slug}.jpg",
                        "alt": name},
            "mini-description": f"Tout savoir sur : {name.lower()}.",
        }
        kind = n % 7
        if kind == 3:  # a draft that was never published
            _put(state, infos_id, f"info:{slug}", data, created=stamp(100 + n), updated=stamp(130 + n), published=None,
                 draft=True)
        elif kind == 5:  # archived
            _put(state, infos_id, f"info:{slug}", data, created=stamp(100 + n), updated=stamp(130 + n),
                 published=stamp(120 + n), archived=True)
        elif kind == 6:  # published, then edited without publishing
            old = {**data, "mini-description": "Ancienne description."}
            _put(state, infos_id, f"info:{slug}", data, created=stamp(100 + n), updated=stamp(200 + n),
                 published=stamp(150 + n), live_data=old)
        else:
            _put(state, infos_id, f"info:{slug}", data, created=stamp(100 + n), updated=stamp(130 + n),
                 published=stamp(140 + n))

    ev_id = object_id("collection:evenements")
    options = [{"id": object_id(f"opt:{o}"), "name": o} for o in ("Concert", "Marché", "Conférence", "Sport")]
    state.add_collection(SITE_ID, id=ev_id, display_name="Événements", singular_name="Événement", slug="evenements", fields=[
        _field("ev", "resume", "PlainText", "Résumé", validations={"maxLength": 140, "singleLine": True}),
        _field("ev", "description", "RichText", "Description"),
        _field("ev", "affiche", "Image", "Affiche"),
        _field("ev", "galerie", "MultiImage", "Galerie"),
        _field("ev", "video", "VideoLink", "Vidéo"),
        _field("ev", "site-web", "Link", "Site web"),
        _field("ev", "contact", "Email", "Contact"),
        _field("ev", "telephone", "Phone", "Téléphone"),
        _field("ev", "places", "Number", "Places",
               validations={"format": "integer", "allowNegative": False, "allowZero": True, "minValue": 0, "maxValue": 5000}),
        _field("ev", "prix", "Number", "Prix", validations={"format": "decimal", "allowNegative": False, "precision": 2}),
        _field("ev", "date", "DateTime", "Date"),
        _field("ev", "gratuit", "Switch", "Gratuit"),
        _field("ev", "couleur", "Color", "Couleur"),
        _field("ev", "type", "Option", "Type", validations={"options": options}),
        _field("ev", "programme", "File", "Programme"),
        _field("ev", "categorie", "Reference", "Catégorie", validations={"collectionId": cat_id}),
        _field("ev", "lieux", "MultiReference", "Infos liées", validations={"collectionId": infos_id}),
        _field("ev", "fichier-externe", "ExtFileRef", "Fichier externe"),
    ])
    info_ids = [i.id for i in state.collections[infos_id].items.values()]
    events = ["Fête du vin", "Marché de Noël", "Concert d'été", "Course de la ville", "Conférence climat",
              "Festival BD", "Nuit des musées", "Marché paysan", "Tournoi de foot", "Soirée jazz", "Cinéma open air",
              "Fête nationale"]
    for n, title in enumerate(events):
        slug = _slugify(title)
        opt = options[n % len(options)]
        data = {
            "name": title, "slug": slug, "resume": f"{title} : le rendez-vous de l'année.",
            "description": f"<h2>{title}</h2><p>Au programme : <em>animations</em>, musique et <strong>bonne humeur</strong>.</p>"
                           f"<ol><li>Ouverture à 18h</li><li>Concert à 20h</li></ol><blockquote>Venez nombreux !</blockquote>",
            "affiche": {"fileId": object_id(f"aff:{slug}"), "url": f"{CDN}/{object_id('aff:' + slug)}_affiche.jpg",
                        "alt": f"Affiche {title}"},
            "galerie": [{"fileId": object_id(f"gal:{slug}:{k}"), "url": f"{CDN}/{object_id(f'gal:{slug}:{k}')}_g{k}.jpg",
                         "alt": None} for k in range(n % 3)],
            "video": "https://www.youtube.com/watch?v=aJ83KAggd-4" if n % 2 == 0 else None,
            "site-web": "https://www.sierre.ch/agenda",
            "contact": "agenda@sierre.ch",
            "telephone": "+41 27 452 01 11",
            "places": 50 * (n + 1),
            "prix": [0, 12.5, 25, 7.8][n % 4],
            "date": (T0 + timedelta(days=30 * n)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "gratuit": n % 4 == 0,
            "couleur": ["#E85D75", "rgba(61, 125, 216, 0.8)", "hsl(120, 50%, 40%)", "teal"][n % 4],
            "type": opt["id"],
            "programme": {"fileId": object_id(f"pdf:{slug}"), "url": f"{CDN}/{object_id('pdf:' + slug)}_programme.pdf",
                          "alt": None} if n % 3 == 0 else None,
            "categorie": cat_ids[CATEGORIES[n % len(CATEGORIES)][1]],
            "lieux": info_ids[n % 5: n % 5 + 2],
            "fichier-externe": None,
        }
        draft = n in (4, 9)
        _put(state, ev_id, f"ev:{slug}", data, created=stamp(300 + n), updated=stamp(330 + n),
             published=None if draft else stamp(340 + n), draft=draft, archived=n == 7)

    state.assets[SITE_ID] = [
        {"id": object_id(f"asset:{url}"), "contentType": "image/jpeg", "size": 120_000 + n, "siteId": SITE_ID,
         "hostedUrl": url, "originalFileName": url.rsplit("/", 1)[1], "displayName": url.rsplit("/", 1)[1],
         "lastUpdated": stamp(400), "createdOn": stamp(400), "variants": [], "altText": ""}
        for n, url in enumerate([SOCIAL_IMAGE] + [i.staged["fieldData"]["image-2"]["url"]
                                                  for i in state.collections[infos_id].items.values()][1:4])
    ]
    # the site's own 301 rules (Site settings > Publishing): an old page and an item's former URL
    state.redirects[SITE_ID] = [
        {"id": object_id("redirect:piscine"), "fromUrl": "/infos/piscine", "toUrl": "/infos/piscines"},
        {"id": object_id("redirect:agenda"), "fromUrl": "/agenda", "toUrl": "/evenements"},
    ]
    _add_german(state)
    state._last_ts = 0.0
    return state


#: translated German variants: (collection slug, French slug) -> German fieldData changes
GERMAN: dict[tuple[str, str], dict[str, Any]] = {
    ("categories", "sante-et-social"): {"name": "Gesundheit und Soziales", "slug": "gesundheit-und-soziales"},
    ("categories", "mobilite"): {"name": "Mobilität", "slug": "mobilitaet"},
    ("infos", "social"): {
        "name": "Soziales", "slug": "soziales", "tag-3": "Institutionen", "tag-2": "Sozialmedizinisches Zentrum",
        "contenu": "<h3>SOZIALES</h3><p>Soziale Kontakte sind <strong>wesentlich</strong>, um Beziehungen "
                   "aufzubauen.</p><ul role=\"list\"><li>Beratung</li><li>Begleitung</li></ul>",
        "mini-description": "Soziale Kontakte schaffen Verbindungen und eine harmonischere Gesellschaft.",
    },
    ("infos", "bus-urbains"): {
        "name": "Stadtbusse", "slug": "stadtbusse", "tag-2": "Verkehr", "tag-3": "Dienstleistungen",
        "contenu": "<h3>STADTBUSSE</h3><p>Praktische Informationen zu den <strong>Stadtbussen</strong> in Siders.</p>",
        "mini-description": "Alles über die Stadtbusse.",
    },
    ("infos", "piscines"): {
        "name": "Schwimmbäder", "slug": "schwimmbaeder", "tag-2": "Sport", "tag-3": "Freizeit",
        "contenu": "<h3>SCHWIMMBÄDER</h3><p>Praktische Informationen zu den <strong>Schwimmbädern</strong>.</p>",
        "mini-description": "Alles über die Schwimmbäder.",
    },
    ("evenements", "fete-du-vin"): {"name": "Weinfest", "slug": "weinfest", "resume": "Weinfest: der Termin des Jahres."},
}


def _add_german(state: EmulatorState) -> None:
    """A German variant of every item: a copy of the French one (published alike) unless translated."""
    for coll in list(state.collections.values()):
        if coll.site_id != SITE_ID:
            continue
        german = coll.localized.setdefault(DE_CMS_LOCALE_ID, {})
        for n, item in enumerate(coll.items.values()):
            changes = GERMAN.get((coll.slug, item.staged["fieldData"]["slug"]))
            staged = {**item.staged, "fieldData": copy.deepcopy({**item.staged["fieldData"], **(changes or {})})}
            variant = StoredItem(id=item.id, cms_locale_id=DE_CMS_LOCALE_ID, created_on=item.created_on, staged=staged,
                                 last_published=item.last_published)
            if changes:
                staged["lastUpdated"] = stamp(500 + n)
            if item.live is not None:
                live_data = staged["fieldData"] if changes else item.live["fieldData"]
                variant.live = {**item.live, "fieldData": copy.deepcopy(live_data), "lastUpdated": staged["lastUpdated"]
                                if changes else item.live["lastUpdated"]}
                if changes:
                    variant.last_published = stamp(510 + n)
            german[item.id] = variant


def demo_state(localized: bool = True) -> EmulatorState:
    """The demo site; ``localized=False``: the same site without Localization (``locales: null``)."""
    state = build_demo(EmulatorState())
    if not localized:
        for coll in state.collections.values():
            coll.localized.clear()
        state.sites[SITE_ID]["locales"] = None
    return state

"""The DCAT catalogue of the open datasets (DCAT-AP 3.0.1), built with rdflib and served as
JSON-LD and Turtle. CKAN's DCAT harvester (ckanext-dcat, as data.go.th runs) reads the same
properties: titles and descriptions in Thai and English, the publisher, the licence, the
temporal coverage, the modified date and each distribution's download URL, media type and size.

Every node an object property points at is typed with the class DCAT-AP expects of it
(dct:LicenseDocument, dct:MediaType, foaf:Agent...), so the shapes' range checks pass too.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from civic.opendata import rules
from civic.opendata.schemas import FileOut, RunOut

IANA = "http://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
FILE_TYPES = {"csv": EU_FILE_TYPE.CSV, "json": EU_FILE_TYPE.JSON, "ocds": EU_FILE_TYPE.JSON}
PUBLISHER = {"th": "civic: แพลตฟอร์มการมีส่วนร่วมของพลเมือง", "en": "civic: Thai civic participation platform"}
CATALOGUE_TITLE = {"th": "ข้อมูลเปิดของ civic", "en": "civic open data"}
CATALOGUE_DESCRIPTION = {
    "th": "ชุดข้อมูลเปิดของกระดานความคิดเห็น ข้อเสนอ การรับฟังความคิดเห็น ผลสรุป งานที่ส่งต่อ และหน่วยงาน "
    "สร้างใหม่ตามกำหนดเวลา ในรูปแบบ CSV และ JSON",
    "en": "Open datasets of idea boards, ideas, consultations, outcomes, handover tasks and agencies, "
    "regenerated on a schedule, as CSV and JSON.",
}
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "xsd": str(XSD),
}


def _both(graph: Graph, node, prop, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        graph.add((node, prop, Literal(text, lang=lang)))


def _typed(graph: Graph, uri: str | URIRef, cls: URIRef) -> URIRef:
    node = URIRef(uri)
    graph.add((node, RDF.type, cls))
    return node


def build(base_url: str, licence: str, run: RunOut, files: list[FileOut]) -> Graph:
    """The catalogue of the run being served."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    data = f"{base_url}/data"
    modified = Literal(run.finished_at.isoformat(), datatype=XSD.dateTime)
    licence_node = _typed(g, rules.licence_url(licence), DCTERMS.LicenseDocument)
    publisher = _typed(g, f"{base_url}/#publisher", FOAF.Agent)
    _both(g, publisher, FOAF.name, PUBLISHER)
    homepage = _typed(g, f"{base_url}/", FOAF.Document)
    languages = [
        _typed(g, EU_LANGUAGE.THA, DCTERMS.LinguisticSystem),
        _typed(g, EU_LANGUAGE.ENG, DCTERMS.LinguisticSystem),
    ]

    catalogue = _typed(g, f"{data}/catalog", DCAT.Catalog)
    _both(g, catalogue, DCTERMS.title, CATALOGUE_TITLE)
    _both(g, catalogue, DCTERMS.description, CATALOGUE_DESCRIPTION)
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, FOAF.homepage, homepage))
    g.add((catalogue, DCTERMS.license, licence_node))
    g.add((catalogue, DCTERMS.modified, modified))
    for language in languages:
        g.add((catalogue, DCTERMS.language, language))

    by_dataset: dict[str, dict[str, FileOut]] = {}
    for f in files:
        by_dataset.setdefault(f.dataset, {})[f.format] = f
    for dataset in rules.DATASETS:
        present = by_dataset.get(dataset.name)
        if not present:
            continue
        node = _typed(g, f"{data}/{dataset.name}", DCAT.Dataset)
        g.add((catalogue, DCAT.dataset, node))
        _both(g, node, DCTERMS.title, {"th": dataset.title_th, "en": dataset.title_en})
        _both(g, node, DCTERMS.description, {"th": dataset.description_th, "en": dataset.description_en})
        g.add((node, DCTERMS.identifier, Literal(dataset.name)))
        g.add((node, DCTERMS.publisher, publisher))
        g.add((node, DCTERMS.modified, modified))
        g.add((node, DCAT.landingPage, _typed(g, f"{data}#{dataset.name}", FOAF.Document)))
        for language in languages:
            g.add((node, DCTERMS.language, language))
        first = min((f.temporal_start for f in present.values() if f.temporal_start), default=None)
        last = max((f.temporal_end for f in present.values() if f.temporal_end), default=None)
        if first and last:
            # A named node, not a blank one: a blank node's random label could read as a number.
            period = URIRef(f"{data}/{dataset.name}#period")
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, Literal(first.isoformat(), datatype=XSD.date)))
            g.add((period, DCAT.endDate, Literal(last.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.temporal, period))
        for fmt in rules.formats_of(dataset):
            f = present.get(fmt)
            if f is not None:
                g.add((node, DCAT.distribution, _distribution(g, data, dataset, f, licence_node, modified)))
    return g


def _distribution(g: Graph, data: str, dataset: rules.Dataset, f: FileOut, licence_node, modified) -> URIRef:
    name = rules.filename(dataset.name, f.format)
    url = URIRef(f"{data}/{name}")
    node = _typed(g, f"{data}/{dataset.name}/{f.format}", DCAT.Distribution)
    titles = {
        "th": f"{dataset.title_th} ({f.format.upper()})",
        "en": f"{dataset.title_en} ({f.format.upper()})",
    }
    if f.format == "ocds":
        titles = {
            "th": f"{dataset.title_th} (OCDS 1.1)",
            "en": f"{dataset.title_en} (OCDS 1.1 release package)",
        }
        g.add((node, DCTERMS.conformsTo, _typed(g, rules.OCDS_STANDARD, DCTERMS.Standard)))
    _both(g, node, DCTERMS.title, titles)
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.mediaType, _typed(g, IANA + rules.FORMATS[f.format][1], DCTERMS.MediaType)))
    g.add((node, DCTERMS.format, _typed(g, FILE_TYPES[f.format], DCTERMS.MediaTypeOrExtent)))
    g.add((node, DCAT.byteSize, Literal(f.bytes, datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.license, licence_node))
    g.add((node, DCTERMS.modified, modified))
    return node


def serialise(graph: Graph, fmt: str) -> bytes:
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=CONTEXT, indent=1).encode()
    return graph.serialize(format="turtle").encode()

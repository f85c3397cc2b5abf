"""The one place that says each code in words, in Italian and in English (CONTRACT
section 11): a row's findings and a confirm's outcome, as the error report's
`import_messages` column writes them. The API's codes stay as they are; only the report
speaks sentences.

A sentence template may use `{field}` (the column), `{value}` (the first value),
`{values}` (all of them), `{second}` (the second value) and `{candidates}` (an
ambiguous row's candidates, by name).
"""

from __future__ import annotations

from collections.abc import Sequence

from orgimport.imports.session import Diagnostic, RowOutcome

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "en"

# code -> (Italian, English)
FINDINGS: dict[str, tuple[str, str]] = {
    "required": ("{field}: il valore è obbligatorio", "{field}: a value is required"),
    "too_long": ("{field}: il valore è troppo lungo", "{field}: the value is too long"),
    "invalid_format": (
        "{field}: «{value}» non è un valore valido",
        '{field}: "{value}" is not a valid value',
    ),
    "duplicate_in_csv": (
        "{field}: {value} compare già alla riga {second} del file",
        "{field}: {value} already appears in row {second} of the file",
    ),
    "too_many_cells": (
        "la riga ha celle oltre le {value} colonne dell'intestazione",
        "the row has cells beyond the header's {value} columns",
    ),
    "already_exists": (
        "{field}: {value} esiste già; confermando con override la riga lo aggiorna",
        "{field}: {value} exists already; confirming with override updates it",
    ),
    "archived": (
        "{field}: {value} appartiene a un record archiviato",
        "{field}: {value} belongs to an archived record",
    ),
    "held_elsewhere": (
        "{field}: {value} è già in uso fuori dal vostro ambito",
        "{field}: {value} is already in use outside your scope",
    ),
    "not_found": (
        "{field}: nessuna organizzazione di nome «{value}» nel vostro ambito",
        '{field}: no organization named "{value}" in your scope',
    ),
    "ambiguous": (
        "{field}: più organizzazioni si chiamano «{value}» ({candidates}): "
        "scegliete quale alla conferma",
        '{field}: several organizations are named "{value}" ({candidates}): '
        "choose one when confirming",
    ),
    "unknown": ("{field}: ruoli sconosciuti: {values}", "{field}: unknown roles: {values}"),
    "at_least_one_required": (
        "{field}: serve almeno un ruolo",
        "{field}: at least one role is needed",
    ),
    "insufficient_privileges": (
        "{field}: non potete assegnare {value}",
        "{field}: you may not grant {value}",
    ),
    "already_used": (
        "{field}: {value} è già usato da un altro utente",
        "{field}: {value} is already used by another user",
    ),
}
_UNKNOWN_FINDING = ("{field}: {code}", "{field}: {code}")

# an outcome (and a skip's reason) -> (Italian, English)
OUTCOMES: dict[str, tuple[str, str]] = {
    "created": ("creato", "created"),
    "updated": ("aggiornato", "updated"),
    "skipped:error": ("non importato: la riga ha errori", "not imported: the row has errors"),
    "skipped:warning_not_overridden": (
        "non importato: esiste già (confermate con override per aggiornarlo)",
        "not imported: it exists already (confirm with override to update it)",
    ),
    "skipped:ambiguous_unresolved": (
        "non importato: l'organizzazione è ambigua e non è stata scelta",
        "not imported: the organization is ambiguous and none was chosen",
    ),
    "failed": ("non riuscito: {error}", "failed: {error}"),
}


def language_of(accept_language: str | None) -> str:
    """`it` or `en`, the first of them the client's Accept-Language prefers (q-values
    honoured); English when it names neither."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def _index(language: str) -> int:
    return LANGUAGES.index(language) if language in LANGUAGES else 1


def finding(diagnostic: Diagnostic, language: str) -> str:
    template = FINDINGS.get(diagnostic.message, _UNKNOWN_FINDING)[_index(language)]
    values: Sequence[str] = diagnostic.values
    return template.format(
        field=diagnostic.field,
        code=diagnostic.message,
        value=values[0] if values else "",
        values=", ".join(values),
        second=values[1] if len(values) > 1 else "",
        candidates=", ".join(c.get("name", "") for c in diagnostic.candidates),
    )


def outcome(done: RowOutcome, language: str) -> str:
    key = f"skipped:{done.reason}" if done.status == "skipped" else done.status
    template = OUTCOMES.get(key, (done.status, done.status))[_index(language)]
    return template.format(error=done.error or "")

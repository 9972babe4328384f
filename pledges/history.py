"""Reads of the change history (django-simple-history) that rebuild rows as they stood.

A published pledge card is the card at its publication's moment, rebuilt from the history
of a dozen models. ``rows_as_of`` reads several models' rows at one moment in a single
query (a ``UNION ALL`` of each model's rows, each row as one JSON object), so a card costs
the same few queries however many sections it has.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.functions import JSONObject

# (label, model, filters): the rows of ``model`` matching ``filters`` (lookups on the
# history table's columns, e.g. ``{"pledge_id": 7}`` or ``{"id__in": [1, 2]}``).
Part = tuple[str, type[models.Model], dict]


def _kept_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's concrete fields its history keeps (excluded ones are absent)."""
    kept = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in kept]


def _value(field: models.Field, value):
    """A JSON value back to the field's Python value (dates and decimals came as text or
    numbers, booleans as 0/1 on SQLite; datetimes are UTC, stored naive on SQLite)."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField) and isinstance(value, float):
        value = Decimal(repr(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def rows_as_of(when: datetime, parts: Sequence[Part]) -> dict[str, list[models.Model]]:
    """{label: unsaved instances} of each part's rows as they stood at ``when``: for each
    object, its latest history row at or before ``when``, unless that row records its
    deletion. One query for all parts. Rows are in no particular order."""
    return rows_union(
        [
            (
                label,
                model,
                model.history.filter(history_date__lte=when)
                .latest_of_each()
                .exclude(history_type="-")
                .filter(**filters),
                {},
            )
            for label, model, filters in parts
        ]
    )


def rows_union(
    parts: Sequence[tuple[str, type[models.Model], models.QuerySet, dict]],
) -> dict[str, list[models.Model]]:
    """{label: unsaved instances} of several models' change-history rows, read in one
    ``UNION ALL`` query: each part is (label, model, a queryset of its history rows already
    restricted to the standing ones, extra columns {attribute: expression} set on each
    instance). Where two rows of one object stand (written at the same moment), the later
    written one wins."""
    queries = []
    fields = {}
    for label, model, history, extra in parts:
        fields[label] = (model, _kept_fields(model), list(extra))
        columns = {f.attname: F(f.attname) for f in fields[label][1]}
        columns["history_id"] = F("history_id")
        columns.update(extra)
        queries.append(
            history.order_by().values_list(
                Value(label, output_field=CharField()), JSONObject(**columns)
            )
        )
    if not queries:
        return {}
    first, *rest = queries
    found: dict[str, dict] = {label: {} for label, *_rest in parts}
    for label, data in first.union(*rest, all=True) if rest else first:
        if isinstance(data, str):  # SQLite hands the object back as text
            data = json.loads(data)
        model, kept, extra = fields[label]
        pk = data[model._meta.pk.attname]
        if pk in found[label] and found[label][pk][0] > data["history_id"]:
            continue
        instance = model(**{f.attname: _value(f, data[f.attname]) for f in kept})
        for name in extra:
            setattr(instance, name, data[name])
        found[label][pk] = (data["history_id"], instance)
    return {label: [row for _id, row in rows.values()] for label, rows in found.items()}

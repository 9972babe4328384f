"""Reads of the change history (django-simple-history) that rebuild rows as they stood.

A published pledge card is the card at its publication's moment, rebuilt from the history
of a dozen models. ``rows_as_of`` reads several models' rows at one moment in a single
query (a ``UNION ALL`` of each model's rows, each row as one JSON object), so a card costs
the same few queries however many sections it has.
"""

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, partial

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject

# (label, model, filters): the rows of ``model`` matching ``filters`` (lookups on the
# history table's columns, e.g. ``{"pledge_id": 7}``, ``{"id__in": [1, 2]}`` or
# ``{"id__in": HistoryValues(...)}``).
Part = tuple[str, type[models.Model], dict]


@dataclass(frozen=True)
class HistoryValues:
    """A subquery as a filter value: ``field`` of every history row (any moment) of
    ``model`` matching ``filters``, e.g. the departments a work-plan item ever had."""

    model: type[models.Model]
    field: str
    filters: dict


def history_manager_classes_cached() -> None:
    """Build each history manager class once (``PledgesConfig.ready``).

    django-simple-history's ``Model.history`` makes a new manager class on every access
    (``HistoryManager.from_queryset(...)``: an ``inspect.getmembers`` over the queryset
    class, about 0.2 ms). A published card reads a dozen models' history, so that was
    several milliseconds a page. The class depends only on the two classes it is made
    of; the manager instance (model, instance) is still made per access."""
    from simple_history.manager import HistoryDescriptor

    if getattr(HistoryDescriptor, "_paju_cached", False):
        return
    classes: dict = {}

    def __get__(self, instance, owner):
        key = (self.manager_class, self.queryset_class)
        manager_class = classes.get(key)
        if manager_class is None:
            manager_class = classes[key] = self.manager_class.from_queryset(self.queryset_class)
        return manager_class(self.model, instance)

    HistoryDescriptor.__get__ = __get__
    HistoryDescriptor._paju_cached = True


@cache
def _kept_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's concrete fields its history keeps (excluded ones are absent)."""
    kept = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in kept]


# Fields whose JSON value is already the Python value (text as text, integers as integers):
# no conversion per row. Booleans (0/1 on SQLite), decimals, dates and datetimes convert.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)


def _as_is(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return isinstance(field.target_field, _AS_IS)
    return isinstance(field, _AS_IS) and not isinstance(field, models.BooleanField)


@cache
def _readers(model: type[models.Model], every: bool = False) -> list[tuple[str, object]]:
    """(attname, converter or None where the JSON value is the value) of the model's kept
    fields (``every``: all its concrete fields), worked out once per model."""
    fields = model._meta.concrete_fields if every else _kept_fields(model)
    return [(f.attname, None if _as_is(f) else partial(json_value, f)) for f in fields]


def _read(readers, data: dict) -> list:
    values = []
    for name, read in readers:
        value = data[name]
        values.append(value if read is None or value is None else read(value))
    return values


def json_value(field: models.Field, value):
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


# A card's query is the same SQL every time but for its ids and moment; building it with
# the ORM (a dozen querysets, their filters, the union, the compiler) cost more than
# running it. So each query shape is built once per process with stand-in values, and
# later calls put their values in its parameters. Stand-ins are negative ids (no row has
# one) inside the 32-bit range (Django turns an out-of-range integer lookup into an empty
# result), and an instant in 1901 nothing was written at.
_TEMPLATES: dict = {}
_TEMPLATES_LOCK = threading.Lock()
_STAND_IN_BASE = -1_987_654_000
_STAND_IN_WHEN = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _leaves(filters: dict, shape: list, values: list) -> None:
    """The filters' values in a fixed order (``values``) and what fixes the SQL's form
    (``shape``): keys, kinds and list lengths. Lists are deduplicated first, as Django's
    ``__in`` does, so a stand-in list has the same length as the real one."""
    for key in sorted(filters):
        value = filters[key]
        if isinstance(value, HistoryValues):
            shape.append((key, "history", value.model, value.field))
            _leaves(value.filters, shape, values)
        elif isinstance(value, list | tuple | set | frozenset):
            ids = list(dict.fromkeys(v for v in value if v is not None))
            shape.append((key, "in", len(ids)))
            values.append(ids)
        else:
            shape.append((key, "exact"))
            values.append(value)


def _with_stand_ins(filters: dict, stand_ins: list | None = None) -> dict:
    """``filters`` as ORM lookups, each ``HistoryValues`` a subquery; with ``stand_ins``,
    each value is taken from them instead, in ``_leaves`` order."""
    rebuilt = {}
    for key in sorted(filters):
        value = filters[key]
        if isinstance(value, HistoryValues):
            value = (
                value.model.history.filter(**_with_stand_ins(value.filters, stand_ins))
                .values(value.field)
                .distinct()
            )
        elif stand_ins is not None:
            value = stand_ins.pop(0)
        rebuilt[key] = value
    return rebuilt


def _standing(when: datetime, parts: Sequence[Part]) -> list:
    return [
        (
            label,
            model,
            model.history.filter(history_date__lte=when)
            .latest_of_each()
            .exclude(history_type="-")
            .filter(**_with_stand_ins(filters)),
            {},
        )
        for label, model, filters in parts
    ]


def _stand_ins(values: list) -> tuple[list, dict]:
    """A stand-in for each value (lists: one per element) and {stand-in: where its real
    value is}; the moment's stand-in is keyed "when"."""
    stand_ins: list = []
    index: dict = {}
    for position, value in enumerate(values):
        if isinstance(value, list):
            ids = [_STAND_IN_BASE - len(index) - i for i in range(len(value))]
            for i, stand_in in enumerate(ids):
                index[stand_in] = (position, i)
            stand_ins.append(ids)
        else:
            stand_in = _STAND_IN_BASE - len(index)
            index[stand_in] = (position, None)
            stand_ins.append(stand_in)
    return stand_ins, index


def _template(key: tuple, values: list, build, with_moment: bool):
    """(sql, params with stand-ins, where each stand-in's real value is, fields) of the
    union ``build(stand_ins, moment)`` returns, kept under ``key``; None where the ORM left a
    stand-in out (an empty list, say): such a shape is not kept."""
    key = (connection.vendor, *key)
    template = _TEMPLATES.get(key)
    if template is not None:
        return template or None  # False: a shape that cannot be kept
    stand_ins, index = _stand_ins(values)
    query, fields = _union(build(stand_ins, _STAND_IN_WHEN))
    try:
        sql, params = query.query.sql_with_params() if query is not None else (None, ())
    except EmptyResultSet:  # every part filtered by an empty list
        sql, params = None, ()
    moment = connection.ops.adapt_datetimefield_value(_STAND_IN_WHEN)
    slots, used = [], set()
    for param in params:
        if type(param) is int and param in index:
            slots.append(index[param])
            used.add(param)
        elif with_moment and param == moment:
            slots.append("when")
            used.add("when")
        else:
            slots.append(None)
    wanted = {*index, "when"} if with_moment else set(index)
    template = (sql, list(params), slots, fields) if sql and used == wanted else False
    with _TEMPLATES_LOCK:
        if len(_TEMPLATES) > 512:  # shapes vary with list lengths: keep the cache bounded
            _TEMPLATES.clear()
        _TEMPLATES[key] = template
    return template or None


def rows_kept(
    key: tuple, values: list, build, when: datetime | None = None
) -> dict[str, list[models.Model]]:
    """``rows_union(build(values, when))`` through a query kept per ``key`` and the values'
    shape: ``values`` are ids and lists of ids (``build`` must use each of them, and
    ``when`` if given, as query parameters), and ``build(values, when)`` gives the parts of
    ``rows_union``. The query is built by the ORM once per shape and process."""
    shape = tuple(len(v) if isinstance(v, list) else None for v in values)
    template = _template((*key, shape), values, build, when is not None)
    if template is None:
        return rows_union(build(values, when))
    sql, params, slots, fields = template
    moment = connection.ops.adapt_datetimefield_value(when) if when is not None else None
    params = [
        param
        if slot is None
        else moment
        if slot == "when"
        else values[slot[0]]
        if slot[1] is None
        else values[slot[0]][slot[1]]
        for param, slot in zip(params, slots, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _instances(cursor.fetchall(), fields)


def instance_from_json(model: type[models.Model], data: dict) -> models.Model:
    """An unsaved ``model`` instance from a JSON object of its concrete fields (a related
    row read into a history union as one more column, e.g. a pledge's department)."""
    return model(*_read(_readers(model, every=True), data))


def json_columns(relation: str, model: type[models.Model]) -> JSONObject:
    """The related ``model`` row at ``relation`` as one JSON object (``instance_from_json``)."""
    return JSONObject(
        **{f.attname: F(f"{relation}__{f.attname}") for f in model._meta.concrete_fields}
    )


def rows_as_of(when: datetime, parts: Sequence[Part]) -> dict[str, list[models.Model]]:
    """{label: unsaved instances} of each part's rows as they stood at ``when``: for each
    object, its latest history row at or before ``when``, unless that row records its
    deletion. One query for all parts. Rows are in no particular order."""
    shape: list = []
    values: list = []
    for label, model, filters in parts:
        shape.append((label, model))
        _leaves(filters, shape, values)

    def build(stand_ins: list, moment: datetime) -> list:
        stand_ins = list(stand_ins)
        return _standing(
            moment,
            [
                (label, model, _with_stand_ins(filters, stand_ins))
                for label, model, filters in parts
            ],
        )

    return rows_kept(("as_of", tuple(shape)), values, build, when)


def _union(parts) -> tuple[models.QuerySet | None, dict]:
    """The ``UNION ALL`` of the parts' history rows, each row as (label, JSON object),
    and what turns the rows back into instances."""
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
        return None, fields
    first, *rest = queries
    return (first.union(*rest, all=True) if rest else first), fields


def rows_union(
    parts: Sequence[tuple[str, type[models.Model], models.QuerySet, dict]],
) -> dict[str, list[models.Model]]:
    """{label: unsaved instances} of several models' change-history rows, read in one
    ``UNION ALL`` query: each part is (label, model, a queryset of its history rows already
    restricted to the standing ones, extra columns {attribute: expression} set on each
    instance). Where two rows of one object stand (written at the same moment), the later
    written one wins."""
    query, fields = _union(parts)
    return _instances(query, fields) if query is not None else {}


def _instances(rows, fields: dict) -> dict[str, list[models.Model]]:
    found: dict[str, dict] = {label: {} for label in fields}
    for label, data in rows:
        if isinstance(data, str):  # SQLite (and a raw cursor) hand the object back as text
            data = json.loads(data)
        model, kept, extra = fields[label]
        pk = data[model._meta.pk.attname]
        if pk in found[label] and found[label][pk][0] > data["history_id"]:
            continue
        values = _read(_readers(model), data)
        if len(kept) == len(model._meta.concrete_fields):  # every field: Django's fast path
            instance = model(*values)
        else:
            instance = model(**{f.attname: value for f, value in zip(kept, values, strict=True)})
        for name in extra:
            setattr(instance, name, data[name])
        found[label][pk] = (data["history_id"], instance)
    return {label: [row for _id, row in kept.values()] for label, kept in found.items()}


def as_published(history: models.QuerySet, moment: Subquery, **fixed) -> models.QuerySet:
    """The change-history rows standing at each object's own moment (``moment``, a
    subquery over the row, kept as ``standing``): for each object its latest row at or
    before that moment, unless the row records its deletion. Objects whose pledge was not
    yet published have no moment and no row.

    ``fixed``: filters on fields no object ever changes (a figure's sub-project), applied
    to the later rows looked for too, so the database looks only among those."""
    rows = history.filter(**fixed).annotate(standing=moment)
    rows = rows.filter(history_date__lte=F("standing"))
    later = history.model.objects.filter(
        **fixed,
        id=OuterRef("id"),
        history_date__gt=OuterRef("history_date"),
        history_date__lte=OuterRef("standing"),
    )
    return rows.exclude(Exists(later)).exclude(history_type="-")


def live_where_no_history(found: dict[str, list], wanted: dict[str, tuple]) -> None:
    """Add to ``found`` (label: rows as of a moment) the live rows of the wanted ids that
    have no history row at all (written by a bulk load that kept none): one query per
    such model, none when the history is complete."""
    for label, (model, ids) in wanted.items():
        missing = set(ids) - {row.pk for row in found[label]} - {None}
        if missing:
            missing -= set(model.history.filter(id__in=missing).values_list("id", flat=True))
        if missing:
            found[label] += list(model.objects.filter(pk__in=missing))

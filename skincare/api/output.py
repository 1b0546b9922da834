"""Answers produced by the serializers that document them (one definition per response).

``output(SomeOutput, instance, request, **context)`` renders a model instance (or a page of them) with
the output serializer named in the view's ``extend_schema``, so the schema cannot drift from what is
sent. Context values that are ``True`` are flags that choose fields (``OutputSerializer.only_when``);
other values (the request, the viewer's votes, …) are data the fields read.
"""

import decimal
import threading
from operator import attrgetter
from types import MethodType

from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.fields import Field, SkipField

# A plain field's attribute is already its JSON value: DRF would only call int()/str() on it, and the
# JSON renderer writes dates and datetimes as ISO 8601 (UTC with "Z") as DRF's fields do.
PLAIN_FIELDS = (
    serializers.IntegerField,
    serializers.CharField,
    serializers.BooleanField,
    serializers.ChoiceField,
    serializers.DateTimeField,
    serializers.DateField,
)

_ready = threading.local()


def _decimal_string(field):
    """``field.to_representation`` for a ``DecimalField`` rendered as a string, or None for the other kinds.

    DRF copies the decimal context and builds the quantum on every call (a third of a product list
    item's time); here both are built once, from the context of the thread that plans the serializer
    (the per-thread ready serializers of ``output``), with the field's precision and rounding.
    """
    coerce = getattr(field, "coerce_to_string", serializers.api_settings.COERCE_DECIMAL_TO_STRING)
    if type(field) is not serializers.DecimalField or field.decimal_places is None or not coerce:
        return None
    if field.localize or field.normalize_output:
        return None
    quantum = decimal.Decimal(".1") ** field.decimal_places
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    rounding, Decimal = field.rounding, decimal.Decimal

    def convert(value):
        if type(value) is not Decimal:
            value = Decimal(str(value).strip())
        return f"{value.quantize(quantum, rounding=rounding, context=context):f}"

    return convert


def output(serializer_class, instance, request, *, many=False, **context):
    """The answer for ``instance`` (or a page of them), produced by ``serializer_class``.

    Building a serializer's fields costs more than rendering a page of 50 reviews with them, so each
    thread keeps one ready serializer per class and set of flags; only its context changes per call
    (fields read the context from their root when they render).
    """
    flags = tuple(sorted(name for name, value in context.items() if value is True)) if context else ()
    context["request"] = request
    key = (serializer_class, many, flags)
    ready = _ready.__dict__.setdefault("serializers", {})
    serializer = ready.get(key)
    if serializer is None:
        serializer = ready[key] = serializer_class(many=many, context=context)
    serializer._context = context
    try:
        return serializer.to_representation(instance)
    finally:
        serializer._context = {}  # keep no request alive between answers


class OutputSerializer(serializers.Serializer):
    # An answer; the fields named in ``only_when`` appear only when the context sets the flag named.
    # (A comment, not a docstring: the schema would show it as every answer's description.)
    only_when = {}

    @cached_property
    def _readable_fields(self):
        # Decided once per serializer: its flags (context values that are exactly True) are part of
        # the key ``output`` keeps it under, so a flag must be True, not merely truthy, to show a field.
        context, only_when = self.context, self.only_when
        return [
            field
            for name, field in self.fields.items()
            if not field.write_only and (name not in only_when or context.get(only_when[name]) is True)
        ]

    @cached_property
    def _plan(self):
        # (name, field, read, convert): a field that keeps DRF's get_attribute is read with one attrgetter;
        # a plain one needs no conversion; a SerializerMethodField is its bound method on the whole instance
        # (read None, convert the method). Other fields (their own get_attribute, source "*") go through DRF.
        plan = []
        for field in self._readable_fields:
            if type(field) is serializers.SerializerMethodField:
                plan.append((field.field_name, field, None, getattr(self, field.method_name)))
            elif type(field).get_attribute is not Field.get_attribute or field.source == "*":
                plan.append((field.field_name, field, None, None))
            else:
                plain = type(field) in PLAIN_FIELDS
                read = attrgetter(field.source)
                convert = None if plain else _decimal_string(field) or field.to_representation
                plan.append((field.field_name, field, read, convert))
        return plan

    def to_representation(self, instance):
        if isinstance(instance, dict):  # a selector's figures: DRF's way
            return super().to_representation(instance)
        data = {}
        for name, field, read, convert in self._plan:
            if read is not None:
                try:
                    value = read(instance)
                except AttributeError:
                    pass  # a missing link on the way: DRF's rules below (null, skipped or an error)
                else:
                    if type(value) is not MethodType:  # DRF calls a method source: the rules below do
                        data[name] = value if value is None or convert is None else convert(value)
                        continue
            elif convert is not None:  # a SerializerMethodField (DRF passes it the instance)
                data[name] = convert(instance)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


class OutputModelSerializer(OutputSerializer, serializers.ModelSerializer):
    pass

"""Alexa JSON to ask_sdk_model objects and back, as the SDK's DefaultSerializer does it, faster.

The SDK's ``DefaultSerializer`` reads every model class's ``deserialized_types`` and
``attribute_map`` afresh for each value of each request: a regular expression per typed
list, an ``__import__`` per class name, a merged attribute map per object, and the request
timestamp through dateutil's general date parser. That is about 70 % of a warm request.

This module follows the same rules, read from the same metadata, but works each type out
once and keeps the answer, so a request costs a few dictionary look-ups per field. It also
takes the event as a dict (Lambda has parsed it already) instead of a JSON string, and it
never imports ``ask_sdk_core.serialize``, whose import of ``ask_sdk_model.services`` pulls in
the models of every Alexa service API (about 230 modules) that this skill never calls.

The objects it builds are the SDK's own model classes, field for field. The one difference:
a request timestamp in Alexa's form ("2026-11-25T12:00:00Z") gets ``datetime.UTC`` as its
time zone where dateutil gives its own ``tzutc()``; the two compare equal and print the same.
Any other timestamp goes through dateutil, as in the SDK. tests/test_fast_path.py runs a
broad set of envelopes through both serializers and compares the results.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException

Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]

_PRIMITIVES = (float, bool, bytes, str, int)
_NATIVE: dict[str, type] = {
    "int": int,
    "long": int,
    "float": float,
    "str": str,
    "bool": bool,
    "date": dt.date,
    "datetime": dt.datetime,
    "object": object,
}
_LIST = re.compile(r"list\[(.*)\]")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)")
# The form Alexa stamps on every request; anything else goes to dateutil, as in the SDK.
_ALEXA_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")


# -- reading: JSON values to model objects --------------------------------------------------


def _copy(value: Any) -> Any:
    """A fresh copy of a JSON value, so that no model object shares the caller's event."""
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    return value


def _load_class(name: str) -> Any:
    try:
        module_name, _, class_name = name.rpartition(".")
        if not module_name:
            raise ValueError(f"{name} names no module")
        module = __import__(module_name, fromlist=[class_name])
        return getattr(module, class_name)
    except Exception as exc:
        raise SerializationException(
            f"Unable to resolve class {name} from installed modules: {exc}"
        ) from None


def _read_primitive(kind: type) -> Reader:
    def read(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is kind:  # kind(payload) would return payload itself
            return payload
        try:
            return kind(payload)
        except UnicodeEncodeError:
            return str(payload)
        except TypeError:
            return payload
        except ValueError:
            raise SerializationException(
                f"Failed to parse {payload} into '{kind.__name__}' object"
            ) from None

    return read


def _parse_time(payload: Any, kind: type) -> Any:
    if type(payload) is str:
        match = _ALEXA_TIME.fullmatch(payload)
        if match is not None:
            year, month, day, hour, minute, second, fraction = match.groups()
            try:
                when = dt.datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour),
                    int(minute),
                    int(second),
                    int((fraction or "0").ljust(6, "0")),
                    tzinfo=dt.UTC,
                )
            except ValueError:  # out of range ("24:00:00", "23:59:60"): dateutil decides
                pass
            else:
                return when.date() if kind is dt.date else when
    try:
        from dateutil.parser import parse  # type: ignore[import-untyped]
    except ImportError:
        return payload
    try:
        parsed = parse(payload)
    except ValueError:
        raise SerializationException(
            f"Failed to parse {payload} into '{kind.__name__}' object"
        ) from None
    return parsed.date() if kind is dt.date else parsed


def _read_time(kind: type) -> Reader:
    def read(payload: Any) -> Any:
        return None if payload is None else _parse_time(payload, kind)

    return read


def _read_object(payload: Any) -> Any:
    return _copy(payload)


class _ModelPlan:
    """One model class: [attribute, JSON key, type name, reader] per field, worked out once.

    A field's reader is made the first time a request holds that field, as the SDK only
    imports a class when a value of it turns up, and only fails then if it cannot.
    """

    def __init__(self, cls: Any) -> None:
        types: dict[str, str] = cls.deserialized_types
        attribute_map: dict[str, str] = dict(getattr(cls, "attribute_map", {}))
        for name in types:
            attribute_map.setdefault(name, name)
        self.fields: list[list[Any]] = [
            [attribute, key, types[attribute], None] for attribute, key in attribute_map.items()
        ]
        self.keys = frozenset(attribute_map.values())


_plans: dict[Any, _ModelPlan] = {}


def _plan(cls: Any) -> _ModelPlan:
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = _ModelPlan(cls)
    return plan


def _read_model(cls: Any) -> Reader:
    if isinstance(cls, type) and issubclass(cls, Enum):
        enum = cls

        def read_enum(payload: Any) -> Any:
            if payload is None:
                return None
            try:
                return enum(payload)
            except Exception as exc:
                raise SerializationException(str(exc)) from None

        return read_enum
    if not hasattr(cls, "deserialized_types"):
        return _read_object
    discriminated = hasattr(cls, "get_real_child_model")

    def read(payload: Any) -> Any:
        if payload is None:
            return None
        try:
            target = cls
            if discriminated:
                name = cls.get_real_child_model(payload)
                if not name:
                    raise SerializationException(
                        f"Couldn't resolve object by discriminator type for {cls} class"
                    )
                target = _load_class(name)
            plan = _plan(target)
            model = target()
            found = 0
            for field in plan.fields:
                key = field[1]
                if key in payload:
                    reader = field[3]
                    if reader is None:
                        reader = field[3] = _reader(field[2])
                    setattr(model, field[0], reader(payload[key]))
                    found += 1
            if type(payload) is not dict or found != len(payload):
                for extra in [key for key in payload if key not in plan.keys]:
                    setattr(model, extra, _copy(payload[extra]))
            return model
        except Exception as exc:
            raise SerializationException(str(exc)) from None

    return read


def _make_reader(type_name: str) -> Reader:
    if type_name.startswith("list["):
        match = _LIST.match(type_name)
        if match is None:
            return lambda payload: None if payload is None else []
        inner = match.group(1)
        if "," in inner:
            readers = [_lazy_reader(name.strip()) for name in inner.split(",")]
            return lambda payload: (
                None
                if payload is None
                else [read(item) for item, read in zip(payload, readers, strict=False)]
            )
        item_reader = _lazy_reader(inner.strip())
        return lambda payload: None if payload is None else [item_reader(i) for i in payload]
    if type_name.startswith("dict("):
        match = _DICT.match(type_name)
        if match is None:
            return lambda payload: None if payload is None else {}
        value_reader = _lazy_reader(match.group(2))
        return lambda payload: (
            None if payload is None else {k: value_reader(v) for k, v in payload.items()}
        )
    native = _NATIVE.get(type_name)
    if native is None:
        return _read_model(_load_class(type_name))
    if native is object:
        return _read_object
    if native in (dt.date, dt.datetime):
        return _read_time(native)
    return _read_primitive(native)


_readers: dict[str, Reader] = {}


def _reader(type_name: str) -> Reader:
    """The reader for a type name such as ``list[ask_sdk_model.slot.Slot]``, made once."""
    reader = _readers.get(type_name)
    if reader is None:
        made = _make_reader(type_name)

        def reader(payload: Any) -> Any:
            return None if payload is None else made(payload)

        _readers[type_name] = reader
    return reader


def _lazy_reader(type_name: str) -> Reader:
    """A reader that is only made when first called (for the items of lists and dicts)."""
    made: list[Reader] = []

    def read(payload: Any) -> Any:
        if payload is None:
            return None
        if not made:
            made.append(_reader(type_name))
        return made[0](payload)

    return read


_class_readers: dict[Any, Reader] = {}


def from_json_value(payload: Any, obj_type: Any) -> Any:
    """``payload`` (parsed JSON, e.g. a Lambda event) as an ``obj_type`` model object."""
    if isinstance(obj_type, str):
        return _reader(obj_type)(payload)
    reader = _class_readers.get(obj_type)
    if reader is None:
        reader = _class_readers[obj_type] = _read_model(obj_type)
    return reader(payload)


# -- writing: model objects to JSON values -------------------------------------------------


def _write_model(cls: type) -> Writer:
    attribute_map: dict[str, str] = getattr(cls, "attribute_map", {})
    fields = [(name, attribute_map.get(name, name)) for name in cls.deserialized_types]  # type: ignore[attr-defined]

    def write(obj: Any) -> Any:
        out = {}
        for attribute, key in fields:
            value = getattr(obj, attribute)
            if value is not None:
                out[key] = to_json_value(value)
        return out

    return write


def _identity(obj: Any) -> Any:
    return obj


class Prebuilt(dict[str, Any]):
    """A JSON-ready value, such as an APL document read from a file, written out as it is.

    The SDK's serializer walks a dict value by value; for a document of several kilobytes
    sent with every answer on a screen, that walk was most of the request. The same object
    is returned on every request, so nothing may change it after it is built.
    """


def _write_decimal(obj: decimal.Decimal) -> Any:
    return int(obj) if obj % 1 == 0 else float(obj)


def _writer_for(kind: type) -> Writer:
    """The same tests in the same order as DefaultSerializer.serialize, once per type."""
    if kind is type(None):
        return _identity
    if issubclass(kind, _PRIMITIVES):
        return _identity
    if issubclass(kind, list):
        return lambda obj: [to_json_value(item) for item in obj]
    if issubclass(kind, tuple):
        return lambda obj: tuple(to_json_value(item) for item in obj)
    if issubclass(kind, dt.datetime | dt.date):
        return lambda obj: obj.isoformat()
    if issubclass(kind, Enum):
        return lambda obj: obj.value
    if issubclass(kind, Prebuilt):
        return _identity
    if issubclass(kind, decimal.Decimal):
        return _write_decimal
    if issubclass(kind, dict):
        return lambda obj: {key: to_json_value(value) for key, value in obj.items()}
    return _write_model(kind)


_writers: dict[type, Writer] = {}


def to_json_value(obj: Any) -> Any:
    """A model object (a response envelope) as JSON-ready dicts, lists and values."""
    kind = type(obj)
    writer = _writers.get(kind)
    if writer is None:
        writer = _writers[kind] = _writer_for(kind)
    return writer(obj)


class FastSerializer:
    """A drop-in for the SDK's DefaultSerializer (``CustomSkill.serializer``), for flask-ask-sdk."""

    def serialize(self, obj: Any) -> Any:
        return to_json_value(obj)

    def deserialize(self, payload: str | bytes | None, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            value = json.loads(payload)
        except Exception:
            # Unlike the SDK's, the message does not quote the body: it would reach the logs.
            raise SerializationException("Couldn't parse the body as JSON") from None
        return from_json_value(value, obj_type)

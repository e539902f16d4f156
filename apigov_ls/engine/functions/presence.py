"""Spectral's `truthy`, `falsy`, `defined` and `undefined` (packages/functions/src/*.ts)."""

from __future__ import annotations

from ..types import UNDEFINED
from . import function
from ._spectral_text import js_truthy, render


@function("truthy")
def truthy(input, options, context):
    if not js_truthy(input):
        return [{"message": render('#{{print("property")}}must be truthy', context)}]
    return None


@function("falsy")
def falsy(input, options, context):
    if js_truthy(input):
        return [{"message": render('#{{print("property")}}must be falsy', context)}]
    return None


@function("defined")
def defined(input, options, context):
    if input is UNDEFINED:
        return [{"message": render('#{{print("property")}}must be defined', context)}]
    return None


@function("undefined")
def undefined(input, options, context):
    if input is not UNDEFINED:
        return [{"message": render('#{{print("property")}}must be undefined', context)}]
    return None

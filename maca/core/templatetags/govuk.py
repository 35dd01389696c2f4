"""GOV.UK form field markup built in Python: `{% govuk_field form.name rows="3" %}`.

The return form shows about 50 fields; rendered as nested template includes they took most of
the page's time (see docs/performance.md, "Pages"). This builds the same markup with
`maca.core.html.fmt` (format_html's output, without its per-call overhead: every value escaped
once, as a template would), one call per element. The markup is pinned to the template it
replaced by tests/core/test_govuk_field.py: labels, hints, error messages with their visually
hidden "Error:", aria-describedby, fieldsets with legends for groups, and the ids the error
summary links to.

Unlike an include, it reads nothing from the surrounding context: options are only what the
tag is given (the include picked up a page's own `rows` list as the textarea's rows).
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from maca.core.html import fmt, fmt_join

register = template.Library()
EMPTY = fmt("{}", "")
BR = fmt("<{}>", "br")


def _shown(value: Any) -> Any:
    """A value as a template prints it (local time, localised numbers and dates)."""
    return localize(template_localtime(value))


def _choices(field: forms.BoundField) -> Any:
    return getattr(field.field, "choices", ())


def _errors(fid: str, errors: Any) -> SafeString:
    """The error message, read out before the input: each error after a hidden "Error:"."""
    if not errors:
        return EMPTY
    return fmt(
        '<p id="{}-error" class="govuk-error-message">{}</p>',
        fid,
        fmt_join(
            BR, '<span class="govuk-visually-hidden">Error:</span> {}', ((e,) for e in errors)
        ),
    )


def _describedby(fid: str, hint: bool, errors: bool) -> SafeString:
    if hint and errors:
        return fmt(' aria-describedby="{}-hint {}-error"', fid, fid)
    if hint:
        return fmt(' aria-describedby="{}-hint "', fid)
    if errors:
        return fmt(' aria-describedby="{}-error"', fid)
    return EMPTY


def _item_id(fid: str, counter: int) -> str:
    return fid if counter == 1 else f"{fid}-{counter}"


def _group(field: forms.BoundField, fid: str, wt: str, value: Any) -> SafeString:
    """The radios or checkboxes of a group; the first one has the field's own id."""
    name = field.html_name
    if wt == "radioselect":
        fvalue = str(value)
        items = fmt_join(
            "",
            '<div class="govuk-radios__item"><input class="govuk-radios__input" id="{}" '
            'name="{}" type="radio" value="{}"{}><label class="govuk-label govuk-radios__label" '
            'for="{}">{}</label></div>',
            (
                (
                    (iid := _item_id(fid, counter)),
                    name,
                    _shown(choice),
                    " checked" if fvalue == str(choice) else "",
                    iid,
                    label,
                )
                for counter, (choice, label) in enumerate(_choices(field), start=1)
                if choice != ""
            ),
        )
        return fmt(
            '<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">{}</div>',
            items,
        )
    items = fmt_join(
        "",
        '<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{}" '
        'name="{}" type="checkbox" value="{}"{}><label class="govuk-label '
        'govuk-checkboxes__label" for="{}">{}</label></div>',
        (
            (
                (iid := _item_id(fid, counter)),
                name,
                _shown(sub.data["value"]),
                " checked" if sub.data["selected"] else "",
                iid,
                sub.choice_label,
            )
            for counter, sub in enumerate(field, start=1)
        ),
    )
    return fmt(
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
        "{}</div>",
        items,
    )


def _control(
    field: forms.BoundField,
    fid: str,
    wt: str,
    value: Any,
    *,
    error: bool,
    describedby: SafeString,
    rows: str,
    mono: bool,
    width: str,
    autocomplete: str,
) -> SafeString:
    """The input itself for a field that is not a group or a single checkbox."""
    name = field.html_name
    if wt == "textarea":
        return fmt(
            '<textarea class="govuk-textarea{}{}" id="{}" name="{}" rows="{}"{}>{}</textarea>',
            " govuk-textarea--error" if error else "",
            " maca-yaml" if mono else "",
            fid,
            name,
            rows or "5",
            describedby,
            "" if value is None else _shown(value),
        )
    if wt == "select":
        fvalue = str(value)
        options = fmt_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (_shown(choice), " selected" if fvalue == str(choice) else "", label)
                for choice, label in _choices(field)
            ),
        )
        return fmt(
            '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select>',
            " govuk-select--error" if error else "",
            fid,
            name,
            describedby,
            options,
        )
    if wt in ("clearablefile", "file"):
        return fmt(
            '<input class="govuk-file-upload{}" id="{}" name="{}" type="file"{}>',
            " govuk-file-upload--error" if error else "",
            fid,
            name,
            describedby,
        )
    password = wt == "password"
    return fmt(
        '<input class="govuk-input{}{}" id="{}" name="{}" type="{}" value="{}"{}{}{}>',
        f" govuk-input--width-{width}" if width else "",
        " govuk-input--error" if error else "",
        fid,
        name,
        "password" if password else "text",
        "" if password or value is None else _shown(value),
        fmt(' autocomplete="{}"', autocomplete) if autocomplete else EMPTY,
        describedby,
        fmt(' spellcheck="{}"', "false")
        if password or (wt == "text" and field.name == "username")
        else EMPTY,
    )


@register.simple_tag
def govuk_field(
    field: forms.BoundField,
    *,
    size: str = "",
    rows: str = "",
    mono: bool = False,
    width: str = "",
    autocomplete: str = "",
) -> SafeString:
    """One form field in GOV.UK markup. The first input of a group always has the id the
    error summary links to (field.auto_id)."""
    wt = field.widget_type
    fid = field.auto_id
    ferrors = field.errors
    help_text = field.help_text
    value = field.value()
    errors = _errors(fid, ferrors)
    group_class = " govuk-form-group--error" if ferrors else ""
    if wt in ("radioselect", "checkboxselectmultiple"):
        return fmt(
            '<div class="govuk-form-group{}"><fieldset class="govuk-fieldset"{}>'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--{}">{}</legend>'
            "{}{}{}</fieldset></div>",
            group_class,
            _describedby(fid, bool(help_text), bool(ferrors)),
            size or "s",
            field.label,
            fmt('<div id="{}-hint" class="govuk-hint maca-pre-line">{}</div>', fid, help_text)
            if help_text
            else EMPTY,
            errors,
            _group(field, fid, wt, value),
        )
    if wt == "checkbox":
        return fmt(
            '<div class="govuk-form-group{}">{}<div class="govuk-checkboxes '
            'govuk-checkboxes--small" data-module="govuk-checkboxes"><div '
            'class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{}" '
            'name="{}" type="checkbox" value="on"{}{}><label class="govuk-label '
            'govuk-checkboxes__label" for="{}">{}</label>{}</div></div></div>',
            group_class,
            errors,
            fid,
            field.html_name,
            " checked" if value else "",
            fmt(' aria-describedby="{}-hint"', fid) if help_text else EMPTY,
            fid,
            field.label,
            fmt(
                '<div id="{}-hint" class="govuk-hint govuk-checkboxes__hint">{}</div>',
                fid,
                help_text,
            )
            if help_text
            else EMPTY,
        )
    return fmt(
        '<div class="govuk-form-group{}"><label class="govuk-label{}" for="{}">{}</label>{}{}{}'
        "</div>",
        group_class,
        f" govuk-label--{size}" if size else "",
        fid,
        field.label,
        fmt('<div id="{}-hint" class="govuk-hint maca-pre-line">{}</div>', fid, help_text)
        if help_text
        else EMPTY,
        errors,
        _control(
            field,
            fid,
            wt,
            value,
            error=bool(ferrors),
            describedby=_describedby(fid, bool(help_text), bool(ferrors)),
            rows=rows,
            mono=mono,
            width=width,
            autocomplete=autocomplete,
        ),
    )

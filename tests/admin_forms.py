"""Build the POST an admin change form would send, from the page the admin rendered."""


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def change_form_data(response) -> dict:
    """Every field of the admin form and of its inline formsets, as currently shown."""
    data = {}
    adminform = response.context.get("adminform")
    form = adminform.form if adminform is not None else response.context["form"]
    for bound_field in form:
        value = _value(bound_field)
        if value != "" or not bound_field.field.disabled:
            data[bound_field.html_name] = value
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for bound_field in management:
            data[bound_field.html_name] = _value(bound_field)
        for sub_form in formset.forms:
            for bound_field in sub_form:
                data[bound_field.html_name] = _value(bound_field)
    return {k: v for k, v in data.items() if v is not None}

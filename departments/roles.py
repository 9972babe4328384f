"""The portal's roles as permission groups; created by a migration, never by hand."""

STAFF_GROUP = "부서 담당자"  # department staff
AUDITOR_GROUP = "감사"  # auditor

APPS = ("departments", "pledges", "budgets")

# Department staff: view, add and change their departments' records; no deletes of
# pledges or figures (a correction is a new value, kept in history).
STAFF_PERMISSIONS = {
    "pledges": {
        "pledge": {"view", "change"},
        "project": {"view", "add", "change"},
        "yearplan": {"view", "add", "change", "delete"},
        "milestone": {"view", "add", "change", "delete"},
        "pledgeofficial": {"view", "add", "change", "delete"},
        "relatedmaterial": {"view", "add", "change", "delete"},
        "progresscount": {"view", "add", "change"},
        "workplanlink": {"view"},
        "term": {"view"},
        "vision": {"view"},
    },
    "departments": {
        "department": {"view"},
        "official": {"view", "add", "change"},
        "workplanitem": {"view"},
        "bureau": {"view"},
    },
    "budgets": {"budgetfigure": {"view", "add", "change"}},
}

"""The public site keeps no data of its own: it reads from departments, pledges and budgets.

This module exists because Django sends ``post_migrate`` only for apps with a models
module, and the portal's receiver syncs the roles' permissions (``portal.roles``).
"""

"""Statutory returns: the Children in Need census (its validation rules first) and, later, Annex A."""

"""Scrutiny reviews: a task and finish group's scope, members, meetings, witnesses, evidence, findings and
recommendations, the executive's response, and the update reports that follow. Aggregates only: nothing here
points at a child."""

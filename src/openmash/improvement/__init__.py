"""Improvement: action plans (a safeguarding action plan, an inspection's areas for improvement, a scrutiny
review's recommendations), their actions and progress updates, and Ofsted inspections with their judgements."""

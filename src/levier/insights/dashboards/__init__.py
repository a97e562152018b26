"""Team and department dashboards (/pilotage/equipe/<id>/, /pilotage/service/).

periods.py chooses the period and the previous one of equal length; figures.py holds every
figure as a small dataclass with its drill-down link; selectors.py computes them in SQL,
one query per figure family, for one team or every team of the department at once.
"""

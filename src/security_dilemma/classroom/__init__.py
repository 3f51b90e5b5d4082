"""Classroom mode: students play states of a case against actors that follow a lens.

:mod:`~security_dilemma.classroom.play` is the played world (tables, moves, games, views);
:mod:`~security_dilemma.classroom.debrief` its analysis.
"""

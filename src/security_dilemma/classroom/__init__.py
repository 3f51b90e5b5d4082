"""Classroom mode: students play states against theory agents (docs/classroom.md)."""

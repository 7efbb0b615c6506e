"""Automation: rules that act by themselves when something happens to a record.

``triggers.on_event`` (called by use cases after they record an event) queues
firings; ``runner.Runner`` does them on the clock; ``manage.Automation`` is the
owner's use case.
"""
